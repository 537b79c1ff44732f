// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  canMoveNode,
  executePlan,
  foldEvents,
  MemoryJournalStore,
  type NodeStatus,
  type RunEvent,
  type RunResult,
  resultFromState,
} from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/**
 * Fault injection over random plans of every node kind: tools fail, refuse retries, hang
 * ignoring their signal, return garbage or nothing; arguments fail their schema at run
 * time; fallbacks call tools that need approval, granted or denied. Whatever happens, the
 * run ends with a typed result; its journal folds to the state the live run reported; every
 * node instance walks a legal path of the node state machine and nothing is left running.
 */

const MODES = ['ok', 'ok', 'ok', 'fail', 'fatal', 'hang', 'garbage', 'slow', 'nothing'] as const;
type Mode = (typeof MODES)[number];

function act(mode: string, signal: AbortSignal): unknown {
  switch (mode as Mode) {
    case 'ok':
      return { ok: true };
    case 'fail':
      throw new Error('injected failure');
    case 'fatal':
      throw Object.assign(new Error('injected fatal'), { name: 'Fatal', retryable: false });
    case 'hang':
      return new Promise(() => {});
    case 'garbage': {
      const o: Record<string, unknown> = { n: 1n };
      o.self = o;
      return o;
    }
    case 'slow':
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve({ slow: true }), 8);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          reject(signal.reason);
        });
      });
    default:
      return undefined;
  }
}

const tools: Tool[] = [
  {
    name: 'rnd',
    description: 'does what its mode says',
    inputSchema: z.object({ mode: z.string() }),
    timeout_ms: 15,
    execute: ({ mode }: { mode: string }, ctx) => act(mode, ctx.signal),
  },
  {
    name: 'gated',
    description: 'needs a person to approve every call (the approve option decides)',
    inputSchema: z.object({ mode: z.string() }),
    requires_approval: true,
    timeout_ms: 15,
    execute: ({ mode }: { mode: string }, ctx) => act(mode, ctx.signal),
  },
  {
    name: 'typed',
    description: 'declares an output schema it may not honour',
    inputSchema: z.object({ mode: z.string() }),
    outputSchema: z.object({ ok: z.boolean() }),
    timeout_ms: 15,
    execute: ({ mode }: { mode: string }, ctx) => act(mode, ctx.signal),
  },
  {
    name: 'pages',
    description: 'three pages, or what the mode says',
    inputSchema: z.object({ mode: z.string(), cursor: z.number().nullable() }),
    timeout_ms: 15,
    execute: ({ mode, cursor }: { mode: string; cursor: number | null }, ctx) => {
      const c = cursor ?? 0;
      if (mode === 'ok' || c > 0) return { items: [c], next: c < 2 ? c + 1 : null };
      return act(mode, ctx.signal);
    },
  },
  {
    name: 'undo',
    description: 'compensation, or what the mode says',
    inputSchema: z.object({ mode: z.string() }).passthrough(),
    timeout_ms: 15,
    execute: ({ mode }: { mode: string }, ctx) => act(mode, ctx.signal),
  },
];

/** A fallback alternative: a value, a call, or a call of a tool that needs approval. */
type Alt = Mode | 'value' | `gated:${Mode}`;

/** The shape of a node; ids are assigned afterwards so they are unique in the plan. */
type Shape =
  | {
      k: 'call';
      tool: 'rnd' | 'typed';
      mode: Mode;
      fromItem: boolean;
      /** Arguments that fail the input schema once evaluated (a number for a string). */
      badArgs: boolean;
      retry: number;
      fallback: Alt[];
      undo: Mode | null;
      approval: boolean;
      cond: boolean | null;
    }
  | { k: 'value'; bad: boolean; cond: boolean | null }
  | { k: 'fail' }
  | { k: 'wait'; ms: number }
  | { k: 'emit' }
  | { k: 'paginate'; mode: Mode }
  | { k: 'map'; items: Mode[]; tolerate: number | null; conc: number; body: Shape[] }
  | { k: 'race'; best: boolean; branches: Shape[] }
  | { k: 'switch'; whens: boolean[]; bodies: Shape[][] }
  | { k: 'loop'; max: number; body: Shape[] }
  | { k: 'try'; body: Shape[]; catchBody: Shape[] | null; finallyBody: Shape[] | null };

const mode = fc.constantFrom(...MODES);
const cond = fc.constantFrom(null, null, true, false);

const leaf: fc.Arbitrary<Shape> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('call' as const),
      tool: fc.constantFrom('rnd' as const, 'typed' as const),
      mode,
      fromItem: fc.boolean(),
      badArgs: fc.constantFrom(false, false, false, true),
      retry: fc.integer({ min: 1, max: 3 }),
      fallback: fc.array(
        fc.oneof(
          mode,
          fc.constant('value' as const),
          mode.map((m) => `gated:${m}` as const),
        ),
        { maxLength: 2 },
      ),
      undo: fc.option(mode, { nil: null }),
      approval: fc.boolean(),
      cond,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ k: fc.constant('value' as const), bad: fc.boolean(), cond }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('fail' as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 5 }) }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('emit' as const) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('paginate' as const), mode }) },
);

const shape: fc.Arbitrary<Shape> = fc.letrec<{ node: Shape; body: Shape[] }>((tie) => ({
  body: fc.array(tie('node'), { minLength: 1, maxLength: 3 }),
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: leaf },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('map' as const),
        items: fc.array(mode, { maxLength: 4 }),
        tolerate: fc.option(fc.constantFrom(0, 0.25, 0.5, 1), { nil: null }),
        conc: fc.integer({ min: 1, max: 3 }),
        body: tie('body'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('race' as const),
        best: fc.boolean(),
        branches: tie('body'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(fc.boolean(), tie('body')), { minLength: 1, maxLength: 2 })
        .map((cases) => ({
          k: 'switch' as const,
          whens: cases.map((c) => c[0]),
          bodies: cases.map((c) => c[1]),
        })),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('loop' as const),
        max: fc.integer({ min: 1, max: 3 }),
        body: tie('body'),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        k: fc.constant('try' as const),
        body: tie('body'),
        catchBody: fc.option(tie('body'), { nil: null }),
        finallyBody: fc.option(tie('body'), { nil: null }),
      }),
    },
  ),
})).node;

/** Turns shapes into plan nodes with unique ids; `inMap` says `item` is a mode in scope. */
function build(shapes: Shape[], ids: { n: number }, inMap: boolean): Record<string, unknown>[] {
  return shapes.map((s) => {
    const id = `n${ids.n++}`;
    const withCond = (c: boolean | null) => (c === null ? {} : { if: `\${${c}}` });
    switch (s.k) {
      case 'call':
        return {
          id,
          call: s.tool,
          args: { mode: s.badArgs ? '${1}' : inMap && s.fromItem ? '${item}' : s.mode },
          ...(s.retry > 1 ? { retry: { attempts: s.retry, delay_ms: 1 } } : {}),
          ...(s.fallback.length
            ? {
                fallback: s.fallback.map((f) =>
                  f === 'value'
                    ? { value: '${ {"fallback": true} }' }
                    : f.startsWith('gated:')
                      ? { call: 'gated', args: { mode: f.slice('gated:'.length) } }
                      : { call: 'rnd', args: { mode: f } },
                ),
              }
            : {}),
          ...(s.undo
            ? { compensate: { call: 'undo', args: { mode: s.undo, of: `\${${id}}` } } }
            : {}),
          ...(s.approval ? { approval: true } : {}),
          ...withCond(s.cond),
        };
      case 'value':
        return { id, value: s.bad ? '${ {"a": 1}.b }' : '${ [1, 2.5, "x"] }', ...withCond(s.cond) };
      case 'fail':
        return { id, fail: 'planned failure', error: 'Planned' };
      case 'wait':
        return { id, wait_ms: s.ms };
      case 'emit':
        return { id, emit: 'topic', data: { at: id } };
      case 'paginate':
        return {
          id,
          paginate: { call: 'pages', args: { mode: s.mode, cursor: '${cursor}' } },
          next: '${page.next}',
          items: '${page.items}',
          max_pages: 5,
        };
      case 'map':
        return {
          id,
          map: s.items,
          concurrency: s.conc,
          ...(s.tolerate === null ? {} : { tolerate: s.tolerate }),
          do: build(s.body, ids, true),
        };
      case 'race':
        return {
          id,
          race: build(s.branches, ids, inMap),
          ...(s.best ? { pick: 'best', score: '${1}' } : {}),
        };
      case 'switch':
        return {
          id,
          switch: s.bodies.map((b, i) => ({ when: `\${${s.whens[i]}}`, do: build(b, ids, inMap) })),
        };
      case 'loop':
        return {
          id,
          loop: build(s.body, ids, inMap),
          while: '${iteration < 5}',
          max_iterations: s.max,
        };
      case 'try':
        return {
          id,
          try: build(s.body, ids, inMap),
          ...(s.catchBody ? { catch: build(s.catchBody, ids, inMap) } : {}),
          ...(s.finallyBody ? { finally: build(s.finallyBody, ids, inMap) } : {}),
        };
      default:
        throw new Error(`unknown shape ${JSON.stringify(s)}`);
    }
  });
}

/** The status an event moves its node instance to (undefined: no move). */
function target(e: RunEvent, from: NodeStatus): NodeStatus | undefined {
  switch (e.type) {
    case 'node.started':
      return 'running';
    case 'node.attempt':
      return from === 'running' || from === 'compensating' ? undefined : 'running';
    case 'node.waiting':
      return 'waiting';
    case 'approval.decided':
      // A node waiting for a fallback alternative's decision runs on whatever the answer.
      return from === 'waiting' && (e.approved || e.waiter !== undefined) ? 'running' : undefined;
    case 'node.succeeded':
      return 'succeeded';
    case 'node.failed':
      return 'failed';
    case 'node.skipped':
      return 'skipped';
    case 'node.cancelled':
      return 'cancelled';
    case 'compensation.started':
      return 'compensating';
    case 'compensation.finished':
      return e.ok ? 'compensated' : 'succeeded';
    default:
      return undefined;
  }
}

function checkLifecycles(events: RunEvent[]): Map<string, NodeStatus> {
  const status = new Map<string, NodeStatus>();
  for (const e of events) {
    if (!('key' in e) || e.type === 'emit') continue;
    // A decision names its own key; the node it moves is the one that waited for it.
    const key = e.type === 'approval.decided' ? (e.waiter ?? e.key) : e.key;
    const from = status.get(key) ?? 'pending';
    const to = target(e, from);
    if (to === undefined) continue;
    expect(canMoveNode(from, to), `${key}: ${from} -> ${to} (${e.type})`).toBe(true);
    status.set(key, to);
  }
  return status;
}

function checkResult(r: RunResult): void {
  expect(['succeeded', 'failed', 'cancelled']).toContain(r.status);
  if (r.status === 'failed' || r.status === 'cancelled') {
    expect(typeof r.error.name).toBe('string');
    expect(r.error.name.length).toBeGreaterThan(0);
    expect(typeof r.error.message).toBe('string');
    expect(typeof r.error.code).toBe('string');
  }
  if (r.status === 'succeeded') expect(() => JSON.stringify(r.output)).not.toThrow();
}

describe('lifecycle under fault injection (property)', () => {
  it('every run ends typed; journal = live state; every node path is legal; nothing left running', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(shape, { minLength: 1, maxLength: 5 }),
        fc.option(fc.integer({ min: 1, max: 40 }), { nil: null }),
        fc.option(fc.integer({ min: 5, max: 60 }), { nil: null }),
        fc.option(fc.integer({ min: 1, max: 30 }), { nil: null }),
        fc.integer({ min: 1, max: 4 }),
        async (shapes, cancelAfter, deadline, maxCalls, maxConcurrency) => {
          runs += 1;
          const runId = `prop${runs}`;
          const nodes = build(shapes, { n: 0 }, false);
          const store = new MemoryJournalStore();
          const live: RunEvent[] = [];
          const ac = new AbortController();
          const timer =
            cancelAfter === null ? undefined : setTimeout(() => ac.abort(), cancelAfter);
          const r = await executePlan(
            {
              version: 1,
              nodes,
              limits: {
                ...(deadline === null ? {} : { deadline_ms: deadline }),
                ...(maxCalls === null ? {} : { max_tool_calls: maxCalls }),
              },
            },
            {
              tools,
              store,
              runId,
              signal: ac.signal,
              limits: { max_concurrency: maxConcurrency },
              onEvent: (e) => live.push(e),
              approve: (req) => req.key.length % 2 === 0,
              random: () => 0.5,
            },
          );
          clearTimeout(timer);
          checkResult(r);
          // Late work (a hung tool, a timer) must not append after the run finished.
          const count = live.length;
          await new Promise((res) => setTimeout(res, 20));
          expect(live.length).toBe(count);

          const journal = await store.read(runId);
          expect(journal).toEqual(live);
          expect(journal.map((e) => e.seq)).toEqual(journal.map((_, i) => i));
          expect(journal.filter((e) => e.type === 'run.finished')).toHaveLength(1);
          expect(journal.at(-1)!.type).toBe('run.finished');

          const folded = foldEvents(journal, runId);
          expect(folded.status).toBe(r.status);
          expect(folded.toolCalls).toBe(r.stats.toolCalls);
          expect(folded.events).toBe(r.stats.events);
          const counts: Record<string, number> = {};
          for (const n of folded.nodes.values()) counts[n.status] = (counts[n.status] ?? 0) + 1;
          expect(counts).toEqual(r.stats.nodes);
          const replayed = resultFromState(folded)!;
          expect(replayed.status).toBe(r.status);
          if (r.status === 'succeeded') expect(replayed).toMatchObject({ output: r.output });
          else if (r.status !== 'suspended')
            expect(replayed).toMatchObject({ error: { name: r.error.name, code: r.error.code } });

          const paths = checkLifecycles(journal);
          for (const [key, s] of paths) {
            expect(['running', 'waiting', 'compensating'], `${key} left ${s}`).not.toContain(s);
          }
          // The fold agrees: a finished run leaves no node in flight, not even a decision's key.
          for (const s of ['running', 'waiting', 'compensating'] as const)
            expect(r.stats.nodes[s] ?? 0, `${s} in ${JSON.stringify(r.stats.nodes)}`).toBe(0);
          if (maxCalls !== null) expect(r.stats.toolCalls).toBeLessThanOrEqual(maxCalls);
        },
      ),
      { numRuns: 120 },
    );
  }, 30_000);
});
