// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../src/validate/index.ts';
import type { ValidationResult } from '../../src/validate/validate-plan.ts';
import { errorsOf, issueAt, plan, registry } from './support.ts';

/**
 * Every node kind's output is typed for the nodes that read it, and a loop's `last` for its
 * body: a field that cannot exist is no_such_field at the exact pointer, a field that does
 * (and a null check) passes, and where the type is not certain it is dyn, never an error.
 */

const check = (nodes: unknown[]) => validatePlan(plan(nodes), registry);

function onlyIssue(r: ValidationResult, path: string, code: 'no_such_field' | 'arg_wrong_type') {
  const hit = issueAt(r, path, code);
  expect(errorsOf(r)).toEqual([hit]);
  return hit;
}

function valid(r: ValidationResult): void {
  expect(r.issues).toEqual([]);
}

const status = (id: string, job = 'j') => ({ id, call: 'job_status', args: { job } });
const userCall = (id: string) => ({ id, call: 'get_user', args: { user_id: 'u' } });
const loop = (body: unknown[], extra: Record<string, unknown> = {}) => ({
  id: 'poll',
  loop: body,
  while: '${iteration < 3}',
  max_iterations: 5,
  ...extra,
});

describe('loop: last is the previous iteration body output', () => {
  it('in the body, last has the type of the body last node', () => {
    valid(check([loop([status('st', '${last == null ? "j" : last.state}')])]));
    const r = check([loop([status('st', '${last == null ? "j" : last.stat}')])]);
    expect(onlyIssue(r, '/nodes/0/loop/0/args/job', 'no_such_field').message).toContain(
      'Did you mean "state"',
    );
  });

  it('in while, null checks and has() pass, an unknown field does not', () => {
    valid(check([loop([status('st')], { while: '${last == null || last.state != "done"}' })]));
    valid(check([loop([status('st')], { while: '${last != null && has(last.state)}' })]));
    valid(check([loop([status('st')], { while: "${last == null ? true : last.state != 'x'}" })]));
    const r = check([loop([status('st')], { while: '${last != null && last.stat == "x"}' })]);
    onlyIssue(r, '/nodes/0/while', 'no_such_field');
  });

  it('reads before the body last node see its type, in nested bodies too', () => {
    const nodes = (field: string) => [
      { id: 'nums', value: '${[1, 2]}' },
      loop([
        {
          id: 'm',
          map: '${nums}',
          do: [{ id: 'x', value: `\${last == null ? '' : last.${field}}` }],
        },
        userCall('u'),
      ]),
    ];
    valid(check(nodes('name')));
    onlyIssue(check(nodes('nme')), '/nodes/1/loop/0/do/0/value', 'no_such_field');
  });

  it('mixing int and double branches over last stays valid: it runs', () => {
    const total = { id: 't', call: 'calculate_total', args: { orders: [] } };
    const w = (field: string) => `\${(last == null ? 0 : last.${field}) < 10}`;
    valid(check([loop([total], { while: w('total') })]));
    onlyIssue(check([loop([total], { while: w('totl') })]), '/nodes/0/while', 'no_such_field');
    const body = (field: string) => [
      loop([{ ...total, args: { orders: `\${last == null ? [] : [last.${field}]}` } }]),
    ];
    valid(check(body('total')));
    onlyIssue(check(body('totl')), '/nodes/0/loop/0/args/orders', 'no_such_field');
  });

  it('a mistyped argument from last is arg_wrong_type', () => {
    const r = check([loop([{ id: 'c', call: 'charge_card', args: { amount: '${last.id}' } }])]);
    onlyIssue(r, '/nodes/0/loop/0/args/amount', 'arg_wrong_type');
  });

  it('nested loops: last is the innermost loop body output', () => {
    const nodes = (field: string) => [
      loop([
        {
          id: 'inner',
          loop: [userCall('u')],
          while: `\${last == null || last.${field} == ''}`,
          max_iterations: 2,
        },
        status('st', '${last == null ? "j" : last.state}'),
      ]),
    ];
    valid(check(nodes('name')));
    onlyIssue(check(nodes('state')), '/nodes/0/loop/0/while', 'no_such_field');
  });

  it('a body whose output depends on last, or is untyped, leaves last dyn', () => {
    valid(check([loop([{ id: 'n', value: '${last == null ? 0.0 : last + 1.0}' }])]));
    valid(check([loop([{ id: 'acc', value: '${last == null ? 1 : last.anything}' }])]));
    valid(check([loop([{ id: 's', call: 'search', args: { q: '${string(last.anything)}' } }])]));
    valid(
      check([
        loop([
          { ...status('st'), fallback: [{ value: 'x' }] },
          { id: 'v', value: '${last}' },
        ]),
      ]),
    );
  });

  it('a map `as: last` inside the loop is the item, not the loop last', () => {
    const r = check([
      { id: 'users', value: "${['a']}" },
      loop([
        { id: 'm', map: '${users}', as: 'last', do: [{ id: 'x', value: '${last.size()}' }] },
        status('st'),
      ]),
    ]);
    valid(r);
  });

  it('each issue and warning is reported once, though last is checked twice', () => {
    const r = check([
      loop([
        { id: 'last', value: 1 },
        { id: 'c', call: 'charge_card', args: { amount: 'total ${last}' } },
        status('st', '${last == null ? "j" : last.stat}'),
      ]),
    ]);
    expect(r.issues.map((i) => [i.path, i.code])).toEqual([
      ['/nodes/0/loop/1/args/amount', 'shadowed_name'],
      ['/nodes/0/loop/1/args/amount', 'arg_wrong_type'],
      ['/nodes/0/loop/2/args/job', 'shadowed_name'],
      ['/nodes/0/loop/2/args/job', 'no_such_field'],
    ]);
  });

  it('the loop output is the last iteration body output', () => {
    valid(check([loop([status('st')]), { id: 'v', value: '${poll.state}' }]));
    onlyIssue(
      check([loop([status('st')]), { id: 'v', value: '${poll.stat}' }]),
      '/nodes/1/value',
      'no_such_field',
    );
  });
});

describe('switch: the chosen case output', () => {
  const sw = (a: unknown, b: unknown) => ({
    id: 's',
    switch: [{ when: '${input.x > 1}', do: [a] }, { do: [b] }],
  });

  it('is typed when every case has the same type, null checks included', () => {
    valid(check([sw(status('a'), status('b')), { id: 'v', value: '${s == null ? "" : s.state}' }]));
    onlyIssue(
      check([sw(status('a'), status('b')), { id: 'v', value: '${s.stat}' }]),
      '/nodes/1/value',
      'no_such_field',
    );
  });

  it('is dyn when the cases differ or one is untyped', () => {
    valid(check([sw(status('a'), userCall('b')), { id: 'v', value: '${s.anything}' }]));
    valid(
      check([
        sw(status('a'), { id: 'b', call: 'search', args: { q: 'x' } }),
        { id: 'v', value: '${s.x}' },
      ]),
    );
  });
});

describe('try: the try body output, or the catch body output', () => {
  const tc = (a: unknown, b?: unknown) => ({ id: 't', try: [a], ...(b ? { catch: [b] } : {}) });

  it('is typed when the catch body has the try body type (or there is no catch)', () => {
    onlyIssue(
      check([tc(status('a'), status('b')), { id: 'v', value: '${t.stat}' }]),
      '/nodes/1/value',
      'no_such_field',
    );
    onlyIssue(
      check([tc(status('a')), { id: 'v', value: '${t.stat}' }]),
      '/nodes/1/value',
      'no_such_field',
    );
    valid(check([tc(status('a'), status('b')), { id: 'v', value: '${t.state}' }]));
  });

  it('is dyn when the catch gives something else', () => {
    valid(
      check([
        tc(status('a'), { id: 'b', value: '${error.message}' }),
        { id: 'v', value: '${t.x}' },
      ]),
    );
  });
});

describe('value: the type CEL infers, as it reads once it is an output', () => {
  it('objects, lists and numbers flow on', () => {
    onlyIssue(
      check([
        userCall('u'),
        { id: 'a', value: '${[u.address]}' },
        { id: 'v', value: '${a[0].zip}' },
      ]),
      '/nodes/2/value',
      'no_such_field',
    );
    onlyIssue(
      check([
        { id: 'n', value: '${size([1])}' },
        { id: 'c', call: 'get_user', args: { user_id: '${n}' } },
      ]),
      '/nodes/1/args/user_id',
      'arg_wrong_type',
    );
  });

  it('what JSON turns into text, and empty literals, are dyn', () => {
    valid(
      check([
        { id: 'ts', value: "${timestamp('2020-01-01T00:00:00Z')}" },
        { id: 'v', value: '${ts == null}' },
        { id: 'e', value: '${[]}' },
        { id: 'w', value: '${size(e) == 0 && e == null}' },
        { id: 'k', value: '${ {1: 2} }' },
        { id: 'x', value: "${k['1']}" },
        { id: 'nl', value: '${null}' },
        { id: 'y', value: '${nl.anything}' },
      ]),
    );
  });
});

describe('paginate and race outputs', () => {
  it('paginate is a list of the items expression element type', () => {
    const pg = {
      id: 'p',
      paginate: { call: 'list_orders', args: { cursor: '${cursor}' } },
      next: '${page.next_cursor}',
      items: '${page.items.map(i, i.id)}',
      max_pages: 3,
    };
    onlyIssue(
      check([pg, { id: 'c', call: 'charge_card', args: { amount: '${p[0]}' } }]),
      '/nodes/1/args/amount',
      'arg_wrong_type',
    );
  });

  it('race is its branches type when they agree', () => {
    const race = { id: 'r', race: [status('a'), status('b')], pick: 'first' };
    onlyIssue(check([race, { id: 'v', value: '${r.stat}' }]), '/nodes/1/value', 'no_such_field');
    valid(check([race, { id: 'v', value: '${r.state}' }]));
  });
});

describe('a field read by index', () => {
  it("names the field in the message: g['nope'] is not a field, quoted as nope", () => {
    const r = check([status('st'), { id: 'v', value: "${st['nope']}" }]);
    const hit = onlyIssue(r, '/nodes/1/value', 'no_such_field');
    expect(hit.message).toContain('"nope" is not a field of');
    expect(hit.message).not.toContain('[object Object]');
  });
});
