// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ToolRegistry } from '../../src/tool/registry.ts';
import { ISSUE_CODE_LIST, ISSUE_CODES } from '../../src/validate/issues.ts';
import { validatePlan } from '../../src/validate/validate-plan.ts';
import { errorsOf, issueAt, plan, registry } from './support.ts';

const user = { id: 'user', call: 'get_user', args: { user_id: 'u1' } };

describe('validatePlan: valid plans', () => {
  it('accepts the seed patterns of the plan format', () => {
    const p = plan(
      [
        user,
        { id: 'orders', call: 'get_orders', args: { user_id: '${user.id}', limit: 5 } },
        { id: 'total', call: 'calculate_total', args: { orders: '${orders}' } },
        { id: 'summary', value: "${ {'name': user.name, 'n': size(orders)} }" },
        {
          id: 'per',
          map: '${orders}',
          as: 'o',
          concurrency: 4,
          do: [{ id: 'doubled', value: '${o.total * 2 + index}' }],
        },
        { id: 'sum', value: '${sum(per)}' },
        {
          id: 'job',
          loop: [{ id: 'st', call: 'job_status', args: { job: 'j1' } }],
          while: "${st.state != 'done' && iteration < 10}",
          max_iterations: 30,
        },
        {
          id: 'all',
          paginate: { call: 'list_orders', args: { cursor: '${cursor}' } },
          next: '${page.next_cursor}',
          items: '${page.items}',
          max_pages: 10,
        },
        { id: 'ids', value: '${all.map(x, x.id)}' },
        {
          id: 'charge',
          call: 'charge_card',
          args: { amount: '${total.total * 1.2}' },
          retry: { attempts: 3, delay_ms: 100, on: ['ToolError', 'Timeout'] },
          compensate: { call: 'refund', args: { charge_id: '${charge.id}' } },
        },
        {
          id: 'safe',
          try: [{ id: 'book', call: 'search', args: { q: 'seat' } }],
          catch: [{ id: 'log', call: 'log_error', args: { message: '${error.message}' } }],
          finally: [{ id: 'rel', wait_ms: 10 }],
        },
        {
          id: 'act',
          switch: [
            { when: '${total.count > 0}', do: [{ id: 'a1', emit: 'orders', data: '${total}' }] },
            { do: [{ id: 'a2', fail: 'no orders', error: 'NoOrders' }] },
          ],
        },
        {
          id: 'rate',
          race: [
            { id: 'ra', call: 'search', args: { q: 'a' } },
            { id: 'rb', call: 'search', args: { q: 'b' } },
          ],
          pick: 'best',
          score: '${size(result)}',
        },
        { id: 'ship', if: '${user.verified}', after: ['charge'], call: 'log_error', args: {} },
        {
          id: 'quote',
          call: 'search',
          args: { q: 'Ada spent ${total.total} in ${total.count} orders' },
          fallback: [{ call: 'search', args: { q: 'x' } }, { value: "${ {'price': 0} }" }],
        },
      ],
      { output: 'Ada spent ${total.total}', final: true, limits: { max_concurrency: 4 } },
    );
    const r = validatePlan(p, registry);
    expect(errorsOf(r)).toEqual([]);
    expect(r.valid).toBe(true);
    expect(r.plan).toBe(p);
  });

  it('accepts an empty plan', () => {
    expect(validatePlan(plan([]), registry).valid).toBe(true);
  });

  it('documents every issue code', () => {
    for (const code of ISSUE_CODE_LIST) {
      expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
      expect(ISSUE_CODES[code].length).toBeGreaterThan(10);
    }
  });
});

describe('validatePlan: shape', () => {
  it('wrong_type for a non-object plan', () => {
    issueAt(validatePlan([user], registry), '', 'wrong_type');
    issueAt(validatePlan(null, registry), '', 'wrong_type');
  });
  it('unsupported_version', () => {
    issueAt(validatePlan({ version: 2, nodes: [] }, registry), '/version', 'unsupported_version');
  });
  it('missing_field for nodes and version', () => {
    issueAt(validatePlan({ version: 1 }, registry), '/nodes', 'missing_field');
    issueAt(validatePlan({ nodes: [] }, registry), '/version', 'missing_field');
  });
  it('wrong_type for nodes that are not a list', () => {
    issueAt(validatePlan({ version: 1, nodes: {} }, registry), '/nodes', 'wrong_type');
  });
  it('unknown_field at the top and in a node, with a suggestion', () => {
    const r = validatePlan(plan([{ ...user, agrs: {} }], { outputs: 1 }), registry);
    expect(issueAt(r, '/outputs', 'unknown_field').message).toContain('"output"');
    expect(issueAt(r, '/nodes/0/agrs', 'unknown_field').message).toContain('"args"');
  });
  it('out_of_range in limits and node fields', () => {
    const r = validatePlan(
      plan([{ ...user, timeout_ms: 0 }], { limits: { max_concurrency: 0 } }),
      registry,
    );
    issueAt(r, '/limits/max_concurrency', 'out_of_range');
    issueAt(r, '/nodes/0/timeout_ms', 'out_of_range');
  });
  it('not_allowed for an enum field', () => {
    const r = validatePlan(plan([{ ...user, retry: { jitter: 'some' } }]), registry);
    issueAt(r, '/nodes/0/retry/jitter', 'not_allowed');
  });
  it('wrong_type for a node that is not an object', () => {
    issueAt(validatePlan(plan(['get_user']), registry), '/nodes/0', 'wrong_type');
  });
  it('missing_field for required kind fields', () => {
    const r = validatePlan(
      plan([{ id: 'l', loop: [{ id: 'x', wait_ms: 1 }], while: '${true}' }]),
      registry,
    );
    expect(issueAt(r, '/nodes/0/max_iterations', 'missing_field').message).toContain(
      'max_iterations',
    );
  });
  it('missing_field for a race picking best without a score', () => {
    const r = validatePlan(
      plan([{ id: 'r', race: [{ id: 'a', wait_ms: 1 }], pick: 'best' }]),
      registry,
    );
    issueAt(r, '/nodes/0/score', 'missing_field');
  });
  it('unused_field warning for a score without pick best', () => {
    const r = validatePlan(
      plan([{ id: 'r', race: [{ id: 'a', wait_ms: 1 }], score: '${1}' }]),
      registry,
    );
    expect(issueAt(r, '/nodes/0/score', 'unused_field').severity).toBe('warning');
    expect(r.valid).toBe(true);
  });
  it('fallback alternatives must be a call or a value', () => {
    const r = validatePlan(
      plan([{ ...user, fallback: [{ tool: 'x' }, 3, { value: 1, extra: 2 }] }]),
      registry,
    );
    issueAt(r, '/nodes/0/fallback/0', 'missing_field');
    issueAt(r, '/nodes/0/fallback/1', 'wrong_type');
    issueAt(r, '/nodes/0/fallback/2/extra', 'unknown_field');
  });
});

describe('validatePlan: ids and kinds', () => {
  it('invalid_id with a suggested fix', () => {
    const r = validatePlan(plan([{ ...user, id: '1st user' }]), registry);
    expect(issueAt(r, '/nodes/0/id', 'invalid_id').message).toContain('_1st_user');
  });
  it('missing_field for a node without id', () => {
    issueAt(
      validatePlan(plan([{ call: 'get_user', args: { user_id: 'x' } }]), registry),
      '/nodes/0/id',
      'missing_field',
    );
  });
  it('duplicate_id names both places, also across nesting', () => {
    const r = validatePlan(
      plan([user, { id: 'm', map: ['a'], do: [{ id: 'user', value: '${item}' }] }]),
      registry,
    );
    expect(issueAt(r, '/nodes/1/do/0/id', 'duplicate_id').message).toContain('/nodes/0');
  });
  it('reserved_id for input, CEL keywords and prototype names', () => {
    const r = validatePlan(
      plan([
        { id: 'input', value: 1 },
        { id: 'in', value: 1 },
        { id: '__proto__', value: 1 },
      ]),
      registry,
    );
    issueAt(r, '/nodes/0/id', 'reserved_id');
    issueAt(r, '/nodes/1/id', 'reserved_id');
    issueAt(r, '/nodes/2/id', 'reserved_id');
  });
  it('reserved_id for CEL type names, with no internal issue from referring to them', () => {
    const r = validatePlan(
      plan([
        { id: 'list', value: '${ [1, 2] }' },
        { id: 'map', value: "${ {'a': 1} }" },
        { id: 'total', value: '${ size(list) + map.a }' },
      ]),
      registry,
    );
    issueAt(r, '/nodes/0/id', 'reserved_id');
    issueAt(r, '/nodes/1/id', 'reserved_id');
    expect(r.issues.map((i) => i.code)).not.toContain('internal');
    expect(issueAt(r, '/nodes/0/id', 'reserved_id').message).toMatch(/rename it/);
  });
  it('no_node_kind lists the kinds and hints at call', () => {
    const r = validatePlan(plan([{ id: 'a', tool: 'get_user' }]), registry);
    const i = issueAt(r, '/nodes/0', 'no_node_kind');
    expect(i.message).toContain('paginate');
    expect(i.message).toContain('"call"');
  });
  it('multiple_node_kinds names both kinds', () => {
    const r = validatePlan(plan([{ ...user, value: 1 }]), registry);
    const i = issueAt(r, '/nodes/0/value', 'multiple_node_kinds');
    expect(i.message).toContain('"call"');
    expect(i.message).toContain('"value"');
  });
  it('empty_body', () => {
    issueAt(
      validatePlan(plan([{ id: 'm', map: [1], do: [] }]), registry),
      '/nodes/0/do',
      'empty_body',
    );
  });
  it('default_case_not_last', () => {
    const r = validatePlan(
      plan([
        {
          id: 's',
          switch: [
            { do: [{ id: 'a', wait_ms: 1 }] },
            { when: '${true}', do: [{ id: 'b', wait_ms: 1 }] },
          ],
        },
      ]),
      registry,
    );
    issueAt(r, '/nodes/0/switch/0', 'default_case_not_last');
  });
  it('unknown_error_name warns but accepts', () => {
    const r = validatePlan(
      plan([{ ...user, retry: { attempts: 2, on: ['Timeot', 'RateLimited'] } }]),
      registry,
    );
    expect(issueAt(r, '/nodes/0/retry/on/0', 'unknown_error_name').message).toContain('"Timeout"');
    expect(r.valid).toBe(true);
  });
});

describe('validatePlan: tools and arguments', () => {
  it('unknown_tool suggests the closest names', () => {
    const r = validatePlan(plan([{ ...user, call: 'getUser' }]), registry);
    expect(issueAt(r, '/nodes/0/call', 'unknown_tool').message).toContain('"get_user"');
  });
  it('unknown_tool in fallback, compensate and paginate', () => {
    const r = validatePlan(
      plan([
        { ...user, fallback: [{ call: 'nope1' }], compensate: { call: 'nope2' } },
        {
          id: 'p',
          paginate: { call: 'nope3' },
          next: '${page.n}',
          items: '${page.i}',
          max_pages: 2,
        },
      ]),
      registry,
    );
    issueAt(r, '/nodes/0/fallback/0/call', 'unknown_tool');
    issueAt(r, '/nodes/0/compensate/call', 'unknown_tool');
    issueAt(r, '/nodes/1/paginate/call', 'unknown_tool');
  });
  it('missing_argument says the type and description', () => {
    const r = validatePlan(plan([{ id: 'u', call: 'get_user', args: {} }]), registry);
    const i = issueAt(r, '/nodes/0/args/user_id', 'missing_argument');
    expect(i.message).toContain('string');
    expect(i.message).toContain('The user id');
  });
  it('unknown_argument lists the allowed ones', () => {
    const r = validatePlan(
      plan([{ id: 'u', call: 'get_user', args: { user_id: 'x', userId: 'y' } }]),
      registry,
    );
    const i = issueAt(r, '/nodes/0/args/userId', 'unknown_argument');
    expect(i.message).toContain('allowed: user_id');
  });
  it('arg_wrong_type, arg_not_allowed, arg_out_of_range for literals', () => {
    const r = validatePlan(
      plan([{ id: 'o', call: 'get_orders', args: { user_id: 7, status: 'pending', limit: 0 } }]),
      registry,
    );
    issueAt(r, '/nodes/0/args/user_id', 'arg_wrong_type');
    issueAt(r, '/nodes/0/args/status', 'arg_not_allowed');
    issueAt(r, '/nodes/0/args/limit', 'arg_out_of_range');
  });
  it('checks compensate and fallback arguments too', () => {
    const r = validatePlan(
      plan([
        {
          id: 'c',
          call: 'charge_card',
          args: { amount: 5 },
          fallback: [{ call: 'charge_card', args: {} }],
          compensate: { call: 'refund', args: { charge: '${c.id}' } },
        },
      ]),
      registry,
    );
    issueAt(r, '/nodes/0/fallback/0/args/amount', 'missing_argument');
    issueAt(r, '/nodes/0/compensate/args/charge', 'unknown_argument');
  });
  it('works with zod tools', () => {
    const zreg = ToolRegistry.from([
      {
        name: 'z',
        description: 'zod tool',
        inputSchema: z.object({ n: z.number().int() }),
        outputSchema: z.object({ ok: z.boolean() }),
        execute: () => ({ ok: true }),
      },
    ]);
    const r = validatePlan(
      plan([
        { id: 'a', call: 'z', args: { n: 'x' } },
        { id: 'b', value: '${a.nope}' },
      ]),
      zreg,
    );
    issueAt(r, '/nodes/0/args/n', 'arg_wrong_type');
    issueAt(r, '/nodes/1/value', 'no_such_field');
  });
});

describe('validatePlan: references and expressions', () => {
  it('unresolved_reference with the names in scope', () => {
    const r = validatePlan(plan([{ id: 'v', value: '${usr.name}' }]), registry);
    issueAt(r, '/nodes/0/value', 'unresolved_reference');
  });
  it('unresolved_reference for a node inside another body', () => {
    const r = validatePlan(
      plan([
        { id: 'm', map: [1], do: [{ id: 'inner', value: 1 }] },
        { id: 'v', value: '${inner}' },
      ]),
      registry,
    );
    expect(issueAt(r, '/nodes/1/value', 'unresolved_reference').message).toContain('/nodes/0/do/0');
  });
  it('unknown_after', () => {
    issueAt(
      validatePlan(plan([{ ...user, after: ['nope'] }]), registry),
      '/nodes/0/after/0',
      'unknown_after',
    );
  });
  it('enclosing_reference', () => {
    const r = validatePlan(plan([{ id: 'v', value: '${v}' }]), registry);
    issueAt(r, '/nodes/0/value', 'enclosing_reference');
  });
  it('dependency_cycle names the nodes in order', () => {
    const r = validatePlan(
      plan([
        { id: 'a', value: '${c}' },
        { id: 'b', value: '${a}' },
        { id: 'c', value: '${b}' },
      ]),
      registry,
    );
    const i = r.issues.find((x) => x.code === 'dependency_cycle');
    expect(i?.message).toMatch(/a -> c -> b -> a|b -> a -> c -> b|c -> b -> a -> c/);
  });
  it('expression_syntax for unbalanced ${ and bad CEL', () => {
    const r = validatePlan(
      plan([
        { id: 'a', value: '${1 +' },
        { id: 'b', value: '${1 + }' },
      ]),
      registry,
    );
    issueAt(r, '/nodes/0/value', 'expression_syntax');
    issueAt(r, '/nodes/1/value', 'expression_syntax');
  });
  it('expression_type for a mismatch inside an expression', () => {
    const r = validatePlan(plan([user, { id: 'v', value: '${user.name + 1}' }]), registry);
    expect(issueAt(r, '/nodes/1/value', 'expression_type').message).toContain('string(x)');
  });
  it('no_such_field lists the declared fields', () => {
    const r = validatePlan(plan([user, { id: 'v', value: '${user.address.zip}' }]), registry);
    const i = issueAt(r, '/nodes/1/value', 'no_such_field');
    expect(i.message).toContain('city');
  });
  it('no_such_field through map items and paginate pages', () => {
    const r = validatePlan(
      plan([
        user,
        { id: 'orders', call: 'get_orders', args: { user_id: '${user.id}' } },
        { id: 'm', map: '${orders}', do: [{ id: 'x', value: '${item.price}' }] },
        {
          id: 'p',
          paginate: { call: 'list_orders', args: {} },
          next: '${page.cursor}',
          items: '${page.items}',
          max_pages: 3,
        },
      ]),
      registry,
    );
    issueAt(r, '/nodes/2/do/0/value', 'no_such_field');
    issueAt(r, '/nodes/3/next', 'no_such_field');
  });
  it('arg_wrong_type for a number passed where a string is required', () => {
    const r = validatePlan(
      plan([user, { id: 'o', call: 'get_orders', args: { user_id: '${user.age}' } }]),
      registry,
    );
    expect(issueAt(r, '/nodes/1/args/user_id', 'arg_wrong_type').message).toContain('string(');
  });
  it('arg_wrong_type for a template where a number is required', () => {
    const r = validatePlan(
      plan([user, { id: 'c', call: 'charge_card', args: { amount: '${user.age} EUR' } }]),
      registry,
    );
    issueAt(r, '/nodes/1/args/amount', 'arg_wrong_type');
  });
  it('value node types flow to the nodes that read them', () => {
    const r = validatePlan(
      plan([
        { id: 'n', value: '${1 + 2}' },
        { id: 'o', call: 'get_orders', args: { user_id: '${n}' } },
      ]),
      registry,
    );
    issueAt(r, '/nodes/1/args/user_id', 'arg_wrong_type');
  });
  it('the error in a catch is typed', () => {
    const r = validatePlan(
      plan([{ id: 't', try: [user], catch: [{ id: 'l', value: '${error.msg}' }] }]),
      registry,
    );
    issueAt(r, '/nodes/0/catch/0/value', 'no_such_field');
  });
  it('a tool without output schema gives dyn: anything goes', () => {
    const r = validatePlan(
      plan([
        { id: 's', call: 'search', args: { q: 'x' } },
        { id: 'v', value: '${s.a.b.c + 1}' },
      ]),
      registry,
    );
    expect(r.valid).toBe(true);
  });
  it('not_boolean for if, when and while', () => {
    const r = validatePlan(
      plan([
        user,
        { id: 'a', if: '${user.name}', wait_ms: 1 },
        { id: 'b', if: 'user.verified', wait_ms: 1 },
        { id: 's', switch: [{ when: '${user.age}', do: [{ id: 'c', wait_ms: 1 }] }] },
        { id: 'l', loop: [{ id: 'd', value: 1 }], while: '${d}', max_iterations: 2 },
      ]),
      registry,
    );
    issueAt(r, '/nodes/1/if', 'not_boolean');
    issueAt(r, '/nodes/2/if', 'not_boolean');
    issueAt(r, '/nodes/3/switch/0/when', 'not_boolean');
    issueAt(r, '/nodes/4/while', 'not_boolean');
  });
  it('not_a_list for map', () => {
    const r = validatePlan(
      plan([
        user,
        { id: 'm', map: '${user}', do: [{ id: 'x', value: 1 }] },
        { id: 'm2', map: 5, do: [{ id: 'y', value: 1 }] },
      ]),
      registry,
    );
    issueAt(r, '/nodes/1/map', 'not_a_list');
    issueAt(r, '/nodes/2/map', 'not_a_list');
  });
  it('not_a_number for a race score', () => {
    const r = validatePlan(
      plan([{ id: 'r', race: [{ id: 'a', wait_ms: 1 }], pick: 'best', score: "${'high'}" }]),
      registry,
    );
    issueAt(r, '/nodes/0/score', 'not_a_number');
  });
  it('shadowed_name warns when a local hides a node', () => {
    const r = validatePlan(
      plan([
        { id: 'item', value: 1 },
        { id: 'm', map: [1, 2], do: [{ id: 'x', value: '${item}' }] },
      ]),
      registry,
    );
    expect(issueAt(r, '/nodes/1/do/0/value', 'shadowed_name').severity).toBe('warning');
  });
  it('types input from an input schema when given', () => {
    const r = validatePlan(plan([{ id: 'v', value: '${input.user_ids + 1}' }]), registry, {
      inputSchema: {
        type: 'object',
        properties: { user_ids: { type: 'array', items: { type: 'string' } } },
      },
    });
    issueAt(r, '/nodes/0/value', 'expression_type');
  });
});

describe('validatePlan: limits', () => {
  it('too_many_nodes counts nested nodes', () => {
    const nodes = Array.from({ length: 6 }, (_, i) => ({
      id: `m${i}`,
      map: [1],
      do: [{ id: `v${i}`, value: 1 }],
    }));
    issueAt(validatePlan(plan(nodes), registry, { maxNodes: 10 }), '/nodes', 'too_many_nodes');
    expect(validatePlan(plan(nodes), registry, { maxNodes: 12 }).valid).toBe(true);
  });
  it('too_deep', () => {
    let body: unknown[] = [{ id: 'leaf', value: 1 }];
    for (let i = 0; i < 20; i++) body = [{ id: `t${i}`, try: body }];
    const r = validatePlan(plan(body), registry);
    expect(r.issues.some((i) => i.code === 'too_deep')).toBe(true);
  });
  it('limit_exceeded for retry attempts, max_iterations and max_pages', () => {
    const r = validatePlan(
      plan([
        { ...user, retry: { attempts: 11 } },
        { id: 'l', loop: [{ id: 'x', wait_ms: 1 }], while: '${true}', max_iterations: 5000 },
        {
          id: 'p',
          paginate: { call: 'list_orders' },
          next: '${page.next_cursor}',
          items: '${page.items}',
          max_pages: 5000,
        },
      ]),
      registry,
    );
    issueAt(r, '/nodes/0/retry/attempts', 'limit_exceeded');
    issueAt(r, '/nodes/1/max_iterations', 'limit_exceeded');
    issueAt(r, '/nodes/2/max_pages', 'limit_exceeded');
  });
  it('too_many_issues caps the list, errors first', () => {
    const nodes = Array.from({ length: 30 }, (_, i) => ({ id: `n${i}`, call: 'nope' }));
    const r = validatePlan(plan(nodes), registry, { maxIssues: 5 });
    expect(r.issues).toHaveLength(6);
    expect(r.issues[5]!.code).toBe('too_many_issues');
  });
});

describe('validatePlan: never throws', () => {
  it('reports internal when the registry is broken', () => {
    const broken = {
      get: () => {
        throw new Error('boom');
      },
    } as unknown as ToolRegistry;
    const r = validatePlan(plan([user]), broken);
    expect(r.valid).toBe(false);
    expect(issueAt(r, '', 'internal').message).toContain('boom');
  });
  it('survives getters that throw and cyclic objects', () => {
    const evil: Record<string, unknown> = { version: 1, nodes: [] };
    Object.defineProperty(evil, 'goal', {
      enumerable: true,
      get: () => {
        throw new Error('getter');
      },
    });
    expect(() => validatePlan(evil, registry)).not.toThrow();
    const cyclic: Record<string, unknown> = { id: 'a', value: {} };
    (cyclic.value as Record<string, unknown>).self = cyclic;
    expect(() => validatePlan(plan([cyclic]), registry)).not.toThrow();
  });
});
