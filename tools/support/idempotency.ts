import type { ToolContext } from '../../src/tool/tool.ts';

/** JSON with object keys sorted, so `{a, b}` and `{b, a}` are the same request. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/**
 * Makes a mutating execute function idempotent: a second call with the same
 * `ctx.idempotencyKey` and the same arguments returns the first call's result and changes
 * nothing. The arguments are part of the key because a loop body may reach the same node
 * (and key) with different arguments; those are different operations. A failed call is
 * forgotten so that a retry can really try again. Calls without a key are never deduplicated.
 * Each call of `idempotent` owns its own store, so one tool's keys never answer another's
 * (a compensation may run under the same key as the node it undoes).
 */
export function idempotent<A, O>(
  fn: (args: A, ctx: ToolContext) => O | Promise<O>,
): (args: A, ctx: ToolContext) => Promise<O> {
  const done = new Map<string, Promise<O>>();
  return (args, ctx) => {
    if (!ctx.idempotencyKey) return Promise.resolve().then(() => fn(args, ctx));
    const key = `${ctx.idempotencyKey}\u0000${stableStringify(args)}`;
    const existing = done.get(key);
    if (existing) return existing.then((v) => structuredClone(v));
    const pending = Promise.resolve().then(() => fn(args, ctx));
    done.set(key, pending);
    pending.catch(() => {
      if (done.get(key) === pending) done.delete(key);
    });
    return pending.then((v) => structuredClone(v));
  };
}
