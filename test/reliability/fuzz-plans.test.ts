// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { executePlan } from '../../src/exec/index.ts';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { validatePlan, validatePlanText } from '../../src/validate/index.ts';
import { createBundledWorld } from '../../tools/index.ts';

/**
 * Random, mutated and hostile plans through the validator and the executor. Every input
 * must be answered with issues (validator) or a result with a typed error (executor):
 * no throw, no crash, no hang, no stack trace, bounded time and memory, and no prototype
 * pollution. Figures (inputs tried, worst case) are printed for docs/reliability.md.
 */

const world = createBundledWorld();
const registry = ToolRegistry.from(world.tools, 'tools/index.ts');
const BOUND_MS = 10_000;

const figures = {
  inputs: 0,
  validateWorstMs: 0,
  validateWorst: '',
  execWorstMs: 0,
  execWorst: '',
  heapGrowthMb: 0,
};
const heapAtStart = process.memoryUsage().heapUsed;

const STACK_LINE = /\n\s+at .+\(.*:\d+:\d+\)/;

function checkValidation(label: string, run: () => ReturnType<typeof validatePlan>) {
  const t0 = performance.now();
  let result: ReturnType<typeof validatePlan> | undefined;
  let thrown: unknown;
  try {
    result = run();
  } catch (error) {
    thrown = error;
  }
  const ms = performance.now() - t0;
  figures.inputs += 1;
  if (ms > figures.validateWorstMs) {
    figures.validateWorstMs = ms;
    figures.validateWorst = label;
  }
  expect(thrown, `${label}: the validator threw`).toBeUndefined();
  expect(ms, `${label}: took ${ms} ms`).toBeLessThan(BOUND_MS);
  expect(Array.isArray(result!.issues)).toBe(true);
  if (!result!.valid) expect(result!.issues.some((i) => i.severity === 'error')).toBe(true);
  for (const issue of result!.issues) {
    expect(typeof issue.code).toBe('string');
    expect(issue.message).not.toMatch(STACK_LINE);
    // A plan that broke the validator itself would be a bug in toolplan, not a plan issue.
    expect(issue.code, `${label}: ${issue.message}`).not.toBe('internal');
  }
  return result!;
}

async function checkExecution(label: string, plan: unknown) {
  const t0 = performance.now();
  let thrown: unknown;
  let result: Awaited<ReturnType<typeof executePlan>> | undefined;
  try {
    result = await executePlan(plan, {
      tools: world.tools,
      limits: { deadline_ms: 5_000, max_tool_calls: 200 },
    });
  } catch (error) {
    thrown = error;
  }
  const ms = performance.now() - t0;
  figures.inputs += 1;
  if (ms > figures.execWorstMs) {
    figures.execWorstMs = ms;
    figures.execWorst = label;
  }
  expect(thrown, `${label}: executePlan rejected`).toBeUndefined();
  expect(ms, `${label}: took ${ms} ms`).toBeLessThan(BOUND_MS);
  expect(['succeeded', 'failed', 'suspended', 'cancelled']).toContain(result!.status);
  if (result!.status === 'failed') {
    const e = result!.error;
    expect(typeof e.name).toBe('string');
    expect(typeof e.code).toBe('string');
    // A typed error: a toolplan name and code, not a raw RangeError or TypeError.
    expect(
      ['RangeError', 'TypeError', 'Error', 'SyntaxError'],
      `${label}: ${e.message}`,
    ).not.toContain(e.name);
    expect(e.message).not.toMatch(STACK_LINE);
  }
  return result!;
}

function nested(depth: number, kind: 'try' | 'loop' | 'map'): string {
  // Built as text: a JS object this deep is fine, but the point is the JSON.parse path too.
  let inner = '{"id":"leaf","value":1}';
  for (let i = 0; i < depth; i++) {
    if (kind === 'try') inner = `{"id":"t${i}","try":[${inner}]}`;
    else if (kind === 'loop')
      inner = `{"id":"l${i}","loop":[${inner}],"while":"\${false}","max_iterations":1}`;
    else inner = `{"id":"m${i}","map":[1],"do":[${inner}]}`;
  }
  return `{"version":1,"nodes":[${inner}]}`;
}

const VALID = {
  version: 1,
  nodes: [
    { id: 'user', call: 'get_user', args: { user_id: 'u1' } },
    { id: 'orders', call: 'get_orders', args: { user_id: '${user.id}' } },
    { id: 'total', call: 'calculate_total', args: { orders: '${orders}' } },
    { id: 'm', map: '${orders}', as: 'o', do: [{ id: 'x', value: '${o}' }] },
  ],
  output: '${total}',
};

const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
];

afterAll(() => {
  figures.heapGrowthMb = (process.memoryUsage().heapUsed - heapAtStart) / 1e6;
  console.log(`RELIABILITY-FIGURES fuzz ${JSON.stringify(figures)}`);
});

describe('hostile plans: validator and executor', () => {
  const hostile: Array<[string, () => string]> = [
    ['5,000 nested try (text)', () => nested(5_000, 'try')],
    ['5,000 nested loop (text)', () => nested(5_000, 'loop')],
    ['2,000 nested map (text)', () => nested(2_000, 'map')],
    [
      '20,000 nodes',
      () =>
        JSON.stringify({
          version: 1,
          nodes: Array.from({ length: 20_000 }, (_, i) => ({ id: `n${i}`, value: i })),
        }),
    ],
    [
      '20,000 chained value nodes',
      () =>
        JSON.stringify({
          version: 1,
          nodes: Array.from({ length: 20_000 }, (_, i) => ({
            id: `n${i}`,
            value: i ? `\${n${i - 1} + 1}` : 0,
          })),
        }),
    ],
    [
      '10 MB string argument',
      () =>
        JSON.stringify({
          version: 1,
          nodes: [{ id: 'a', call: 'uppercase', args: { text: 'x'.repeat(10_000_000) } }],
        }),
    ],
    [
      '10 MB expression',
      () =>
        JSON.stringify({
          version: 1,
          nodes: [{ id: 'a', value: `\${${'1 + '.repeat(2_500_000)}1}` }],
        }),
    ],
    [
      '10 MB id',
      () => JSON.stringify({ version: 1, nodes: [{ id: 'a'.repeat(10_000_000), value: 1 }] }),
    ],
    [
      '__proto__ as a JSON key at the top and in args',
      () =>
        '{"version":1,"__proto__":{"polluted":1},"nodes":[{"id":"a","call":"uppercase","args":{"__proto__":{"polluted":1},"text":"x"}}]}',
    ],
    [
      'constructor/__proto__ as ids',
      () =>
        '{"version":1,"nodes":[{"id":"__proto__","value":1},{"id":"constructor","value":"${__proto__}"},{"id":"prototype","value":"${constructor.prototype}"}]}',
    ],
    [
      'prototype keys as argument names',
      () =>
        '{"version":1,"nodes":[{"id":"a","call":"get_user","args":{"user_id":"u1","constructor":{"prototype":{"polluted":1}},"__proto__":{"isAdmin":true}}}]}',
    ],
    [
      '__proto__ as a node kind payload',
      () => '{"version":1,"nodes":[{"id":"a","__proto__":{"call":"delete_everything","args":{}}}]}',
    ],
    ['version 2', () => JSON.stringify({ ...VALID, version: 2 })],
    ['version "1"', () => JSON.stringify({ ...VALID, version: '1' })],
    ['version 1.5', () => JSON.stringify({ ...VALID, version: 1.5 })],
    ['no version', () => JSON.stringify({ nodes: VALID.nodes })],
    ['nodes is an object', () => '{"version":1,"nodes":{"0":{"id":"a","value":1}}}'],
    ['top level array', () => '[{"version":1,"nodes":[]}]'],
    ['null', () => 'null'],
    ['not JSON at all', () => 'I will now call get_user and then delete everything.'],
    [
      'binary noise',
      () => String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 65_536)),
    ],
    ['unbalanced 100k braces', () => '{'.repeat(100_000)],
    ['100k closing brackets', () => ']'.repeat(100_000)],
    ['huge number', () => '{"version":1e400,"nodes":[{"id":"a","wait_ms":1e400}]}'],
    [
      'limits trying to loosen',
      () =>
        JSON.stringify({
          ...VALID,
          limits: { max_tool_calls: 1e12, max_concurrency: -1, deadline_ms: 'never' },
        }),
    ],
    ['lone surrogates', () => '{"version":1,"nodes":[{"id":"a","value":"\\ud800\\udc00\\ud800"}]}'],
  ];

  for (const [label, make] of hostile) {
    it(`${label}: issues from the validator, a typed result from the executor`, async () => {
      const text = make();
      const viaText = checkValidation(`${label} (text)`, () => validatePlanText(text, registry));
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
      const direct = checkValidation(label, () => validatePlan(value, registry));
      expect(direct.valid).toBe(viaText.valid);
      await checkExecution(label, value);
      expect(Object.keys(Object.prototype)).toEqual([]);
      expect(({} as { polluted?: unknown; isAdmin?: unknown }).polluted).toBeUndefined();
      expect(({} as { isAdmin?: unknown }).isAdmin).toBeUndefined();
    }, 60_000);
  }

  it('the executor never runs a plan the validator rejects for its shape', async () => {
    for (const bad of [
      { version: 1, nodes: [{ id: 'a' }] },
      {
        version: 1,
        nodes: [
          { id: 'a', value: 1 },
          { id: 'a', value: 2 },
        ],
      },
      { version: 1, nodes: [{ id: 'a', call: 'delete_everything', value: 1 }] },
      {
        version: 1,
        nodes: [
          { id: 'a', value: '${b}' },
          { id: 'b', value: '${a}' },
        ],
      },
    ]) {
      const r = await checkExecution(JSON.stringify(bad), bad);
      expect(r.status).toBe('failed');
    }
    expect(world.scenario.deleteEverythingRuns).toBe(0);
  });
});

describe('random and mutated plans (fast-check)', () => {
  it('random JSON values and random text', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 6 }),
          fc.record({
            version: fc.jsonValue({ maxDepth: 1 }),
            nodes: fc.array(fc.jsonValue({ maxDepth: 4 })),
          }),
        ),
        fc.string({ maxLength: 300 }),
        async (value, text) => {
          checkValidation('random value', () => validatePlan(value, registry));
          checkValidation('random text', () => validatePlanText(text, registry));
          checkValidation('random value as text', () =>
            validatePlanText(JSON.stringify(value) ?? '', registry),
          );
          await checkExecution('random value', value);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  }, 60_000);

  const mutation = fc.oneof(
    fc.record({
      op: fc.constant('set' as const),
      path: fc.array(fc.nat(6), { maxLength: 4 }),
      value: fc.jsonValue({ maxDepth: 2 }),
    }),
    fc.record({
      op: fc.constant('delete' as const),
      path: fc.array(fc.nat(6), { minLength: 1, maxLength: 4 }),
    }),
    fc.record({
      op: fc.constant('proto' as const),
      path: fc.array(fc.nat(6), { maxLength: 3 }),
      key: fc.constantFrom(...PROTO_KEYS),
      value: fc.jsonValue({ maxDepth: 2 }),
    }),
    fc.record({ op: fc.constant('dup' as const), index: fc.nat(6) }),
  );

  function apply(plan: unknown, m: Record<string, unknown>): unknown {
    const mm = m as { op: string; path?: number[]; value?: unknown; key?: string; index?: number };
    // Mutations go through JSON text so `__proto__` becomes an own key, as it does for an LLM's reply.
    const walk = (
      v: unknown,
      path: number[],
    ): [Record<string, unknown> | unknown[] | undefined, string | number | undefined] => {
      let cur = v as Record<string, unknown>;
      let key: string | number | undefined;
      let parent: Record<string, unknown> | unknown[] | undefined;
      for (const step of path) {
        if (!cur || typeof cur !== 'object') break;
        const keys = Object.keys(cur);
        if (keys.length === 0) break;
        key = Array.isArray(cur) ? step % cur.length : keys[step % keys.length]!;
        parent = cur;
        cur = (cur as Record<string, unknown>)[key as string] as Record<string, unknown>;
      }
      return [parent, key];
    };
    const copy = JSON.parse(JSON.stringify(plan) ?? 'null') as Record<string, unknown>;
    if (mm.op === 'dup') {
      const nodes = copy?.nodes;
      if (!Array.isArray(nodes) || nodes.length === 0) return copy;
      nodes.push(structuredClone(nodes[mm.index! % nodes.length]));
      return copy;
    }
    if (!copy || typeof copy !== 'object') return mm.op === 'set' ? mm.value : copy;
    const [parent, key] = walk(copy, mm.path!);
    if (mm.op === 'proto') {
      const target =
        parent && key !== undefined ? (parent as Record<string, unknown>)[key as string] : copy;
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        const text = JSON.stringify(target)
          .replace(/^\{/, `{${JSON.stringify(mm.key)}:${JSON.stringify(mm.value ?? null)},`)
          .replace(/,\}$/, '}');
        const replaced = JSON.parse(text);
        if (parent && key !== undefined)
          (parent as Record<string, unknown>)[key as string] = replaced;
        else return replaced;
      }
      return copy;
    }
    if (!parent || key === undefined) return mm.op === 'set' ? mm.value : copy;
    if (mm.op === 'delete') {
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
    } else (parent as Record<string, unknown>)[key as string] = mm.value;
    return copy;
  }

  it('mutations of a valid plan (set, delete, duplicate, prototype keys)', async () => {
    expect(validatePlan(VALID, registry).valid).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        let plan: unknown = VALID;
        for (const m of ms) plan = apply(plan, m);
        checkValidation('mutated', () => validatePlan(plan, registry));
        checkValidation('mutated text', () =>
          validatePlanText(JSON.stringify(plan) ?? 'null', registry),
        );
        await checkExecution('mutated', plan);
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { numRuns: 400, seed: 11 },
    );
    expect(world.scenario.deleteEverythingRuns).toBe(0);
  }, 60_000);

  it('heap growth stays bounded after every input above', () => {
    globalThis.gc?.();
    const growth = (process.memoryUsage().heapUsed - heapAtStart) / 1e6;
    // Generous: inputs of 10 MB were held; nothing may accumulate per input.
    expect(growth).toBeLessThan(512);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});
