// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * A real child process for the random-kill trials. `start` or `resume` a run of one of two
 * plans over a file journal; its tools have real side effects: each call appends one line
 * (idempotency key, node, arguments) to an effects file before it does anything else.
 *
 * argv: mode (start|resume) journalDir runId effectsFile plan (work|saga|trysaga|nodes)
 * stdout: `READY` at the run's first event, then the run result as one JSON line.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { cancelOnSigint } from '../../../src/cli/interrupt.ts';
import { executePlan, FileJournalStore, resumeRun } from '../../../src/exec/index.ts';
import { RunLeasedError } from '../../../src/exec/journal-errors.ts';
import { thisProcess } from '../../../src/exec/journal-lease.ts';
import { holdLease } from '../../../src/exec/lease-keeper.ts';
import type { Tool, ToolContext } from '../../../src/tool/tool.ts';
import { pause } from './pause.ts';

const [mode, dir, runId, effectsFile, planName] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  keyof typeof PLANS,
];
const appliedFile = `${effectsFile}.applied`;

function effect(ctx: ToolContext, args: unknown): void {
  appendFileSync(effectsFile, `${ctx.idempotencyKey}|${ctx.nodeId}|${JSON.stringify(args)}\n`);
}

/** Deterministic per call, so a trial's timing varies only with where it is killed. */
function delayOf(key: string, base: number): number {
  let h = 0;
  for (const c of key) h = (h * 31 + c.charCodeAt(0)) | 0;
  return base + (Math.abs(h) % base);
}

const work: Tool = {
  name: 'work',
  description: 'a side effect: appends a line, then returns its input',
  inputSchema: z.object({ v: z.unknown(), cursor: z.unknown().optional() }),
  mutating: true,
  execute: async (args: { v: unknown; cursor?: unknown }, ctx) => {
    effect(ctx, args);
    await pause(delayOf(ctx.idempotencyKey.slice(runId.length), 8), ctx.signal);
    const c = typeof args.cursor === 'number' ? args.cursor : 0;
    return { v: args.v, next: c < 3 ? c + 1 : null };
  },
};

const charge: Tool = {
  name: 'charge',
  description: 'charges an amount',
  inputSchema: z.object({ amount: z.number() }),
  mutating: true,
  execute: async (args: { amount: number }, ctx) => {
    effect(ctx, args);
    await pause(10, ctx.signal);
    return { id: `ch_${args.amount}` };
  },
};

/** Idempotent on its key, as a real refund API is: a repeated call applies nothing twice. */
const refund: Tool = {
  name: 'refund',
  description: 'refunds a charge',
  inputSchema: z.object({ id: z.string() }),
  mutating: true,
  execute: async (args: { id: string }, ctx) => {
    effect(ctx, args);
    await pause(25, ctx.signal);
    let applied = '';
    try {
      applied = readFileSync(appliedFile, 'utf8');
    } catch {}
    if (!applied.split('\n').includes(`${ctx.idempotencyKey}|${args.id}`))
      appendFileSync(appliedFile, `${ctx.idempotencyKey}|${args.id}\n`);
    await pause(15, ctx.signal);
    return { refunded: args.id };
  },
};

const fail: Tool = {
  name: 'fail',
  description: 'always fails',
  inputSchema: z.object({}),
  execute: () => {
    throw new Error('the downstream service refused');
  },
};

export const WORK_PLAN = {
  version: 1,
  nodes: [
    { id: 'a', call: 'work', args: { v: 1 } },
    {
      id: 'm',
      map: [1, 2, 3, 4, 5, 6],
      concurrency: 3,
      do: [{ id: 'x', call: 'work', args: { v: '${item * 10}' } }],
    },
    { id: 'b', call: 'work', args: { v: '${a.v + size(m)}' } },
    {
      id: 'l',
      loop: [{ id: 'st', call: 'work', args: { v: '${iteration}' } }],
      while: '${st.v < 3}',
      max_iterations: 6,
    },
    {
      id: 'p',
      paginate: { call: 'work', args: { v: 'page', cursor: '${cursor}' } },
      next: '${page.next}',
      items: '${[page.next]}',
      max_pages: 6,
    },
    { id: 'c', call: 'work', args: { v: '${b.v + l.v}' } },
    { id: 'out', value: '${ {"c": c.v, "m": m.map(r, r.v), "l": l.v, "p": p} }' },
  ],
};

const compensated = (id: string, amount: number, after?: string) => ({
  id,
  call: 'charge',
  args: { amount },
  ...(after ? { after: [after] } : {}),
  compensate: { call: 'refund', args: { id: `\${${id}.id}` } },
});

export const SAGA_PLAN = {
  version: 1,
  nodes: [
    compensated('c1', 1),
    compensated('c2', 2, 'c1'),
    compensated('c3', 3, 'c2'),
    compensated('c4', 4, 'c3'),
    { id: 'boom', after: ['c4'], call: 'fail', args: {} },
  ],
};

/** The same charges inside a `try`: compensated there, then `catch` runs and the run goes on. */
export const TRY_SAGA_PLAN = {
  version: 1,
  nodes: [
    {
      id: 't',
      try: SAGA_PLAN.nodes,
      catch: [{ id: 'handled', value: '${error.node}' }],
    },
    { id: 'after', after: ['t'], call: 'work', args: { v: 'after' } },
  ],
  output: '${ {"t": t, "after": after.v} }',
};

/** Two maps of one call an item, one item at a time, and a node budget the second passes. */
export const NODES_PLAN = {
  version: 1,
  limits: { max_nodes: 9 },
  nodes: [
    {
      id: 'm1',
      map: [1, 2, 3, 4, 5, 6],
      concurrency: 1,
      do: [{ id: 'x', call: 'work', args: { v: '${item}' } }],
    },
    {
      id: 'm2',
      after: ['m1'],
      map: [1, 2, 3, 4, 5, 6],
      concurrency: 1,
      do: [{ id: 'y', call: 'work', args: { v: '${item * 10}' } }],
    },
  ],
};

const PLANS = { work: WORK_PLAN, saga: SAGA_PLAN, trysaga: TRY_SAGA_PLAN, nodes: NODES_PLAN };

const files = new FileJournalStore(dir);
// As `toolplan exec` and `resume` do: one writer per run, and Ctrl-C cancels the run.
let held: Awaited<ReturnType<typeof holdLease>>;
try {
  held = await holdLease(files, runId, thisProcess('kill-worker'));
} catch (error) {
  if (!(error instanceof RunLeasedError)) throw error;
  process.stdout.write(`${JSON.stringify({ status: 'leased', error: { name: error.name } })}\n`);
  process.exit(0);
}
const store = held.store;
const sigint = cancelOnSigint();
const signal = AbortSignal.any([sigint.signal, held.lost]);
const stopping = { stopSignal: sigint.stopSignal, onCompensating: sigint.onCompensating };
const tools = [work, charge, refund, fail];
// READY once the run's first event exists, so kill times are spread over the run itself.
let ready = false;
const onEvent = () => {
  if (ready) return;
  ready = true;
  process.stdout.write('READY\n');
};
const result =
  mode === 'resume'
    ? await resumeRun(runId, { tools, store, onEvent, signal, ...stopping })
    : await executePlan(PLANS[planName], {
        tools,
        store,
        runId,
        onEvent,
        signal,
        ...stopping,
      });
sigint.dispose();
await held.release();
process.stdout.write(`${JSON.stringify(result)}\n`);
