// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import type { ToolRegistry } from '../../src/tool/registry.ts';
import {
  ISSUE_CODE_LIST,
  type IssueCode,
  type ValidateOptions,
  validatePlan,
  validatePlanText,
} from '../../src/validate/index.ts';
import type { ValidationResult } from '../../src/validate/validate-plan.ts';
import { plan, registry } from './support.ts';

/**
 * Every issue code, produced by a plan, at its exact pointer, with a message an LLM can repair
 * the plan from: it says what to change and names what is allowed (tools, fields, types).
 */

interface Case {
  /** The plan (or, with `text`, the reply text). */
  input: unknown;
  text?: boolean;
  options?: ValidateOptions;
  reg?: ToolRegistry;
  path: string;
  /** Substrings the message must contain: the names and types a repair needs. */
  mentions: string[];
  severity?: 'error' | 'warning';
}

const user = { id: 'user', call: 'get_user', args: { user_id: 'u1' } };
const brokenRegistry = {
  get: () => {
    throw new Error('registry exploded');
  },
  names: () => [],
} as unknown as ToolRegistry;

const CASES: Record<IssueCode, Case> = {
  invalid_json: {
    input: '{"version": 1, "nodes": [}',
    text: true,
    path: '',
    mentions: ['JSON'],
  },
  truncated_json: {
    input: '{"version": 1, "nodes": [{"id": "a", "call": "get_user", "args": {"user_id": "u',
    text: true,
    path: '',
    mentions: ['truncated', 'complete plan'],
  },
  extracted_json: {
    input: 'Here is the plan:\n```json\n{"version": 1, "nodes": []}\n```',
    text: true,
    path: '',
    mentions: [],
    severity: 'warning',
  },
  unsupported_version: { input: { version: 3, nodes: [] }, path: '/version', mentions: ['1'] },
  missing_field: {
    input: plan([{ id: 'l', loop: [{ id: 'x', wait_ms: 1 }], while: '${true}' }]),
    path: '/nodes/0/max_iterations',
    mentions: ['max_iterations', 'loop'],
  },
  unknown_field: {
    input: plan([{ ...user, agrs: { user_id: 'u1' } }]),
    path: '/nodes/0/agrs',
    mentions: ['"agrs"', 'args', 'allowed fields'],
  },
  unused_field: {
    input: plan([{ id: 'r', race: [{ id: 'a', wait_ms: 1 }], score: '${1}' }]),
    path: '/nodes/0/score',
    mentions: ['pick', 'best'],
    severity: 'warning',
  },
  wrong_type: {
    input: plan([{ id: 'w', wait_ms: 'soon' }]),
    path: '/nodes/0/wait_ms',
    mentions: ['wait_ms', 'number', '"soon"'],
  },
  out_of_range: {
    input: plan([user], { limits: { max_concurrency: 0 } }),
    path: '/limits/max_concurrency',
    mentions: ['max_concurrency', '0'],
  },
  not_allowed: {
    input: plan([{ id: 'r', race: [{ id: 'a', wait_ms: 1 }], pick: 'fastest' }]),
    path: '/nodes/0/pick',
    mentions: ['"first"', '"best"', '"fastest"'],
  },
  invalid_id: {
    input: plan([{ ...user, id: 'get-user' }]),
    path: '/nodes/0/id',
    mentions: ['get_user', 'letters, digits'],
  },
  duplicate_id: {
    input: plan([user, { ...user, args: { user_id: 'u2' } }]),
    path: '/nodes/1/id',
    mentions: ['"user"', '/nodes/0'],
  },
  reserved_id: {
    input: plan([{ id: 'input', value: 1 }]),
    path: '/nodes/0/id',
    mentions: ['input_1'],
  },
  no_node_kind: {
    input: plan([{ id: 'a', tool: 'get_user', args: { user_id: 'u1' } }]),
    path: '/nodes/0',
    mentions: ['"call"', 'map', 'paginate'],
  },
  multiple_node_kinds: {
    input: plan([{ ...user, value: 1 }]),
    path: '/nodes/0/value',
    mentions: ['"call"', '"value"', 'split'],
  },
  empty_body: {
    input: plan([{ id: 't', try: [] }]),
    path: '/nodes/0/try',
    mentions: ['"try"', 'empty'],
  },
  default_case_not_last: {
    input: plan([
      {
        id: 's',
        switch: [
          { do: [{ id: 'a', wait_ms: 1 }] },
          { when: '${true}', do: [{ id: 'b', wait_ms: 1 }] },
        ],
      },
    ]),
    path: '/nodes/0/switch/0',
    mentions: ['"when"', 'last'],
  },
  unknown_error_name: {
    input: plan([{ ...user, retry: { attempts: 2, on: ['TimeOut'] } }]),
    path: '/nodes/0/retry/on/0',
    mentions: ['"Timeout"', 'ToolError'],
    severity: 'warning',
  },
  unknown_tool: {
    input: plan([{ id: 'u', call: 'get_usr', args: { user_id: 'u1' } }]),
    path: '/nodes/0/call',
    mentions: ['"get_user"', 'Known tools', 'get_orders'],
  },
  missing_argument: {
    input: plan([{ id: 'o', call: 'get_orders', args: { limit: 2 } }]),
    path: '/nodes/0/args/user_id',
    mentions: ['get_orders', '"user_id"', 'string'],
  },
  unknown_argument: {
    input: plan([{ id: 'o', call: 'get_orders', args: { user_id: 'u', max: 2 } }]),
    path: '/nodes/0/args/max',
    mentions: ['"max"', 'user_id', 'limit', 'status'],
  },
  arg_wrong_type: {
    input: plan([{ id: 'c', call: 'charge_card', args: { amount: 'ten' } }]),
    path: '/nodes/0/args/amount',
    mentions: ['amount', 'charge_card', 'number'],
  },
  arg_not_allowed: {
    input: plan([{ id: 'o', call: 'get_orders', args: { user_id: 'u', status: 'pending' } }]),
    path: '/nodes/0/args/status',
    mentions: ['status', 'open', 'closed'],
  },
  arg_out_of_range: {
    input: plan([{ id: 'o', call: 'get_orders', args: { user_id: 'u', limit: 0 } }]),
    path: '/nodes/0/args/limit',
    mentions: ['limit', '1'],
  },
  expression_syntax: {
    input: plan([{ id: 'v', value: '${1 +}' }]),
    path: '/nodes/0/value',
    mentions: ['1 +'],
  },
  expression_type: {
    input: plan([user, { id: 'v', value: '${user.name + 1}' }]),
    path: '/nodes/1/value',
    mentions: ['user.name + 1', 'string('],
  },
  no_such_field: {
    input: plan([user, { id: 'v', value: '${user.mail}' }]),
    path: '/nodes/1/value',
    mentions: ['"mail"', 'get_user', 'id, name, age, verified, address'],
  },
  unresolved_reference: {
    input: plan([user, { id: 'v', value: '${usr.name}' }]),
    path: '/nodes/1/value',
    mentions: ['"usr"', 'in scope: input, user', 'Did you mean "user"'],
  },
  unknown_after: {
    input: plan([user, { id: 'v', after: ['usr'], value: 1 }]),
    path: '/nodes/1/after/0',
    mentions: ['"usr"'],
  },
  enclosing_reference: {
    input: plan([{ id: 'm', map: [1], do: [{ id: 'x', value: '${m}' }] }]),
    path: '/nodes/0/do/0/value',
    mentions: ['"m"'],
  },
  dependency_cycle: {
    input: plan([
      { id: 'a', value: '${b}' },
      { id: 'b', value: '${a}' },
    ]),
    path: '/nodes/0',
    mentions: ['a', 'b', '->'],
  },
  shadowed_name: {
    input: plan([
      { id: 'index', value: 1 },
      { id: 'm', map: [1], do: [{ id: 'x', value: '${index}' }] },
    ]),
    path: '/nodes/1/do/0/value',
    mentions: ['"index"', '/nodes/0', 'rename'],
    severity: 'warning',
  },
  not_boolean: {
    input: plan([user, { id: 'w', if: '${user.age}', wait_ms: 1 }]),
    path: '/nodes/1/if',
    mentions: ['boolean', 'a number', '> 0'],
  },
  not_a_list: {
    input: plan([user, { id: 'm', map: '${user.name}', do: [{ id: 'x', value: 1 }] }]),
    path: '/nodes/1/map',
    mentions: ['list', 'a string'],
  },
  not_a_number: {
    input: plan([
      { id: 'r', race: [{ id: 'a', wait_ms: 1 }], pick: 'best', score: '${result == null}' },
    ]),
    path: '/nodes/0/score',
    mentions: ['number', 'a boolean'],
  },
  too_many_nodes: {
    input: plan(Array.from({ length: 5 }, (_, i) => ({ id: `w${i}`, wait_ms: 1 }))),
    options: { maxNodes: 3 },
    path: '/nodes',
    mentions: ['5', '3', 'map'],
  },
  too_deep: {
    input: plan([
      { id: 't0', try: [{ id: 't1', try: [{ id: 't2', try: [{ id: 'x', value: 1 }] }] }] },
    ]),
    options: { maxDepth: 2 },
    path: '/nodes/0/try/0/try/0',
    mentions: ['3', '2', 'Flatten'],
  },
  too_many_items: {
    input: {
      ...(plan([{ id: 'm', map: [1, 2, 3], do: [{ id: 'v', value: '${item}' }] }]) as object),
      limits: { max_items: 2 },
    },
    path: '/nodes/0/map',
    mentions: ['3 items', 'max_items (2)', 'limits.max_items'],
  },
  limit_exceeded: {
    input: plan([
      { id: 'l', loop: [{ id: 'x', wait_ms: 1 }], while: '${true}', max_iterations: 99 },
    ]),
    options: { maxIterations: 10 },
    path: '/nodes/0/max_iterations',
    mentions: ['99', '10'],
  },
  too_many_issues: {
    input: plan(Array.from({ length: 4 }, (_, i) => ({ id: `n${i}`, call: 'nope' }))),
    options: { maxIssues: 2 },
    path: '',
    mentions: ['2 more'],
    severity: 'warning',
  },
  value_too_deep: {
    input: plan([{ id: 'v', value: JSON.parse(`${'['.repeat(70)}${']'.repeat(70)}`) }]),
    path: `/nodes/0/value${'/0'.repeat(64)}`,
    mentions: ['64', 'flatten'],
  },
  comprehension_too_nested: {
    input: plan([{ id: 'v', value: '${[1].map(a, [1].map(b, [1].map(c, [1].map(d, d))))}' }]),
    path: '/nodes/0/value',
    mentions: ['4 comprehensions', 'at most 3', 'map node'],
  },
  expression_too_costly: {
    input: plan([
      {
        id: 'v',
        value: `\${cel.bind(a, [${'1,'.repeat(99)}1], cel.bind(b, [${'a,'.repeat(99)}a], [${'b,'.repeat(99)}b]))}`,
      },
    ]),
    path: '/nodes/0/value',
    mentions: ['builds a value', '1000000'],
  },
  invalid_regex: {
    input: plan([{ id: 'v', value: "${'ab'.matches('a(?=b)')}" }]),
    path: '/nodes/0/value',
    mentions: ['RE2', '"a(?=b)"'],
  },
  internal: {
    input: plan([user]),
    reg: brokenRegistry,
    path: '',
    mentions: ['registry exploded', 'bug in toolplan'],
  },
};

function validate(c: Case): ValidationResult {
  const reg = c.reg ?? registry;
  return c.text
    ? validatePlanText(c.input as string, reg, c.options)
    : validatePlan(c.input, reg, c.options);
}

describe('every issue code has a plan that produces it', () => {
  it('the table covers every code', () => {
    expect(Object.keys(CASES).sort()).toEqual([...ISSUE_CODE_LIST].sort());
  });

  it.each(ISSUE_CODE_LIST)('%s', (code) => {
    const c = CASES[code];
    const r = validate(c);
    const hit = r.issues.find((i) => i.code === code && i.path === c.path);
    expect(hit, `no ${code} at ${c.path}: ${JSON.stringify(r.issues, null, 1)}`).toBeDefined();
    expect(hit!.severity).toBe(c.severity ?? 'error');
    for (const m of c.mentions) expect(hit!.message).toContain(m);
    // A message says something of its own: not just the code, never a stack or [object].
    expect(hit!.message.length).toBeGreaterThan(10);
    expect(hit!.message).not.toMatch(/\[object |undefined|\n\s+at /);
    // Only warnings: the plan stays valid; any error: it does not.
    expect(r.valid).toBe(r.issues.every((i) => i.severity === 'warning'));
  });
});

describe('messages point at the fix', () => {
  it('an unknown tool with no close name still lists the known tools', () => {
    const r = validatePlan(plan([{ id: 'x', call: 'zzzzzzzz', args: {} }]), registry);
    const i = r.issues.find((x) => x.code === 'unknown_tool')!;
    expect(i.message).not.toContain('Did you mean');
    for (const name of ['get_user', 'search', 'refund']) expect(i.message).toContain(name);
  });

  it('a wrong-typed expression argument says which conversion to write', () => {
    const r = validatePlan(
      plan([user, { id: 'o', call: 'get_orders', args: { user_id: '${user.age}' } }]),
      registry,
    );
    const i = r.issues.find((x) => x.code === 'arg_wrong_type')!;
    expect(i.path).toBe('/nodes/1/args/user_id');
    expect(i.message).toContain('string(...)');
    expect(i.message).toContain('a number');
  });

  it('a string where a number is wanted suggests double() or int()', () => {
    const r = validatePlan(
      plan([user, { id: 'c', call: 'charge_card', args: { amount: '${user.name}' } }]),
      registry,
    );
    const i = r.issues.find((x) => x.code === 'arg_wrong_type')!;
    expect(i.message).toContain('double(...) or int(...)');
  });

  it('a reference to a node inside another body says where it is and why it cannot be seen', () => {
    const r = validatePlan(
      plan([
        { id: 'm', map: [1], do: [{ id: 'inner', value: 1 }] },
        { id: 'v', value: '${inner}' },
      ]),
      registry,
    );
    const i = r.issues.find((x) => x.code === 'unresolved_reference')!;
    expect(i.message).toContain('/nodes/0/do/0');
    expect(i.message).toContain('body');
  });

  it('an unknown name lists what is visible there: outer ids and locals, not the enclosing nodes', () => {
    const r = validatePlan(
      plan([
        user,
        {
          id: 'm',
          map: [1],
          as: 'order',
          do: [
            { id: 'price', value: 1 },
            { id: 'x', value: '${ordr.total + price}' },
          ],
        },
      ]),
      registry,
    );
    const i = r.issues.find((x) => x.code === 'unresolved_reference')!;
    expect(i.path).toBe('/nodes/1/do/1/value');
    expect(i.message).toContain('in scope: index, input, order, price, user.');
    expect(i.message).toContain('Did you mean "order"?');
  });

  it('a plan that is an array of nodes is told to put them in "nodes"', () => {
    const r = validatePlan([user], registry);
    expect(r.issues[0]!.message).toContain('"nodes"');
  });

  it('a missing paginate field explains what it holds', () => {
    const r = validatePlan(
      plan([
        {
          id: 'p',
          paginate: { call: 'list_orders', args: {} },
          next: '${page.next_cursor}',
          max_pages: 3,
        },
      ]),
      registry,
    );
    const i = r.issues.find((x) => x.code === 'missing_field' && x.path === '/nodes/0/items')!;
    expect(i.message).toContain('page.items');
  });

  it('every issue of a badly broken plan is at a pointer that exists in the plan', () => {
    const bad = plan([
      { id: 'a b', call: 'get_usr', args: { user_id: 1 } },
      { id: 'v', value: '${a.name + 1}', wait_ms: 2 },
      { id: 'o', call: 'get_orders', args: { user_id: '${user.age}', extra: 1 } },
      { id: 'l', loop: [], while: 'true' },
    ]);
    const r = validatePlan(bad, registry);
    expect(r.valid).toBe(false);
    for (const i of r.issues) {
      if (i.path === '') continue;
      // Walk the pointer: every segment but a missing last one must exist.
      const segs = i.path.split('/').slice(1);
      let v: unknown = bad;
      segs.forEach((s, k) => {
        const next = (v as Record<string, unknown>)?.[s];
        if (k < segs.length - 1) expect(next, `${i.code} at ${i.path}`).toBeDefined();
        v = next;
      });
    }
  });
});
