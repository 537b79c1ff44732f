import { describe, expect, it } from 'vitest';
import { parseCompactPlan, printCompactPlan } from '../../src/compact/index.ts';

describe('numbers in compact plans', () => {
  it('reads -0 and underflows to -0 as 0, so printing and parsing round-trip', () => {
    const r = parseCompactPlan('a = f(x: -1e-400, y: -0, z: [-0], w: {"k": -0})\nb = wait 0');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const args = (r.plan.nodes[0] as { args: Record<string, unknown> }).args;
    expect(Object.is(args.x, 0)).toBe(true);
    expect(Object.is(args.y, 0)).toBe(true);
    expect(Object.is((args.z as number[])[0], 0)).toBe(true);
    expect(Object.is((args.w as { k: number }).k, 0)).toBe(true);
    const again = parseCompactPlan(printCompactPlan(r.plan));
    expect(again).toEqual({ ok: true, plan: r.plan });
  });

  it('still refuses numbers JSON cannot hold', () => {
    const r = parseCompactPlan('a = f(x: 1e999)');
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors.map((e) => e.message).join(' ')).toMatch(/out of range/);
  });
});
