import { describe, expect, it } from 'vitest';
import { parseCompactPlan, printCompactPlan } from '../../src/compact/index.ts';
import { Plan } from '../../src/plan/plan-schema.ts';
import { SEED_PATTERNS } from './fixtures/seed-patterns.ts';

describe('compact plans are much shorter than JSON for the seed patterns', () => {
  const rows = Object.entries(SEED_PATTERNS).map(([name, plan]) => {
    const json = JSON.stringify(plan).length;
    const compact = printCompactPlan(plan).length;
    return { name, json, compact, ratio: Number((compact / json).toFixed(2)) };
  });

  it('every seed pattern is valid, round-trips and prints shorter than its JSON', () => {
    for (const [name, plan] of Object.entries(SEED_PATTERNS)) {
      expect(Plan.safeParse(plan).success, name).toBe(true);
      expect(parseCompactPlan(printCompactPlan(plan)), name).toEqual({ ok: true, plan });
    }
    console.table(rows);
    for (const row of rows) expect(row.compact, row.name).toBeLessThan(row.json);
    const json = rows.reduce((n, r) => n + r.json, 0);
    const compact = rows.reduce((n, r) => n + r.compact, 0);
    expect(compact).toBeLessThan(json * 0.7);
  });
});
