// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plan strings hold ${ } expressions on purpose
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  NODE_KIND_KEYS,
  NODE_KINDS,
  Node,
  nodeKind,
  PLAN_VERSION,
  Plan,
  type PlanNode,
  planJsonSchema,
  RetrySpec,
} from '../../src/plan/plan-schema.ts';

const seeds = JSON.parse(
  readFileSync(new URL('../fixtures/plans/seed-patterns.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

const base = (nodes: unknown[], extra: Record<string, unknown> = {}) => ({
  version: 1,
  nodes,
  ...extra,
});

function fails(value: unknown): string[] {
  const r = Plan.safeParse(value);
  expect(r.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('/'));
}

describe('Plan: the seed patterns of the plan format', () => {
  it.each(Object.keys(seeds))('%s parses and keeps every field', (name) => {
    const r = Plan.safeParse(seeds[name]);
    expect(r.success, r.success ? '' : JSON.stringify(r.error.issues)).toBe(true);
    if (r.success) expect(r.data).toEqual(seeds[name]);
  });

  it('the fixture covers every node kind', () => {
    const kinds = new Set<string>();
    const walk = (nodes: PlanNode[]) => {
      for (const n of nodes) {
        kinds.add(nodeKind(n));
        const r = n as Record<string, unknown>;
        for (const key of ['do', 'race', 'loop', 'try', 'catch', 'finally'])
          if (Array.isArray(r[key])) walk(r[key] as PlanNode[]);
        if (Array.isArray(r.switch))
          for (const c of r.switch as Array<{ do: PlanNode[] }>) walk(c.do);
      }
    };
    for (const plan of Object.values(seeds)) walk(Plan.parse(plan).nodes);
    expect([...kinds].sort()).toEqual([...NODE_KIND_KEYS].sort());
  });
});

describe('Plan: bad shapes fail', () => {
  it('needs version 1 exactly', () => {
    expect(PLAN_VERSION).toBe(1);
    expect(fails({ nodes: [] })).toContain('version');
    expect(fails({ version: 2, nodes: [] })).toContain('version');
    expect(fails({ version: '1', nodes: [] })).toContain('version');
  });

  it('rejects unknown top-level fields and a missing nodes list', () => {
    expect(fails({ version: 1 })).toContain('nodes');
    fails({ version: 1, nodes: [], extra: true });
    fails({ version: 1, nodes: {} });
  });

  it.each([
    ['a bad id', { id: '1abc', value: 1 }],
    ['an id with a dash', { id: 'a-b', value: 1 }],
    ['an id over 64 chars', { id: `a${'b'.repeat(64)}`, value: 1 }],
    ['no id', { call: 'x' }],
    ['no kind', { id: 'a' }],
    ['an unknown field', { id: 'a', call: 'x', argz: {} }],
    ['args not an object', { id: 'a', call: 'x', args: [] }],
    ['an empty call name', { id: 'a', call: '' }],
    ['two kinds', { id: 'a', call: 'x', value: 1 }],
    ['a map without do', { id: 'a', map: '${xs}' }],
    ['a map with an empty body', { id: 'a', map: '${xs}', do: [] }],
    ['a map with concurrency 0', { id: 'a', map: [], do: [{ id: 'b', value: 1 }], concurrency: 0 }],
    ['a map tolerating over 1', { id: 'a', map: [], do: [{ id: 'b', value: 1 }], tolerate: 2 }],
    ['a map with a bad as', { id: 'a', map: [], as: 'x y', do: [{ id: 'b', value: 1 }] }],
    ['a loop without max_iterations', { id: 'a', loop: [{ id: 'b', value: 1 }], while: '${true}' }],
    ['a loop without while', { id: 'a', loop: [{ id: 'b', value: 1 }], max_iterations: 3 }],
    [
      'a paginate without next',
      { id: 'a', paginate: { call: 'x' }, items: '${page}', max_pages: 2 },
    ],
    [
      'a paginate with extra call fields',
      { id: 'a', paginate: { call: 'x', retry: {} }, next: '${n}', items: '${i}', max_pages: 2 },
    ],
    ['a race with a bad pick', { id: 'a', race: [{ id: 'b', value: 1 }], pick: 'last' }],
    ['an empty switch', { id: 'a', switch: [] }],
    ['a switch case without do', { id: 'a', switch: [{ when: '${x}' }] }],
    ['a negative wait', { id: 'a', wait_ms: -1 }],
    ['a fractional wait', { id: 'a', wait_ms: 1.5 }],
    ['an empty emit topic', { id: 'a', emit: '' }],
    ['retry attempts 0', { id: 'a', call: 'x', retry: { attempts: 0 } }],
    ['retry with an unknown key', { id: 'a', call: 'x', retry: { tries: 3 } }],
    ['retry factor below 1', { id: 'a', call: 'x', retry: { factor: 0.5 } }],
    ['a bad jitter', { id: 'a', call: 'x', retry: { jitter: 'half' } }],
    ['timeout 0', { id: 'a', call: 'x', timeout_ms: 0 }],
    ['after with a bad id', { id: 'a', call: 'x', after: ['not ok'] }],
    ['if not a string', { id: 'a', call: 'x', if: true }],
    [
      'a fallback alt with both call and value',
      { id: 'a', call: 'x', fallback: [{ call: 'y', value: 1 }] },
    ],
    ['a compensate without call', { id: 'a', call: 'x', compensate: { args: {} } }],
    ['approval not a boolean', { id: 'a', call: 'x', approval: 'yes' }],
    ['a bad nested body node', { id: 'a', try: [{ id: 'b' }] }],
  ])('rejects %s', (_label, node) => {
    fails(base([node]));
  });

  it('rejects bad limits and final', () => {
    fails(base([], { limits: { max_concurrency: 0 } }));
    fails(base([], { limits: { deadline_ms: 1.5 } }));
    fails(base([], { limits: { budget: 1 } }));
    fails(base([], { final: 'yes' }));
    expect(Plan.safeParse(base([], { limits: { max_tool_calls: 0 } })).success).toBe(true);
  });

  it('accepts optional fields on every node kind', () => {
    const common = {
      after: ['x'],
      if: '${true}',
      timeout_ms: 10,
      retry: { attempts: 2 },
      description: 'd',
    };
    const nodes = [
      { id: 'x', value: 1 },
      { id: 'a', call: 't', ...common },
      { id: 'b', value: { k: '${x}' }, ...common },
      { id: 'c', wait_ms: 0, ...common },
      { id: 'd', emit: 't', ...common },
      { id: 'e', fail: 'm', ...common },
    ];
    expect(Plan.safeParse(base(nodes)).success).toBe(true);
  });

  it('RetrySpec accepts the documented full form', () => {
    const full = {
      attempts: 3,
      delay_ms: 200,
      factor: 2,
      max_delay_ms: 10000,
      jitter: 'full',
      on: ['ToolError', 'Timeout'],
    };
    expect(RetrySpec.parse(full)).toEqual(full);
  });

  it('never throws on random JSON: safeParse always answers (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const r = Plan.safeParse(v);
        expect(typeof r.success).toBe('boolean');
        Node.safeParse(v);
      }),
      { numRuns: 500 },
    );
  });
});

describe('nodeKind', () => {
  it('names the kind key of each node', () => {
    const samples: Array<[PlanNode, string]> = [
      [{ id: 'a', call: 't' }, 'call'],
      [{ id: 'a', value: 0 }, 'value'],
      [{ id: 'a', value: null } as PlanNode, 'value'],
      [{ id: 'a', map: [], do: [] }, 'map'],
      [{ id: 'a', race: [] }, 'race'],
      [{ id: 'a', switch: [] }, 'switch'],
      [{ id: 'a', loop: [], while: '', max_iterations: 1 }, 'loop'],
      [{ id: 'a', paginate: { call: 't' }, next: '', items: '', max_pages: 1 }, 'paginate'],
      [{ id: 'a', try: [] }, 'try'],
      [{ id: 'a', wait_ms: 0 }, 'wait_ms'],
      [{ id: 'a', emit: 't' }, 'emit'],
      [{ id: 'a', fail: 'm' }, 'fail'],
    ];
    for (const [node, kind] of samples) expect(nodeKind(node)).toBe(kind);
  });

  it('throws on a node with no kind', () => {
    expect(() => nodeKind({ id: 'a' } as PlanNode)).toThrow('node has no kind');
  });

  it('NODE_KINDS has one schema per documented kind', () => {
    expect(NODE_KIND_KEYS).toEqual([
      'call',
      'value',
      'map',
      'race',
      'switch',
      'loop',
      'paginate',
      'try',
      'wait_ms',
      'emit',
      'fail',
    ]);
    for (const key of NODE_KIND_KEYS) expect(typeof NODE_KINDS[key].safeParse).toBe('function');
  });
});

describe('planJsonSchema', () => {
  const schema = planJsonSchema();

  it('is a JSON object with $defs that survives a JSON round trip', () => {
    expect(schema.type).toBe('object');
    expect(schema.$defs).toBeTypeOf('object');
    expect(Object.keys(schema.$defs as object).length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
    expect((schema.required as string[]).sort()).toEqual(['nodes', 'version']);
  });

  it('mentions every node kind and the plan fields', () => {
    const text = JSON.stringify(schema);
    for (const key of NODE_KIND_KEYS) expect(text).toContain(`"${key}"`);
    for (const key of [
      'goal',
      'output',
      'limits',
      'final',
      'max_iterations',
      'fallback',
      'compensate',
    ])
      expect(text).toContain(`"${key}"`);
  });

  it('every $ref points at an existing definition', () => {
    const defs = schema.$defs as Record<string, unknown>;
    const refs = [...JSON.stringify(schema).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      if (ref === '#') continue;
      expect(ref.startsWith('#/$defs/'), ref).toBe(true);
      expect(defs[ref.slice('#/$defs/'.length)], ref).toBeDefined();
    }
  });

  it('is cached', () => {
    expect(planJsonSchema()).toBe(schema);
  });
});
