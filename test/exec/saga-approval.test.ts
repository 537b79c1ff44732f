import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  executePlan,
  foldEvents,
  MemoryJournalStore,
  type RunEvent,
  resumeRun,
} from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';
import { createBundledWorld } from '../../tools/index.ts';

function world() {
  const calls: string[] = [];
  const t = (
    name: string,
    fn: (args: Record<string, unknown>) => unknown,
    extra: Partial<Tool> = {},
  ): Tool => ({
    name,
    description: name,
    inputSchema: z.object({}).passthrough(),
    execute: (args: Record<string, unknown>, ctx) => {
      calls.push(`${name}|${JSON.stringify(args)}|${ctx.idempotencyKey}`);
      return fn(args);
    },
    ...extra,
  });
  const tools = [
    t('charge', (a) => ({ id: `ch_${a.amount}` })),
    t('refund', () => ({ refunded: true })),
    t('fail', () => {
      throw new Error('downstream broke');
    }),
    t('deploy', () => ({ deployed: true }), { requires_approval: true }),
    t('echo', (a) => a),
  ];
  return { tools, calls };
}

describe('saga', () => {
  it('compensates finished nodes in reverse order of finishing when an error is not caught', async () => {
    const { tools, calls } = world();
    const events: RunEvent[] = [];
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'c1',
            call: 'charge',
            args: { amount: 1 },
            compensate: { call: 'refund', args: { id: '${c1.id}' } },
          },
          {
            id: 'c2',
            call: 'charge',
            args: { amount: '${c1.id == "ch_1" ? 2 : 0}' },
            compensate: { call: 'refund', args: { id: '${c2.id}' } },
          },
          { id: 'x', after: ['c2'], call: 'fail' },
        ],
      },
      { tools, onEvent: (e) => events.push(e) },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ToolError', node: 'x' } });
    const refunds = calls.filter((c) => c.startsWith('refund'));
    expect(refunds.map((c) => c.split('|').slice(0, 2).join('|'))).toEqual([
      'refund|{"id":"ch_2"}',
      'refund|{"id":"ch_1"}',
    ]);
    expect(refunds[0]).toMatch(/\/c2\/compensate$/);
    expect(
      events
        .filter((e) => e.type.startsWith('compensation'))
        .map((e) => `${e.type}:${(e as { key: string }).key}`),
    ).toEqual([
      'compensation.started:c2',
      'compensation.finished:c2',
      'compensation.started:c1',
      'compensation.finished:c1',
    ]);
  });

  it('inside try, the body is compensated before catch runs; nothing else is', async () => {
    const { tools, calls } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'outer',
            call: 'charge',
            args: { amount: 9 },
            compensate: { call: 'refund', args: { id: '${outer.id}' } },
          },
          {
            id: 't',
            try: [
              {
                id: 'inner',
                call: 'charge',
                args: { amount: 5 },
                compensate: { call: 'refund', args: { id: '${inner.id}' } },
              },
              { id: 'bad', after: ['inner'], call: 'fail' },
            ],
            catch: [{ id: 'h', call: 'echo', args: { caught: '${error.node}' } }],
          },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { t: { caught: 'bad' } } });
    const names = calls.map((c) => c.split('|').slice(0, 2).join('|'));
    expect(names.indexOf('refund|{"id":"ch_5"}')).toBeGreaterThanOrEqual(0);
    expect(names.indexOf('refund|{"id":"ch_5"}')).toBeLessThan(
      names.findIndex((c) => c.startsWith('echo')),
    );
    expect(names).not.toContain('refund|{"id":"ch_9"}');
  });

  it('a failed compensation makes the run fail with CompensationFailed', async () => {
    const { tools } = world();
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'c', call: 'charge', args: { amount: 1 }, compensate: { call: 'fail' } },
          { id: 'x', after: ['c'], call: 'fail' },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({ status: 'failed', error: { name: 'CompensationFailed' } });
  });
});

describe('approval', () => {
  const plan = {
    version: 1,
    nodes: [
      { id: 'prep', call: 'echo', args: { v: 1 } },
      { id: 'ask', call: 'echo', approval: true, args: { v: '${prep.v}' } },
      { id: 'ship', call: 'deploy', args: {} },
      { id: 'other', call: 'echo', args: { v: 'independent' } },
    ],
  };

  it('suspends when nothing else can run, then resume --approve continues it', async () => {
    const { tools, calls } = world();
    const store = new MemoryJournalStore();
    const r = await executePlan(plan, { tools, store, runId: 'ap1' });
    expect(r.status).toBe('suspended');
    if (r.status !== 'suspended') return;
    // requires_approval on the tool holds whatever the plan says.
    expect(r.waiting.map((w) => w.key).sort()).toEqual(['ask', 'ship']);
    expect(calls.filter((c) => c.startsWith('echo')).length).toBe(2);
    const partial = await resumeRun('ap1', { tools, store, approveNodes: ['ask'] });
    expect(partial).toMatchObject({ status: 'suspended', waiting: [{ key: 'ship' }] });
    const done = await resumeRun('ap1', { tools, store, approveNodes: ['ship'] });
    expect(done).toMatchObject({
      status: 'succeeded',
      output: { ask: { v: 1 }, ship: { deployed: true }, other: { v: 'independent' } },
    });
    // prep and other ran once in total, not again on each resume.
    expect(calls.filter((c) => c.includes('/prep')).length).toBe(1);
    expect(calls.filter((c) => c.includes('/other')).length).toBe(1);
  });

  it('--deny fails the node with ApprovalDenied', async () => {
    const { tools } = world();
    const store = new MemoryJournalStore();
    await executePlan(plan, { tools, store, runId: 'ap2' });
    const r = await resumeRun('ap2', { tools, store, denyNodes: ['ship'], approveNodes: ['ask'] });
    expect(r).toMatchObject({ status: 'failed', error: { name: 'ApprovalDenied', node: 'ship' } });
  });

  it('an approve callback decides instead of suspending; the decision is journaled', async () => {
    const { tools } = world();
    const events: RunEvent[] = [];
    const asked: string[] = [];
    const r = await executePlan(plan, {
      tools,
      onEvent: (e) => events.push(e),
      approve: async (req) => {
        asked.push(req.key);
        return true;
      },
    });
    expect(asked.sort()).toEqual(['ask', 'ship']);
    expect(r.status).toBe('succeeded');
    expect(events.filter((e) => e.type === 'approval.decided')).toHaveLength(2);
    const denied = await executePlan(
      { version: 1, nodes: [{ id: 'd', call: 'deploy' }] },
      { tools, approve: () => false },
    );
    expect(denied).toMatchObject({
      status: 'failed',
      error: { name: 'ApprovalDenied', node: 'd' },
    });
  });

  describe('a fallback alternative that requires approval', () => {
    const plan = {
      version: 1,
      nodes: [
        {
          id: 'x',
          call: 'always_fails',
          args: {},
          fallback: [{ call: 'delete_everything', args: {} }],
        },
      ],
      output: '${x}',
    };

    it('is called once the approve callback says yes, and asked under its own key', async () => {
      const world = createBundledWorld();
      const asked: string[] = [];
      const r = await executePlan(plan, {
        tools: world.tools,
        approve: (req) => {
          asked.push(`${req.key}:${req.tool}`);
          return true;
        },
      });
      expect(r).toMatchObject({ status: 'succeeded', output: { deleted: true } });
      expect(asked).toEqual(['x/fallback/0:delete_everything']);
      expect(world.scenario.calls.get('delete_everything')).toBe(1);
    });

    it('fails with ApprovalDenied, never calling it, when the callback says no', async () => {
      const world = createBundledWorld();
      const r = await executePlan(plan, { tools: world.tools, approve: () => false });
      expect(r).toMatchObject({ status: 'failed', error: { name: 'ApprovalDenied', node: 'x' } });
      expect(world.scenario.calls.get('delete_everything') ?? 0).toBe(0);
    });

    it('with nobody to ask, suspends on it; resume --approve runs it', async () => {
      const world = createBundledWorld();
      const store = new MemoryJournalStore();
      const r = await executePlan(plan, { tools: world.tools, store, runId: 'fb' });
      expect(r).toMatchObject({
        status: 'suspended',
        waiting: [{ key: 'x/fallback/0', node: 'x', tool: 'delete_everything' }],
      });
      expect(world.scenario.calls.get('delete_everything') ?? 0).toBe(0);
      const done = await resumeRun('fb', { tools: world.tools, store, approveNodes: ['x'] });
      expect(done).toMatchObject({ status: 'succeeded', output: { deleted: true } });
      expect(world.scenario.calls.get('delete_everything')).toBe(1);
      // One node, finished: the decision's key is not a node of its own.
      expect(done.stats.nodes).toEqual({ succeeded: 1 });
      expect(foldEvents(await store.read('fb')).nodes.size).toBe(1);
    });

    /** The run's journal, checked to fold to what the run reported. */
    async function journaled(approve: (key: string) => boolean, p: object = plan) {
      const world = createBundledWorld();
      const events: RunEvent[] = [];
      const r = await executePlan(p, {
        tools: world.tools,
        onEvent: (e) => events.push(e),
        approve: (req) => approve(req.key),
      });
      const folded = foldEvents(events);
      const statuses = Object.fromEntries([...folded.nodes].map(([k, n]) => [k, n.status]));
      const timeline = events
        .filter((e) => e.type.startsWith('node.') || e.type === 'approval.decided')
        .map((e) => {
          // What the journal says happened, without timing and payloads.
          const rest: Record<string, unknown> = { ...e };
          for (const k of ['seq', 'at', 'error', 'output', 'args']) delete rest[k];
          return rest;
        });
      return { r, statuses, timeline, world };
    }

    it('after a yes, the run ends with its one node succeeded, none left running', async () => {
      const { r, statuses, timeline } = await journaled(() => true);
      expect(r.status).toBe('succeeded');
      expect(r.stats.nodes).toEqual({ succeeded: 1 });
      expect(statuses).toEqual({ x: 'succeeded' });
      // The node waits for the alternative's decision, recorded under the alternative's key.
      expect(timeline).toEqual([
        {
          type: 'node.started',
          key: 'x',
          node: 'x',
          kind: 'call',
          attempt: 1,
          tool: 'always_fails',
        },
        { type: 'node.attempt_failed', key: 'x', attempt: 1, tool: 'always_fails' },
        {
          type: 'node.waiting',
          key: 'x',
          node: 'x',
          tool: 'delete_everything',
          approval: 'x/fallback/0',
        },
        {
          type: 'approval.decided',
          key: 'x/fallback/0',
          approved: true,
          by: 'callback',
          waiter: 'x',
        },
        { type: 'node.attempt', key: 'x', attempt: 1, tool: 'delete_everything' },
        { type: 'node.succeeded', key: 'x' },
      ]);
    });

    it('after a no, the run ends with its one node failed, none left waiting', async () => {
      const { r, statuses, timeline } = await journaled(() => false);
      expect(r).toMatchObject({ status: 'failed', error: { name: 'ApprovalDenied', node: 'x' } });
      expect(r.stats.nodes).toEqual({ failed: 1 });
      expect(statuses).toEqual({ x: 'failed' });
      expect(timeline.map((e) => e.type).slice(-3)).toEqual([
        'node.waiting',
        'approval.decided',
        'node.failed',
      ]);
    });

    it('a no to one alternative lets the next one run, from a node that runs on', async () => {
      const withNext = {
        ...plan,
        nodes: [{ ...plan.nodes[0]!, fallback: [...plan.nodes[0]!.fallback, { value: 'kept' }] }],
      };
      const { r, statuses, world } = await journaled(() => false, withNext);
      expect(r).toMatchObject({ status: 'succeeded', output: 'kept' });
      expect(r.stats.nodes).toEqual({ succeeded: 1 });
      expect(statuses).toEqual({ x: 'succeeded' });
      expect(world.scenario.calls.get('delete_everything') ?? 0).toBe(0);
    });

    it('the node and its alternative are decided under their own keys', async () => {
      const gated = {
        version: 1,
        nodes: [
          {
            id: 'x',
            call: 'always_fails',
            approval: true,
            args: {},
            fallback: [{ call: 'delete_everything', args: {} }],
          },
        ],
        output: '${x}',
      };
      const asked: string[] = [];
      const { r, statuses } = await journaled((key) => {
        asked.push(key);
        return key === 'x';
      }, gated);
      expect(asked).toEqual(['x', 'x/fallback/0']);
      expect(r).toMatchObject({ status: 'failed', error: { name: 'ApprovalDenied' } });
      expect(statuses).toEqual({ x: 'failed' });
      // A no to the call itself stops the node: its alternatives are not tried.
      asked.length = 0;
      const denied = await journaled((key) => {
        asked.push(key);
        return false;
      }, gated);
      expect(asked).toEqual(['x']);
      expect(denied.r).toMatchObject({ status: 'failed', error: { name: 'ApprovalDenied' } });
      expect(denied.world.scenario.calls.get('always_fails') ?? 0).toBe(0);
      expect(denied.statuses).toEqual({ x: 'failed' });
    });
  });
});
