import { randomBytes } from 'node:crypto';
import { BudgetExceededError, CancelledError, ConfigError } from '../errors/runtime-errors.ts';
import { Plan, type PlanLimitsT, type PlanT } from '../plan/plan-schema.ts';
import { ToolRegistry } from '../tool/registry.ts';
import type { Tool } from '../tool/tool.ts';
import { RunActivity, shouldSuspend } from './activity.ts';
import { checkOptions, limitRules } from './check-options.ts';
import { compilePlan } from './compile-plan.ts';
import { evaluateIn } from './evaluate.ts';
import type { RunEvent } from './events.ts';
import { checkJournalFormat } from './journal-format.ts';
import { type JournalStore, MemoryJournalStore } from './journal-store.ts';
import { JournalWriter } from './journal-writer.ts';
import { ExecRuntime } from './kind-runtime.ts';
import {
  DEFAULT_MAX_CONCURRENCY,
  DEFAULT_MAX_ITEMS,
  DEFAULT_MAX_NODES,
  effectiveLimits,
  journaledBodyNodes,
  type RunLimits,
} from './limits.ts';
import { runList } from './node-runner.ts';
import { safeParsePlan } from './parse-run-plan.ts';
import { type ApproveFn, Frame, type RunContext, Suspension, toErrorInfo } from './run-context.ts';
import { type RunResult, resultFromState, statsOf } from './run-result.ts';
import { emptyRunState, foldEvents, type RunState } from './run-state.ts';
import { afterCompensation, compensate, pendingCompensations } from './saga.ts';
import { Semaphore } from './semaphore.ts';

export interface ExecuteOptions {
  tools: ToolRegistry | readonly Tool[];
  input?: unknown;
  signal?: AbortSignal;
  /**
   * Stops compensations at once, leaving the run resumable (`resumeRun` finishes them).
   * Once the run is compensating, `signal` no longer stops it: only this does.
   */
  stopSignal?: AbortSignal;
  /**
   * Told how many steps the run is about to compensate (to tell a person, say). A `try`
   * that compensates tells it too, and again with what is left (0) once it is done.
   */
  onCompensating?: (steps: number) => void;
  /** Where the journal goes; default an in-memory store (no resume across processes). */
  store?: JournalStore;
  runId?: string;
  onEvent?: (event: RunEvent) => void;
  /** Subscribers of `emit` nodes. */
  onEmit?: (topic: string, data: unknown) => void;
  /** Asked for calls that need approval; without it the run suspends instead. */
  approve?: ApproveFn;
  limits?: RunLimits;
  /** Only these tools may be called. */
  allowTools?: readonly string[];
  /** Items of a map in flight at once when the map sets no `concurrency`. */
  mapConcurrency?: number;
  /** Source of randomness for retry jitter (tests). */
  random?: () => number;
}

export interface ResumeOptions extends Omit<ExecuteOptions, 'input' | 'runId' | 'store'> {
  store: JournalStore;
  /** Node ids (or instance keys) a person approved or denied since the run suspended. */
  approveNodes?: readonly string[];
  denyNodes?: readonly string[];
}

export function newRunId(): string {
  const t = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${t}-${randomBytes(4).toString('hex')}`;
}

function failedResult(runId: string, error: unknown): RunResult {
  return {
    status: 'failed',
    error: toErrorInfo(error),
    runId,
    stats: { nodes: {}, toolCalls: 0, durationMs: 0, events: 0 },
  };
}

/** What every entry point checks of the options it shares with `executePlan`. */
function checkRunOptions(where: string, options: ResumeOptions | ExecuteOptions): void {
  if (options === null || typeof options !== 'object')
    throw new ConfigError(
      'invalid_option',
      `${where}: options must be an object, got ${typeof options}`,
    );
  if (!(options.tools instanceof ToolRegistry) && !Array.isArray(options.tools))
    throw new ConfigError(
      'invalid_option',
      `${where}: option "tools" must be a ToolRegistry or a list of tools, got ${typeof options.tools}`,
    );
  checkOptions(where, [
    { name: 'mapConcurrency', value: options.mapConcurrency, rule: 'positive' },
    { name: 'signal', value: options.signal, rule: 'signal' },
    { name: 'stopSignal', value: options.stopSignal, rule: 'signal' },
    { name: 'onCompensating', value: options.onCompensating, rule: 'function' },
    { name: 'onEvent', value: options.onEvent, rule: 'function' },
    { name: 'onEmit', value: options.onEmit, rule: 'function' },
    { name: 'approve', value: options.approve, rule: 'function' },
    { name: 'random', value: options.random, rule: 'function' },
    { name: 'allowTools', value: options.allowTools, rule: 'strings' },
    { name: 'store', value: options.store, rule: 'object' },
    ...limitRules(options.limits),
  ]);
}

function registryOf(tools: ToolRegistry | readonly Tool[]): ToolRegistry {
  return tools instanceof ToolRegistry ? tools : ToolRegistry.from(tools);
}

/** Runs a plan to the end (or to a suspension). Never rejects: every outcome is a result. */
export async function executePlan(plan: unknown, options: ExecuteOptions): Promise<RunResult> {
  const runId = typeof options?.runId === 'string' ? options.runId : newRunId();
  try {
    checkRunOptions('executePlan', options);
    checkOptions('executePlan', [{ name: 'runId', value: options.runId, rule: 'string' }]);
    const parsed = safeParsePlan(plan);
    if (!parsed.success) {
      throw new ConfigError('invalid_plan', `invalid plan: ${parsed.error.issues[0]?.message}`, {
        details: { issues: parsed.error.issues.slice(0, 10) },
      });
    }
    const registry = registryOf(options.tools);
    const store = options.store ?? new MemoryJournalStore();
    if (options.runId && (await store.read(runId)).length > 0) {
      throw new ConfigError('run_exists', `run ${runId} already exists; resume it instead`);
    }
    const limits = effectiveLimits(options.limits, parsed.data.limits);
    const state = emptyRunState(runId);
    const journal = new JournalWriter(store, state, options.onEvent);
    const recorded = {
      limits,
      ...(options.allowTools ? { allowTools: [...options.allowTools] } : {}),
    };
    journal.append({
      type: 'run.started',
      runId,
      plan: parsed.data,
      input: options.input ?? null,
      options: recorded,
    });
    return await drive(parsed.data, journal, registry, options, state, limits);
  } catch (error) {
    return failedResult(runId, error);
  }
}

/**
 * Continues a run from its journal: finished nodes are replayed, never run again; what was
 * running runs again with the same idempotency keys; approvals given now are journaled.
 */
export async function resumeRun(runId: string, options: ResumeOptions): Promise<RunResult> {
  try {
    checkRunOptions('resumeRun', options);
    checkOptions('resumeRun', [
      { name: 'runId', value: runId, rule: 'string' },
      { name: 'approveNodes', value: options.approveNodes, rule: 'strings' },
      { name: 'denyNodes', value: options.denyNodes, rule: 'strings' },
    ]);
    const events = await options.store.read(runId);
    checkJournalFormat(runId, events);
    if (events.length === 0)
      throw new ConfigError('run_not_found', `no run ${runId} in the journal`);
    const state = foldEvents(events, runId);
    const done = state.status === 'succeeded' || state.status === 'failed';
    if (done) return resultFromState(state)!;
    const parsed = Plan.safeParse(state.plan);
    if (!parsed.success)
      throw new ConfigError('bad_journal', `run ${runId}: journaled plan is invalid`);
    const decisions = matchDecisions(state, options.approveNodes ?? [], options.denyNodes ?? []);
    const journal = new JournalWriter(options.store, state, options.onEvent);
    journal.append({ type: 'run.resumed' });
    for (const [key, approved] of decisions)
      journal.append({ type: 'approval.decided', key, approved, by: 'resume' });
    const recorded = state.options ?? { limits: {} };
    return await drive(
      parsed.data,
      journal,
      registryOf(options.tools),
      { ...options, allowTools: options.allowTools ?? recorded.allowTools },
      state,
      effectiveLimits(options.limits, recorded.limits),
    );
  } catch (error) {
    return failedResult(runId, error);
  }
}

function matchDecisions(
  state: RunState,
  approve: readonly string[],
  deny: readonly string[],
): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const pick = (name: string, approved: boolean) => {
    const hits = state.waiting.filter((w) => w.key === name || w.node === name);
    if (hits.length === 0) {
      throw new ConfigError(
        'not_waiting',
        `node ${name} is not waiting for approval in run ${state.runId}; waiting: ${state.waiting.map((w) => w.key).join(', ') || '(none)'}`,
      );
    }
    for (const h of hits) out.set(h.key, approved);
  };
  for (const name of approve) pick(name, true);
  for (const name of deny) pick(name, false);
  return out;
}

/** A run stopped mid-compensation: journaled as unfinished, so resumeRun completes it. */
async function stoppedCompensating(
  journal: JournalWriter,
  runId: string,
  stats: RunResult['stats'],
): Promise<RunResult> {
  await journal.flush().catch(() => {});
  const error = toErrorInfo(
    new CancelledError(
      `the compensations of run ${runId} were stopped before they finished; resume the run (toolplan resume ${runId}) to finish them`,
    ),
  );
  return { status: 'cancelled', error, runId, stats };
}

async function drive(
  plan: PlanT,
  journal: JournalWriter,
  registry: ToolRegistry,
  options: ExecuteOptions,
  state: RunState,
  limits: PlanLimitsT,
): Promise<RunResult> {
  const since = Date.now();
  const runId = state.runId;
  const root = new AbortController();
  let suspendScheduled = false;
  const rt = new ExecRuntime();
  const ctx: RunContext = {
    runId,
    rt,
    journal,
    registry,
    allow: options.allowTools ? new Set(options.allowTools) : undefined,
    global: new Semaphore(limits.max_concurrency ?? DEFAULT_MAX_CONCURRENCY),
    toolSems: new Map(),
    maxToolCalls: limits.max_tool_calls ?? Number.POSITIVE_INFINITY,
    maxItems: limits.max_items ?? DEFAULT_MAX_ITEMS,
    maxNodes: limits.max_nodes ?? DEFAULT_MAX_NODES,
    bodyNodes: journaledBodyNodes(state.nodes, plan),
    mapConcurrency: options.mapConcurrency ?? limits.max_concurrency ?? DEFAULT_MAX_CONCURRENCY,
    approve: options.approve,
    stopSignal: options.stopSignal,
    onCompensating: options.onCompensating,
    onEmit: options.onEmit,
    random: options.random ?? Math.random,
    activity: new RunActivity(),
    stopping: false,
    replaying: state.nodes.size > 0,
    suspend: () => {
      if (suspendScheduled || ctx.stopping) return;
      suspendScheduled = true;
      // After the current turn: only suspend if nothing started meanwhile.
      setImmediate(() => {
        suspendScheduled = false;
        const { leaves, waiting } = ctx.activity;
        if (!shouldSuspend({ leaves, waiting, stopping: ctx.stopping })) return;
        ctx.stopping = true;
        journal.append({ type: 'run.suspended', waiting: [...waiting.values()] });
        root.abort(new Suspension());
      });
    },
  };
  rt.attach(ctx);
  const stop = (reason: Error) => {
    if (ctx.stopping) return;
    ctx.stopping = true;
    root.abort(reason);
  };
  const onCallerAbort = () => stop(new CancelledError('the run was cancelled by its caller'));
  if (options.signal?.aborted) onCallerAbort();
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  // Stopping the compensations (a `try`'s may run while the rest goes on) stops the run.
  options.stopSignal?.addEventListener('abort', onCallerAbort, { once: true });
  const deadline = limits.deadline_ms;
  const timer =
    deadline === undefined
      ? undefined
      : setTimeout(
          () =>
            stop(
              new BudgetExceededError(`the run exceeded its deadline of ${deadline} ms`, {
                code: 'deadline_exceeded',
                retryable: false,
              }),
            ),
          deadline,
        );
  const frame = new Frame(null, {
    vars: new Map([['input', state.input ?? null]]),
    signal: root.signal,
  });
  try {
    const compiled = compilePlan(plan);
    await runList(ctx, compiled.root, frame);
    let output: unknown;
    if (compiled.output) output = evaluateIn(compiled.output, frame, compiled.outputRefs);
    else {
      const out: Record<string, unknown> = {};
      for (const i of compiled.root.sinks) {
        const id = compiled.root.nodes[i]!.id;
        out[id] = frame.vars.get(id) ?? null;
      }
      output = out;
    }
    journal.append({ type: 'run.finished', status: 'succeeded', output });
    await journal.flush();
    return { status: 'succeeded', output, runId, stats: statsOf(state, since) };
  } catch (thrown) {
    const reason = root.signal.aborted ? root.signal.reason : thrown;
    if (reason instanceof Suspension) {
      await journal.flush();
      return { status: 'suspended', waiting: state.waiting, runId, stats: statsOf(state, since) };
    }
    if (reason instanceof CancelledError && options.signal?.aborted) {
      const error = toErrorInfo(reason);
      journal.append({ type: 'run.finished', status: 'cancelled', error });
      await journal.flush().catch(() => {});
      return { status: 'cancelled', error, runId, stats: statsOf(state, since) };
    }
    // The saga: undo what finished, newest first. Not under the run's signal (a deadline or
    // a Ctrl-C must not leave charges unrefunded): only the caller's stop signal ends it,
    // and a run stopped so is left unfinished in the journal, for resumeRun to complete.
    const compSignal = options.stopSignal ?? new AbortController().signal;
    const pending = pendingCompensations(ctx, frame.saga.entries);
    if (pending.length > 0) options.onCompensating?.(pending.length);
    let error = reason;
    try {
      error = afterCompensation(reason, await compensate(ctx, pending, compSignal));
    } catch (compError) {
      error = compError;
    }
    if (compSignal.aborted) return stoppedCompensating(journal, runId, statsOf(state, since));
    const info = toErrorInfo(error);
    try {
      journal.append({ type: 'run.finished', status: 'failed', error: info });
      await journal.flush();
    } catch {
      // The journal itself failed; the result still says why the run failed.
    }
    return { status: 'failed', error: info, runId, stats: statsOf(state, since) };
  } finally {
    if (timer) clearTimeout(timer);
    options.signal?.removeEventListener('abort', onCallerAbort);
    options.stopSignal?.removeEventListener('abort', onCallerAbort);
    frame.dispose();
    await options.store?.close?.(runId).catch(() => {});
  }
}
