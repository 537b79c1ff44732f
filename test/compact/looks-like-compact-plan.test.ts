import { describe, expect, it } from 'vitest';
import { looksLikeCompactPlan, printCompactPlan } from '../../src/compact/index.ts';
import { SEED_PATTERNS } from './fixtures/seed-patterns.ts';

describe('looksLikeCompactPlan', () => {
  it('accepts compact text, with comments, a code fence or a plan setting first', () => {
    expect(looksLikeCompactPlan('user = get_user(id: "u1")')).toBe(true);
    expect(looksLikeCompactPlan('\n# plan\n```\nuser=get_user(id: 1)\n```')).toBe(true);
    expect(looksLikeCompactPlan('goal "x"\na = f()')).toBe(true);
    for (const plan of Object.values(SEED_PATTERNS)) {
      expect(looksLikeCompactPlan(printCompactPlan(plan))).toBe(true);
    }
  });

  it('rejects JSON plans, fenced JSON, prose and empty text', () => {
    for (const plan of Object.values(SEED_PATTERNS)) {
      expect(looksLikeCompactPlan(JSON.stringify(plan, null, 2))).toBe(false);
    }
    expect(looksLikeCompactPlan('```json\n{"version": 1, "nodes": []}\n```')).toBe(false);
    expect(looksLikeCompactPlan('[{"id": "a", "call": "f"}]')).toBe(false);
    expect(looksLikeCompactPlan('Here is the plan you asked for:')).toBe(false);
    expect(looksLikeCompactPlan('a == b')).toBe(false);
    expect(looksLikeCompactPlan('   ')).toBe(false);
  });
});
