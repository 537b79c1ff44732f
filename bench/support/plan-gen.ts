// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * Realistic plans of a given size for the validator bench: repeated units of a user lookup,
 * orders by reference, a map over the orders, a summary value and a templated search, each
 * unit reading the previous unit's output so references cross the whole plan.
 */
export function generatePlan(size: number): { version: 1; nodes: Array<Record<string, unknown>> } {
  const nodes: Array<Record<string, unknown>> = [];
  let count = 0;
  let unit = 0;
  let prev: string | undefined;
  while (count < size) {
    const u = `u${unit}`;
    const o = `o${unit}`;
    const m = `m${unit}`;
    const s = `s${unit}`;
    const q = `q${unit}`;
    nodes.push({ id: u, call: 'get_user', args: { user_id: prev ? `\${${prev}.n}` : 'u1' } });
    nodes.push({
      id: o,
      call: 'get_orders',
      args: { user_id: `\${${u}.id}`, limit: 10, status: 'open' },
    });
    nodes.push({
      id: m,
      map: `\${${o}}`,
      as: 'order',
      concurrency: 4,
      do: [{ id: `${m}_x`, value: '${order.total * 2}' }],
    });
    nodes.push({
      id: s,
      value: `\${ {'n': ${u}.name, 'orders': size(${o}), 'total': sum(${m})} }`,
    });
    nodes.push({
      id: q,
      call: 'search',
      args: { q: `orders of \${${u}.name}: \${${s}.total}` },
      retry: { attempts: 3 },
    });
    count += 6;
    prev = s;
    unit += 1;
  }
  return { version: 1, nodes };
}

/** Nodes in a plan, nested ones included. */
export function countNodes(nodes: unknown[]): number {
  let n = 0;
  for (const node of nodes) {
    n += 1;
    const body = (node as { do?: unknown[] }).do;
    if (Array.isArray(body)) n += countNodes(body);
  }
  return n;
}
