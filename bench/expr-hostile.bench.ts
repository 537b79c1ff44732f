// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * Hostile expressions (issue 10, items 1-4 and worse): how long each takes to end, run as a
 * `value` node with `timeout_ms: 1000` and `deadline_ms: 1000`, against the target of
 * timeout_ms + 100 ms. Then the hot path: what the budget costs an ordinary expression,
 * the instrumented evaluation against cel-js's own on the same AST shape, in one run.
 * `node --import tsx bench/expr-hostile.bench.ts`
 */
import { executePlan } from '../src/exec/index.ts';
import { fromCel, runtimeEnvironment } from '../src/expr/cel-environment.ts';
import { celSafe, compileExpression } from '../src/expr/expression.ts';
import { deepArray, HOSTILE } from '../test/expr/support/hostile.ts';
import { table } from './support/exec-dag.ts';

const TIMEOUT_MS = 1000;

async function endOf(value: unknown): Promise<{ ms: number; outcome: string }> {
  const t0 = performance.now();
  const r = await executePlan(
    {
      version: 1,
      limits: { deadline_ms: TIMEOUT_MS },
      nodes: [{ id: 'v', value, timeout_ms: TIMEOUT_MS }],
    },
    { tools: [] },
  );
  const ms = performance.now() - t0;
  if (r.status === 'succeeded') return { ms, outcome: `succeeded ${JSON.stringify(r.output)}` };
  const e = (r as { error: { name: string; code?: string; details?: { limit?: string } } }).error;
  return {
    ms,
    outcome: `${e.name} ${e.code ?? ''}${e.details?.limit ? ` (${e.details.limit})` : ''}`,
  };
}

await endOf('${1 + 1}'); // warm up
const rows: Array<Array<string | number>> = [];
const cases: Array<[string, unknown]> = [
  ...HOSTILE.map(([name, source]): [string, unknown] => [name, `\${${source}}`]),
  ['50,000-deep array literal (item 4)', deepArray()],
];
let worst = 0;
for (const [name, value] of cases) {
  const runs = [await endOf(value), await endOf(value), await endOf(value)];
  const ms = Math.max(...runs.map((r) => r.ms));
  worst = Math.max(worst, ms);
  rows.push([
    name,
    runs[0]!.outcome,
    ms.toFixed(0),
    TIMEOUT_MS,
    ms <= TIMEOUT_MS + 100 ? 'yes' : 'NO',
  ]);
}
console.log('## Hostile expressions: time to end (worst of 3 runs)\n');
console.log(
  table(['expression', 'outcome', 'ended after ms', 'timeout_ms', 'within +100 ms'], rows),
);
console.log(`\nworst: ${worst.toFixed(0)} ms against ${TIMEOUT_MS + 100} ms`);

// The hot path: ordinary expressions, budgeted (compileExpression) against cel-js's own
// evaluation of a parse of the same source (no budget hooks), alternated, median of 7.
const orders = Array.from({ length: 50 }, (_, i) => ({
  id: `o${i}`,
  amount: i * 1.5,
  tags: ['a'],
}));
const scope = { user: { id: 'u1', name: 'Ann', age: 41 }, orders, item: { i: 7, price: 2.5 } };
const ORDINARY = [
  'item.i',
  'item.price * 2 + 1',
  "user.name + ' (' + string(user.age) + ')'",
  'orders.map(o, o.amount)',
  'orders.filter(o, o.amount > 10.0).size()',
  "orders.exists(o, o.id == 'o42')",
  "user.name.matches('^A')",
];
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
const hot: Array<Array<string | number>> = [];
for (const source of ORDINARY) {
  const budgeted = compileExpression(source);
  // What CompiledExpression.run did before the budget: the same context, no hooks.
  const raw = runtimeEnvironment().parse(source);
  const unbudgeted = (sc: Record<string, unknown>) => {
    const ctx: Record<string, unknown> = {};
    for (const name of budgeted.refs) if (Object.hasOwn(sc, name)) ctx[name] = celSafe(sc[name]);
    return fromCel(raw(ctx));
  };
  const reps = source.includes('orders') ? 5_000 : 50_000;
  const a: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < 7; round++) {
    let t = performance.now();
    for (let i = 0; i < reps; i++) budgeted.run(scope);
    a.push(((performance.now() - t) * 1000) / reps);
    t = performance.now();
    for (let i = 0; i < reps; i++) unbudgeted(scope);
    b.push(((performance.now() - t) * 1000) / reps);
  }
  const [ma, mb] = [median(a), median(b)];
  hot.push([`\`${source}\``, ma.toFixed(2), mb.toFixed(2), (ma / mb).toFixed(2)]);
}
console.log('\n## What the budget costs an ordinary expression (µs per evaluation, median of 7)\n');
console.log(table(['expression', 'budgeted µs', 'cel-js alone µs', 'ratio'], hot));
