// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ISSUE_CODE_LIST } from '../../src/validate/issues.ts';
import { validatePlan, validatePlanText } from '../../src/validate/validate-plan.ts';
import { registry } from './support.ts';

const CODES = new Set<string>(ISSUE_CODE_LIST);

/** A valid plan: a chain of calls and values, each reading earlier ones, with maps. */
const validPlan = fc
  .array(fc.constantFrom('user', 'orders', 'value', 'map', 'search', 'wait'), {
    minLength: 0,
    maxLength: 12,
  })
  .map((kinds) => {
    const nodes: Array<Record<string, unknown>> = [];
    let lastUser: string | undefined;
    let lastOrders: string | undefined;
    kinds.forEach((kind, i) => {
      const id = `n${i}`;
      if (kind === 'user') {
        nodes.push({
          id,
          call: 'get_user',
          args: { user_id: lastUser ? `\${${lastUser}.id}` : 'u1' },
        });
        lastUser = id;
      } else if (kind === 'orders' && lastUser) {
        nodes.push({ id, call: 'get_orders', args: { user_id: `\${${lastUser}.id}`, limit: 3 } });
        lastOrders = id;
      } else if (kind === 'map' && lastOrders) {
        nodes.push({
          id,
          map: `\${${lastOrders}}`,
          as: 'o',
          do: [{ id: `${id}_x`, value: '${o.total * 2}' }],
        });
      } else if (kind === 'value') {
        nodes.push({
          id,
          value: lastUser ? `\${ {'n': ${lastUser}.name} }` : { a: [1, 'x', null] },
        });
      } else if (kind === 'search') {
        nodes.push({
          id,
          call: 'search',
          args: { q: lastUser ? `name: \${${lastUser}.name}` : 'q' },
        });
      } else nodes.push({ id, wait_ms: 1, ...(lastUser ? { after: [lastUser] } : {}) });
    });
    return { version: 1, nodes };
  });

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

/** Replaces one random spot of a JSON value with something else. */
function mutateAt(value: unknown, path: number[], replacement: unknown, mode: number): unknown {
  if (path.length === 0 || value === null || typeof value !== 'object') {
    return mode === 0 ? replacement : value;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) {
    if (value.length === 0) return mode === 0 ? replacement : value;
    const i = head! % value.length;
    const copy = [...value];
    if (rest.length === 0 && mode === 1) copy.splice(i, 1);
    else copy[i] = mutateAt(copy[i], rest, replacement, mode);
    return copy;
  }
  const keys = Object.keys(value);
  const copy: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  if (keys.length === 0 || (rest.length === 0 && mode === 2)) {
    Object.defineProperty(copy, PROTO_KEYS[head! % PROTO_KEYS.length]!, {
      value: replacement,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    return copy;
  }
  const key = keys[head! % keys.length]!;
  if (rest.length === 0 && mode === 1) delete copy[key];
  else copy[key] = mutateAt(copy[key], rest, replacement, mode);
  return copy;
}

const weird = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(
    '${',
    '${}',
    '${nope.x}',
    '${ {"a": }',
    '$${x}',
    '${n0.zz}',
    'x'.repeat(100_000),
    '${'.repeat(500),
  ),
  fc.constantFrom(-1, 0, 1e308, Number.NaN, Number.POSITIVE_INFINITY, 1.5, -0),
  fc.constant(undefined),
);

function expectWellFormed(r: ReturnType<typeof validatePlan>): void {
  expect(typeof r.valid).toBe('boolean');
  for (const i of r.issues) {
    expect(CODES.has(i.code), i.code).toBe(true);
    expect(typeof i.path).toBe('string');
    expect(i.path === '' || i.path.startsWith('/')).toBe(true);
    expect(i.message.length).toBeGreaterThan(0);
  }
  expect(r.valid).toBe(!r.issues.some((i) => i.severity === 'error'));
  expect(r.issues.some((i) => i.code === 'internal')).toBe(false);
}

describe('validator properties', () => {
  it('accepts valid generated plans', () => {
    fc.assert(
      fc.property(validPlan, (p) => {
        const r = validatePlan(p, registry);
        expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        expectWellFormed(validatePlan(v, registry));
        expectWellFormed(validatePlan({ version: 1, nodes: [v] }, registry));
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on random text', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json().map((j) => j.slice(0, Math.max(1, j.length - 3))),
        ),
        (t) => {
          expectWellFormed(validatePlanText(t, registry));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on mutated plans (deleted keys, swapped types, prototype keys)', () => {
    fc.assert(
      fc.property(
        validPlan,
        fc.array(fc.nat(50), { minLength: 1, maxLength: 6 }),
        weird,
        fc.integer({ min: 0, max: 2 }),
        (p, path, replacement, mode) => {
          const mutated = mutateAt(p, path, replacement, mode);
          expectWellFormed(validatePlan(mutated, registry));
          expectWellFormed(validatePlan(JSON.parse(JSON.stringify(mutated ?? null)), registry));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('never throws on deep nesting, dependency cycles and cyclic objects', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 2, max: 50 }),
        (depth, ring) => {
          let body: unknown[] = [{ id: 'leaf', value: 1 }];
          for (let i = 0; i < depth; i++) body = [{ id: `t${i}`, try: body }];
          expectWellFormed(validatePlan({ version: 1, nodes: body }, registry));
          let raw: unknown = [];
          for (let i = 0; i < depth; i++) raw = [raw];
          expectWellFormed(validatePlan({ version: 1, nodes: raw }, registry));
          const cycle = Array.from({ length: ring }, (_, i) => ({
            id: `c${i}`,
            value: `\${c${(i + 1) % ring}}`,
          }));
          const r = validatePlan({ version: 1, nodes: cycle }, registry);
          expectWellFormed(r);
          expect(r.issues.some((i) => i.code === 'dependency_cycle')).toBe(true);
          const self: Record<string, unknown> = { id: 'a', call: 'search', args: {} };
          (self.args as Record<string, unknown>).q = self;
          expectWellFormed(validatePlan({ version: 1, nodes: [self] }, registry));
        },
      ),
      { numRuns: 30 },
    );
  });
});
