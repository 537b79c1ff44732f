// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan, foldEvents, type RunEvent } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/** `try`/`catch`/`finally` and the saga: what is undone, when, in which order. */

function world() {
  const log: string[] = [];
  const t = (name: string, fn: (a: Record<string, unknown>) => unknown): Tool => ({
    name,
    description: name,
    inputSchema: z.object({}).passthrough(),
    execute: (args: Record<string, unknown>) => {
      log.push(`${name}:${JSON.stringify(args)}`);
      return fn(args);
    },
  });
  const tools = [
    // Finishes after `ms`: the finishing order is chosen by the test, not the list order.
    t(
      'book',
      (a) => new Promise((r) => setTimeout(() => r({ id: `bk_${a.what}` }), Number(a.ms ?? 0))),
    ),
    t('cancel', () => ({ ok: true })),
    t('fail', (a) => {
      throw Object.assign(new Error(String(a.msg ?? 'broke')), { name: String(a.name ?? 'Error') });
    }),
    t('note', (a) => a),
    t('cancel_fails', () => {
      throw new Error('cannot undo');
    }),
  ];
  return { tools, log };
}

const booking = (id: string, ms: number, extra: Record<string, unknown> = {}) => ({
  id,
  call: 'book',
  args: { what: id, ms },
  compensate: { call: 'cancel', args: { id: `\${${id}.id}` } },
  ...extra,
});

const calls = (log: string[], prefix: string) => log.filter((l) => l.startsWith(`${prefix}:`));

describe('try: the body is compensated before catch', () => {
  it('in reverse order of finishing (not list order), then catch runs with error in scope', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [
              booking('first_in_list', 30),
              booking('second_in_list', 1),
              {
                id: 'boom',
                after: ['first_in_list', 'second_in_list'],
                call: 'fail',
                args: { msg: 'no seats', name: 'NoSeats' },
              },
            ],
            catch: [{ id: 'h', call: 'note', args: { caught: '${error}' } }],
          },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({
      status: 'succeeded',
      output: { t: { caught: { name: 'NoSeats', message: 'no seats', node: 'boom' } } },
    });
    // second_in_list finished first, so it is undone last.
    expect(log.filter((l) => !l.startsWith('book') && !l.startsWith('fail'))).toEqual([
      'cancel:{"id":"bk_first_in_list"}',
      'cancel:{"id":"bk_second_in_list"}',
      'note:{"caught":{"name":"NoSeats","message":"no seats","node":"boom"}}',
    ]);
  });

  it('compensate args see the node own output under its own id', async () => {
    const { tools, log } = world();
    await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [
              {
                id: 'b',
                call: 'book',
                args: { what: 'x', ms: 0 },
                compensate: { call: 'cancel', args: { booking: '${b}', again: '${b.id}' } },
              },
              { id: 'f', after: ['b'], call: 'fail', args: {} },
            ],
            catch: [{ id: 'h', value: 1 }],
          },
        ],
      },
      { tools },
    );
    expect(calls(log, 'cancel')).toEqual(['cancel:{"booking":{"id":"bk_x"},"again":"bk_x"}']);
  });

  it('only the body is undone: nodes before the try stay, nodes in catch are not undone', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          booking('outer', 0),
          {
            id: 't',
            after: ['outer'],
            try: [booking('inner', 0), { id: 'f', after: ['inner'], call: 'fail', args: {} }],
            catch: [booking('in_catch', 0)],
          },
        ],
      },
      { tools },
    );
    expect(r.status).toBe('succeeded');
    expect(calls(log, 'cancel')).toEqual(['cancel:{"id":"bk_inner"}']);
  });

  it('a body that succeeds is not undone, and its nodes join the run saga', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 't', try: [booking('kept', 0)], catch: [{ id: 'h', value: 'unused' }] },
          { id: 'later', after: ['t'], call: 'fail', args: { msg: 'later' } },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'failed', error: { message: 'later', node: 'later' } });
    expect(calls(log, 'cancel')).toEqual(['cancel:{"id":"bk_kept"}']);
  });

  it('a node finished in a catch body is undone by the run saga when the run later fails', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [booking('tried', 0), { id: 'f', after: ['tried'], call: 'fail', args: {} }],
            catch: [booking('recovered', 0)],
          },
          { id: 'later', after: ['t'], call: 'fail', args: { msg: 'later' } },
        ],
      },
      { tools },
    );
    expect(r.status).toBe('failed');
    // `tried` was undone before catch and not again; `recovered` by the run's saga.
    expect(calls(log, 'cancel')).toEqual([
      'cancel:{"id":"bk_tried"}',
      'cancel:{"id":"bk_recovered"}',
    ]);
  });
});

describe('finally', () => {
  const finallyNote = { id: 'fin', call: 'note', args: { finally: true } };

  it('runs after a successful body, and the try outputs the body', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [{ id: 'ok', value: 'body' }],
            catch: [{ id: 'h', value: 'caught' }],
            finally: [finallyNote],
          },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { t: 'body' } });
    expect(calls(log, 'note')).toEqual(['note:{"finally":true}']);
  });

  it('runs after catch, and the try outputs the catch body', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [{ id: 'f', call: 'fail', args: {} }],
            catch: [{ id: 'h', value: 'caught' }],
            finally: [finallyNote],
          },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { t: 'caught' } });
    expect(calls(log, 'note')).toHaveLength(1);
  });

  it('runs when catch itself fails; the catch error goes on', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [{ id: 'f', call: 'fail', args: { msg: 'first' } }],
            catch: [{ id: 'h', fail: 'catch broke too', error: 'CatchBroke' }],
            finally: [finallyNote],
          },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({
      status: 'failed',
      error: { name: 'CatchBroke', message: 'catch broke too', node: 'h' },
    });
    expect(calls(log, 'note')).toHaveLength(1);
  });

  it('with no catch: body undone, then finally, then the error goes on to the run', async () => {
    const { tools, log } = world();
    const events: RunEvent[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          booking('before', 0),
          {
            id: 't',
            after: ['before'],
            try: [
              booking('inner', 0),
              { id: 'f', after: ['inner'], call: 'fail', args: { msg: 'x' } },
            ],
            finally: [finallyNote],
          },
        ],
      },
      { tools, onEvent: (e) => events.push(e) },
    );
    expect(r).toMatchObject({ status: 'failed', error: { message: 'x', node: 'f' } });
    expect(log.filter((l) => l.startsWith('cancel') || l.startsWith('note'))).toEqual([
      'cancel:{"id":"bk_inner"}',
      'note:{"finally":true}',
      'cancel:{"id":"bk_before"}',
    ]);
    // Each compensation is journaled once, and the journal folds to compensated nodes.
    const state = foldEvents(events);
    expect(state.nodes.get('inner')?.status).toBe('compensated');
    expect(state.nodes.get('before')?.status).toBe('compensated');
    expect(events.filter((e) => e.type === 'compensation.started')).toHaveLength(2);
  });

  it('nested try: the inner catch handles it and the outer catch never runs', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'outer',
            try: [
              {
                id: 'inner',
                try: [{ id: 'f', call: 'fail', args: { msg: 'deep' } }],
                catch: [{ id: 'ih', value: '${"inner:" + error.message}' }],
              },
            ],
            catch: [{ id: 'oh', call: 'note', args: { outer: true } }],
          },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { outer: 'inner:deep' } });
    expect(calls(log, 'note')).toEqual([]);
  });

  it('a fail node error name is what catch sees', async () => {
    const { tools } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [{ id: 'nope', fail: 'not today', error: 'NotToday' }],
            catch: [{ id: 'h', value: '${error}' }],
          },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({
      status: 'succeeded',
      output: { t: { name: 'NotToday', message: 'not today', node: 'nope' } },
    });
  });
});

describe('the run saga', () => {
  it('an uncaught error undoes every finished compensable node, newest first, then fails', async () => {
    const { tools, log } = world();
    const events: RunEvent[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          booking('a', 20),
          booking('b', 1),
          booking('c', 10),
          { id: 'plain', call: 'note', args: {} },
          { id: 'x', after: ['a', 'b', 'c', 'plain'], call: 'fail', args: { msg: 'end' } },
        ],
      },
      { tools, onEvent: (e) => events.push(e) },
    );
    expect(r).toMatchObject({ status: 'failed', error: { message: 'end', node: 'x' } });
    expect(calls(log, 'cancel')).toEqual([
      'cancel:{"id":"bk_a"}',
      'cancel:{"id":"bk_c"}',
      'cancel:{"id":"bk_b"}',
    ]);
    // Compensations are journaled before the run finishes.
    const types = events.map((e) => e.type);
    expect(types.lastIndexOf('compensation.finished')).toBeLessThan(types.indexOf('run.finished'));
  });

  it('a node that never finished is not compensated', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [booking('slow', 2000), { id: 'x', call: 'fail', args: {} }],
      },
      { tools },
    );
    expect(r.status).toBe('failed');
    expect(calls(log, 'cancel')).toEqual([]);
  });

  it('a failed compensation is CompensationFailed, after the other compensations still ran', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          booking('a', 0),
          {
            id: 'b',
            after: ['a'],
            call: 'book',
            args: { what: 'b', ms: 0 },
            compensate: { call: 'cancel_fails', args: {} },
          },
          { id: 'x', after: ['b'], call: 'fail', args: { msg: 'original', name: 'Orig' } },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'CompensationFailed' } });
    if (r.status !== 'failed') return;
    expect(r.error.message).toContain('cannot undo');
    expect(r.error.message).toContain('original');
    expect(r.error.details).toMatchObject({ original: { name: 'Orig', message: 'original' } });
    expect(calls(log, 'cancel')).toEqual(['cancel:{"id":"bk_a"}']);
  });

  it('inside try, a failed body compensation reaches catch as CompensationFailed', async () => {
    const { tools } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [
              {
                id: 'b',
                call: 'book',
                args: { what: 'b', ms: 0 },
                compensate: { call: 'cancel_fails', args: {} },
              },
              { id: 'x', after: ['b'], call: 'fail', args: {} },
            ],
            catch: [{ id: 'h', value: '${error.name}' }],
          },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { t: 'CompensationFailed' } });
  });

  it('compensation calls are not counted against max_tool_calls', async () => {
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [booking('a', 0), { id: 'x', after: ['a'], call: 'fail', args: {} }],
        limits: { max_tool_calls: 2 },
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ToolError' } });
    expect(calls(log, 'cancel')).toHaveLength(1);
    expect(r.stats.toolCalls).toBe(2);
  });

  it('a compensation before catch does not use up the budget the catch body needs', async () => {
    // Regression: compensation tries were folded into toolCalls, so this catch was refused
    // with BudgetExceeded although only 3 of 3 budgeted calls were made.
    const { tools, log } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 't',
            try: [booking('b', 0), { id: 'x', after: ['b'], call: 'fail', args: {} }],
            catch: [{ id: 'n', call: 'note', args: { recovered: true } }],
          },
        ],
        limits: { max_tool_calls: 3 },
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { t: { recovered: true } } });
    expect(r.stats.toolCalls).toBe(3);
    expect(log.map((l) => l.split(':')[0])).toEqual(['book', 'fail', 'cancel', 'note']);
  });
});
