// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../src/validate/index.ts';
import type { ValidationResult } from '../../src/validate/validate-plan.ts';
import { errorsOf, issueAt, plan, registry } from './support.ts';

/**
 * Expressions are typed from the tools' output schemas in every scope a name can come from.
 * For each: a field that exists passes, a field that cannot exist is no_such_field at the
 * exact pointer, and a value of the wrong type for an argument is arg_wrong_type.
 */

const user = { id: 'user', call: 'get_user', args: { user_id: 'u1' } };
const orders = { id: 'orders', call: 'get_orders', args: { user_id: '${user.id}' } };

const check = (nodes: unknown[], extra: Record<string, unknown> = {}) =>
  validatePlan(plan(nodes, extra), registry);

function onlyIssue(r: ValidationResult, path: string, code: 'no_such_field' | 'arg_wrong_type') {
  const hit = issueAt(r, path, code);
  expect(errorsOf(r)).toEqual([hit]);
  return hit;
}

describe('node outputs', () => {
  it('a call output is typed by its tool schema, nested objects included', () => {
    expect(check([user, { id: 'v', value: '${user.address.city}' }]).valid).toBe(true);
    const r = check([user, { id: 'v', value: '${user.address.zip}' }]);
    expect(onlyIssue(r, '/nodes/1/value', 'no_such_field').message).toContain('city');
  });

  it('in a template, each expression is checked at the string pointer', () => {
    const r = check([
      user,
      { id: 'v', call: 'search', args: { q: 'hi ${user.name}, ${user.nme}' } },
    ]);
    expect(onlyIssue(r, '/nodes/1/args/q', 'no_such_field').message).toContain('"nme"');
  });

  it('deep inside args, the pointer is the exact string', () => {
    const r = check([
      user,
      { id: 'c', call: 'calculate_total', args: { orders: [{ who: '${user.idd}' }] } },
    ]);
    onlyIssue(r, '/nodes/1/args/orders/0/who', 'no_such_field');
  });

  it('a value node output type flows on', () => {
    const r = check([
      user,
      { id: 'who', value: '${user.address}' },
      { id: 'v', value: '${who.street}' },
    ]);
    onlyIssue(r, '/nodes/2/value', 'no_such_field');
  });

  it('a call with a fallback is not typed by its tool: the fallback may give anything', () => {
    const r = check([
      { ...user, fallback: [{ value: '${ {"other": 1} }' }] },
      { id: 'v', value: '${user.other}' },
    ]);
    expect(r.valid).toBe(true);
  });

  it('the plan output is checked too', () => {
    const r = check([user], { output: 'Hello ${user.fullname}' });
    onlyIssue(r, '/output', 'no_such_field');
  });
});

describe('map: the item is the list element type', () => {
  it('with the default name item', () => {
    expect(
      check([
        user,
        orders,
        { id: 'm', map: '${orders}', do: [{ id: 'x', value: '${item.total * 2}' }] },
      ]).valid,
    ).toBe(true);
    const r = check([
      user,
      orders,
      { id: 'm', map: '${orders}', do: [{ id: 'x', value: '${item.totl}' }] },
    ]);
    expect(onlyIssue(r, '/nodes/2/do/0/value', 'no_such_field').message).toContain('total, sku');
  });

  it('with an `as` name, in nested bodies below the map', () => {
    const r = check([
      user,
      orders,
      {
        id: 'm',
        map: '${orders}',
        as: 'o',
        do: [{ id: 't', try: [{ id: 'x', value: '${o.price}' }] }],
      },
    ]);
    onlyIssue(r, '/nodes/2/do/0/try/0/value', 'no_such_field');
  });

  it('a map output is a list of the body output type', () => {
    const r = check([
      user,
      orders,
      { id: 'm', map: '${orders}', do: [{ id: 'x', value: '${item.sku}' }] },
      { id: 'o', call: 'charge_card', args: { amount: '${m[0]}' } },
    ]);
    onlyIssue(r, '/nodes/3/args/amount', 'arg_wrong_type');
  });

  it('a number item passed where a string is required is arg_wrong_type', () => {
    const r = check([
      user,
      orders,
      {
        id: 'm',
        map: '${orders}',
        do: [{ id: 'x', call: 'get_user', args: { user_id: '${item.total}' } }],
      },
    ]);
    expect(onlyIssue(r, '/nodes/2/do/0/args/user_id', 'arg_wrong_type').message).toContain(
      'string(',
    );
  });
});

describe('catch: error is {name, message, node}', () => {
  it('its fields pass; any other field is no_such_field', () => {
    const ok = check([
      {
        id: 't',
        try: [user],
        catch: [
          {
            id: 'l',
            call: 'log_error',
            args: { message: '${error.name}: ${error.message} at ${error.node}' },
          },
        ],
      },
    ]);
    expect(ok.valid).toBe(true);
    const r = check([{ id: 't', try: [user], catch: [{ id: 'l', value: '${error.code}' }] }]);
    expect(onlyIssue(r, '/nodes/0/catch/0/value', 'no_such_field').message).toMatch(
      /name, message, node/,
    );
  });

  it('the catch error is a string-typed message where a number is required', () => {
    const r = check([
      {
        id: 't',
        try: [user],
        catch: [{ id: 'c', call: 'charge_card', args: { amount: '${error.message}' } }],
      },
    ]);
    onlyIssue(r, '/nodes/0/catch/0/args/amount', 'arg_wrong_type');
  });
});

describe('loop: body outputs are typed in while and after the loop', () => {
  it('while reads the body nodes with their tool types', () => {
    expect(
      check([
        {
          id: 'job',
          loop: [{ id: 'st', call: 'job_status', args: { job: 'j' } }],
          while: "${st.state != 'done' && iteration < 5 && last == null}",
          max_iterations: 10,
        },
      ]).valid,
    ).toBe(true);
    const r = check([
      {
        id: 'job',
        loop: [{ id: 'st', call: 'job_status', args: { job: 'j' } }],
        while: "${st.status != 'done'}",
        max_iterations: 10,
      },
    ]);
    expect(onlyIssue(r, '/nodes/0/while', 'no_such_field').message).toContain('state');
  });

  it('the loop output is the body last node type', () => {
    const r = check([
      {
        id: 'job',
        loop: [{ id: 'st', call: 'job_status', args: { job: 'j' } }],
        while: "${st.state != 'done'}",
        max_iterations: 10,
      },
      { id: 'v', value: '${job.done}' },
    ]);
    onlyIssue(r, '/nodes/1/value', 'no_such_field');
  });
});

describe('paginate: page is the tool output, cursor is free', () => {
  const pg = (next: string, items: string) => ({
    id: 'p',
    paginate: { call: 'list_orders', args: { cursor: '${cursor}' } },
    next,
    items,
    max_pages: 5,
  });

  it('page fields are checked in next and items', () => {
    expect(check([pg('${page.next_cursor}', '${page.items}')]).valid).toBe(true);
    onlyIssue(check([pg('${page.next}', '${page.items}')]), '/nodes/0/next', 'no_such_field');
    onlyIssue(
      check([pg('${page.next_cursor}', '${page.rows}')]),
      '/nodes/0/items',
      'no_such_field',
    );
  });

  it('the paginate output is the items list type', () => {
    const r = check([
      pg('${page.next_cursor}', '${page.items}'),
      { id: 'v', value: '${p[0].sku}' },
    ]);
    onlyIssue(r, '/nodes/1/value', 'no_such_field');
  });
});

describe('race: result is the branch output type', () => {
  it('score fields are checked when every branch has the same type', () => {
    const race = (score: string) => ({
      id: 'r',
      pick: 'best',
      score,
      race: [
        { id: 'a', call: 'get_user', args: { user_id: 'a' } },
        { id: 'b', call: 'get_user', args: { user_id: 'b' } },
      ],
    });
    expect(check([race('${result.age}')]).valid).toBe(true);
    const r = check([race('${result.score}')]);
    expect(onlyIssue(r, '/nodes/0/score', 'no_such_field').message).toContain('age');
    // And the race output has that type for the nodes that read it.
    onlyIssue(
      check([race('${result.age}'), { id: 'v', value: '${r.nope}' }]),
      '/nodes/1/value',
      'no_such_field',
    );
  });

  it('branches of different types leave result untyped (dyn)', () => {
    const r = check([
      {
        id: 'r',
        pick: 'best',
        score: '${result.anything}',
        race: [
          { id: 'a', call: 'get_user', args: { user_id: 'a' } },
          { id: 'b', call: 'job_status', args: { job: 'b' } },
        ],
      },
    ]);
    expect(r.valid).toBe(true);
  });
});

describe('compensate: the node own id is its own output', () => {
  it('typed by the node tool: a field it does not declare is no_such_field', () => {
    const node = (arg: string) => ({
      id: 'charge',
      call: 'charge_card',
      args: { amount: 5 },
      compensate: { call: 'refund', args: { charge_id: arg } },
    });
    expect(check([node('${charge.id}')]).valid).toBe(true);
    onlyIssue(
      check([node('${charge.charge_id}')]),
      '/nodes/0/compensate/args/charge_id',
      'no_such_field',
    );
  });
});

describe('input', () => {
  it('is typed by the input schema when one is given', () => {
    const inputSchema = {
      type: 'object',
      properties: { user_id: { type: 'string' }, n: { type: 'integer' } },
    };
    const ok = validatePlan(
      plan([{ id: 'u', call: 'get_user', args: { user_id: '${input.user_id}' } }]),
      registry,
      { inputSchema },
    );
    expect(ok.valid).toBe(true);
    const bad = validatePlan(
      plan([{ id: 'u', call: 'get_user', args: { user_id: '${input.n}' } }]),
      registry,
      { inputSchema },
    );
    onlyIssue(bad, '/nodes/0/args/user_id', 'arg_wrong_type');
    const missing = validatePlan(plan([{ id: 'v', value: '${input.nope}' }]), registry, {
      inputSchema,
    });
    onlyIssue(missing, '/nodes/0/value', 'no_such_field');
  });
});
