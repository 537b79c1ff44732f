import { randomUUID } from 'node:crypto';
import { toToolplanError } from '../errors/runtime-errors.ts';
import type { ToolplanError } from '../errors/toolplan-error.ts';
import type { Message } from '../model/messages.ts';
import type { PlanT } from '../plan/plan-schema.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import type { LoopEvent } from './events.ts';
import { joinPrompt, repairPrompt } from './join.ts';
import { callModel, type LlmContext } from './llm-call.ts';
import { failureToError, LoopFailedError } from './loop-errors.ts';
import { malformedPlanCall, validateCandidate } from './plan-candidate.ts';
import {
  followUp,
  type PlanCandidate,
  type PlanReply,
  type PlanSyntax,
  planRequest,
  planSystemPrompt,
  readJoinReply,
  readPlanReply,
  StreamedNodes,
  taskMessage,
} from './planner.ts';
import type { ApproveFn, ExecOptions, ExecOutcome, LoopDeps } from './ports.ts';
import {
  instrumentTools,
  PrefetchCache,
  prefetchable,
  type ToolCallObserver,
  type ToolCallRecord,
} from './prefetch.ts';
import {
  addUsage,
  applyOutcome,
  type Budgets,
  decideNext,
  exceededBudget,
  initialState,
  type LoopFailure,
  type LoopState,
} from './run-state.ts';
import { modelSettings, type SavedTask, type TaskStore, taskFile } from './task-store.ts';
import type { TaskResult } from './task-types.ts';

export interface PlanLoopOptions {
  task: string;
  llm: LlmContext;
  registry: ToolRegistry;
  deps: LoopDeps;
  syntax: PlanSyntax;
  budgets: Budgets;
  maxRepairs: number;
  maxReplans: number;
  history: Message[];
  input: Record<string, unknown>;
  approve?: ApproveFn | undefined;
  stopSignal?: AbortSignal | undefined;
  onCompensating?: ((steps: number) => void) | undefined;
  store?: unknown;
  resultChars: number;
  prefetch: boolean;
  startedAt: number;
  /** Why the shared signal was aborted, when the loop itself aborted it (deadline). */
  abortReason: () => LoopFailure | undefined;
  /** Where the task is saved if it suspends (needs `store`); without it, it is not saved. */
  tasks?: TaskStore | undefined;
  taskId?: string | undefined;
  /** Continue this suspended task (resume-task.ts): its executor run first, then the loop. */
  resume?:
    | { saved: SavedTask; approveNodes: readonly string[]; denyNodes: readonly string[] }
    | undefined;
}

/**
 * The driver: asks `decideNext` for a step, does its I/O, folds the outcome back in. The
 * conversation with the planner lives here, not in the state; a task that suspends saves
 * both (task-store.ts), and a resumed one starts from them.
 */
export async function runPlanLoop(o: PlanLoopOptions): Promise<TaskResult> {
  const { llm, registry, deps } = o;
  const emit = llm.emit;
  const clock = llm.clock;
  const saved = o.resume?.saved;
  let state = saved
    ? // The deadline counts active time: `startedAt` is rebased past the time it waited.
      { ...saved.state, startedAt: o.startedAt }
    : initialState(o.task, {
        startedAt: o.startedAt,
        maxRepairs: o.maxRepairs,
        maxReplans: o.maxReplans,
        budgets: o.budgets,
      });
  const records: ToolCallRecord[] = [];
  let firstToolCallMs: number | null = null;
  const observer: ToolCallObserver = {
    onStart(r) {
      records.push(r);
      firstToolCallMs ??= r.start;
      emit({ type: 'tool.started', at: r.start, tool: r.name, nodeId: r.nodeId, args: r.args });
    },
    onEnd(r) {
      const at = r.end ?? clock();
      emit({
        type: 'tool.finished',
        at,
        tool: r.name,
        nodeId: r.nodeId,
        ok: r.ok === true,
        ms: at - r.start,
      });
    },
  };
  const runId = randomUUID();
  const messages: Message[] = saved
    ? [...saved.messages]
    : [
        { role: 'system', content: planSystemPrompt(registry, o.syntax) },
        ...o.history,
        { role: 'user', content: taskMessage(o.task, o.input) },
      ];
  let reply: PlanReply | undefined = saved?.reply ?? undefined;
  /** The executor run of the last execution (the one a suspension waits in). */
  let execRunId: string | undefined = saved?.runId;
  /** A task file exists for this task, and must say how it ended. */
  let filed = saved !== undefined;
  let cache: PrefetchCache | undefined;
  let candidate: PlanCandidate | undefined;
  let executions = 0;

  const finish = (status: TaskResult['status'], extra: Partial<TaskResult> = {}): TaskResult => ({
    status,
    plans: state.plans,
    usage: state.usage,
    toolCalls: records,
    timings: { firstToolCallMs, totalMs: clock() },
    state,
    ...extra,
  });

  const remainingOutput = () =>
    state.budgets.maxOutputTokens === undefined
      ? undefined
      : Math.max(1, state.budgets.maxOutputTokens - state.usage.outputTokens);

  /** One planning round trip (first plan, repair, or a join that may re-plan). */
  const askForPlan = async (purpose: 'plan' | 'repair' | 'join') => {
    cache?.clear();
    cache = new PrefetchCache(registry, observer, clock, runId);
    const current = cache;
    const streamed = new StreamedNodes(
      o.syntax,
      (node, index) => {
        const id = (node as { id: string }).id;
        emit({ type: 'plan.node', at: clock(), nodeId: id, index });
        if (!o.prefetch) return;
        // Early calls count against the tool-call budget like any other.
        const max = state.budgets.maxToolCalls;
        if (max !== undefined && state.toolCalls + current.ids.size >= max) return;
        const decision = prefetchable(node, registry, current.ids);
        if (!decision.ok) return;
        current.start(id, decision, planInput(), llm.signal, (r) =>
          emit({ type: 'prefetch.started', at: r.start, nodeId: id, tool: r.name }),
        );
      },
      deps.parseCompact,
    );
    const request = planRequest(
      messages,
      o.syntax,
      purpose === 'join' ? 'auto' : 'force',
      remainingOutput(),
    );
    try {
      const call = state.usage.llmCalls + 1;
      const { response, usage } = await callModel(llm, purpose, call, request, streamed.onPart);
      state = addUsage(state, usage);
      return { response, rawArgs: undefined };
    } catch (error) {
      // Malformed plan JSON is the LLM's mistake like any invalid plan: repair it.
      const raw = malformedPlanCall(error);
      if (!raw) throw error;
      state = addUsage(state, { llmCalls: 1 });
      return { response: raw.response, rawArgs: raw.text };
    }
  };

  /** A plan reply, with the raw text of malformed submit_plan arguments when there were. */
  const asPlanReply = (reply: PlanReply, rawArgs: string | undefined): PlanReply =>
    rawArgs === undefined
      ? reply
      : { ...reply, candidate: { form: 'json-text', text: rawArgs }, text: rawArgs };

  const planInput = () => ({ ...o.input, previous: state.previous });

  /** Runs (or resumes) a plan in the executor and folds the outcome in. */
  const execute = async (
    plan: PlanT,
    run: (options: ExecOptions) => Promise<ExecOutcome>,
    limitToolCalls: boolean,
  ) => {
    executions++;
    emit({ type: 'plan.executing', at: clock(), plan, attempt: executions });
    const maxToolCalls = state.budgets.maxToolCalls;
    const deadline = state.budgets.deadlineMs;
    const outcome = await run({
      tools: instrumentTools(registry, observer, clock, cache),
      input: planInput(),
      signal: llm.signal,
      onEvent: (event) => emit({ type: 'exec', at: clock(), event }),
      approve: o.approve ? wrapApprove(o.approve, emit, clock) : undefined,
      stopSignal: o.stopSignal,
      onCompensating: o.onCompensating,
      store: o.store,
      limits: {
        // A resumed run keeps the tool-call limit it was started with (its count includes
        // the calls made before it suspended).
        ...(maxToolCalls !== undefined && limitToolCalls
          ? { max_tool_calls: Math.max(0, maxToolCalls - state.toolCalls) }
          : {}),
        ...(deadline !== undefined
          ? { deadline_ms: Math.max(1, deadline - (Date.now() - state.startedAt)) }
          : {}),
      },
    });
    cache?.clear();
    if (outcome.runId !== undefined) execRunId = outcome.runId;
    emit({
      type: 'plan.executed',
      at: clock(),
      status: outcome.status,
      output: outcome.output,
      error: outcome.error,
    });
    // The task stopped the run (its deadline, or the caller): that reason is the failure.
    if (outcome.status === 'cancelled' && o.abortReason())
      throw new LoopFailedError('internal', 'the run was stopped by the task');
    state = applyOutcome(state, {
      kind: 'executed',
      status: outcome.status,
      final: plan.final === true,
      output: outcome.output,
      nodeOutputs: outcome.nodeOutputs,
      toolCalls: outcome.toolCallCount,
      error: outcome.error,
      pending: outcome.pending,
    });
  };

  /** Saves the task so that `resumeTask` can continue it (or marks how it ended). */
  const save = async (
    status: SavedTask['status'],
    end?: string | ToolplanError,
  ): Promise<string | undefined> => {
    if (!o.tasks || !o.taskId || !o.store || !execRunId) return undefined;
    const settings = { mode: 'plan' as const, syntax: o.syntax, resultChars: o.resultChars };
    await o.tasks.save(
      taskFile(o.taskId, status, end, {
        settings: { ...settings, prefetch: o.prefetch, ...modelSettings(llm.model) },
        input: o.input,
        messages,
        reply: reply ?? null,
        state,
        runId: execRunId,
      }),
    );
    filed = true;
    return o.taskId;
  };

  /** A finished task's file says so: resuming it again would repeat its join. */
  const settle = async (status: 'answered' | 'failed', end: string | ToolplanError) => {
    if (filed) await save(status, end).catch(() => {}); // The result stands regardless.
  };

  try {
    if (o.resume) {
      const resumePlan = deps.resumePlan;
      const plan = state.plans.at(-1);
      if (!resumePlan || !plan || !saved)
        throw new LoopFailedError('internal', 'cannot resume: no resumable executor or plan');
      emit({
        type: 'task.resumed',
        at: clock(),
        taskId: saved.taskId,
        runId: saved.runId,
        approved: o.resume.approveNodes,
        denied: o.resume.denyNodes,
        usage: state.usage,
      });
      const { approveNodes, denyNodes } = o.resume;
      // Past a budget already (the deadline counts active time): fail, run nothing.
      if (!exceededBudget(state, Date.now()))
        await execute(
          plan,
          (options) => resumePlan(saved.runId, { ...options, approveNodes, denyNodes }),
          false,
        );
    }
    for (;;) {
      const step = decideNext(state, Date.now());
      switch (step.type) {
        case 'plan':
        case 'repair': {
          if (step.type === 'repair' && reply) {
            messages.push(followUp(reply, repairPrompt(step.issues), true));
          }
          const { response, rawArgs } = await askForPlan(step.type);
          reply = asPlanReply(readPlanReply(response, o.syntax), rawArgs);
          messages.push(reply.assistant);
          candidate = reply.candidate;
          emit({ type: 'plan.received', at: clock(), source: step.type, text: reply.text });
          state = applyOutcome(state, {
            kind: 'planned',
            source: step.type,
            candidate: reply.candidate,
            text: reply.text,
          });
          break;
        }
        case 'validate': {
          const result = validateCandidate(
            candidate ?? (step.candidate as PlanCandidate),
            registry,
            deps,
          );
          emit({ type: 'plan.validated', at: clock(), valid: result.valid, issues: result.issues });
          if (result.valid && result.plan) {
            state = applyOutcome(state, { kind: 'validated', valid: true, plan: result.plan });
          } else {
            // Prefetched calls of an invalid plan are dropped: they were read-only.
            cache?.clear();
            const issues =
              result.issues.length > 0
                ? result.issues
                : [
                    {
                      path: '',
                      code: 'invalid',
                      message: 'the plan is not valid',
                      severity: 'error' as const,
                    },
                  ];
            state = applyOutcome(state, { kind: 'validated', valid: false, issues });
          }
          break;
        }
        case 'execute':
          await execute(step.plan, (options) => deps.executePlan(step.plan, options), true);
          break;
        case 'join': {
          const last = state.last;
          if (!reply || last?.kind !== 'executed')
            throw new LoopFailedError('internal', 'join without an executed plan');
          messages.push(
            followUp(
              reply,
              joinPrompt({
                task: o.task,
                syntax: o.syntax,
                status: last.status,
                output: last.output,
                error: last.error,
                previous: state.previous,
                maxChars: o.resultChars,
              }),
              false,
            ),
          );
          const { response, rawArgs } = await askForPlan('join');
          const decision = readJoinReply(response, o.syntax, deps.looksLikeCompact);
          if (decision.kind === 'answer') {
            messages.push({ role: 'assistant', content: decision.answer });
            state = applyOutcome(state, { kind: 'joined', answer: decision.answer });
          } else {
            reply = asPlanReply(decision.reply, rawArgs);
            messages.push(reply.assistant);
            candidate = reply.candidate;
            emit({ type: 'plan.received', at: clock(), source: 'replan', text: reply.text });
            state = applyOutcome(state, {
              kind: 'joined-plan',
              candidate: reply.candidate,
              text: reply.text,
            });
          }
          break;
        }
        case 'answer':
          await settle('answered', step.answer);
          emit({ type: 'task.answered', at: clock(), answer: step.answer, usage: state.usage });
          return finish('answered', { answer: step.answer });
        case 'suspend': {
          const taskId = await save('suspended');
          emit({
            type: 'task.suspended',
            at: clock(),
            pending: step.pending,
            usage: state.usage,
            ...(taskId ? { taskId } : {}),
          });
          return finish('suspended', { pending: step.pending, ...(taskId ? { taskId } : {}) });
        }
        case 'fail': {
          const error = failureToError(step.error);
          await settle('failed', error);
          emit({
            type: 'task.failed',
            at: clock(),
            error: { code: step.error.code, message: step.error.message },
            usage: state.usage,
          });
          return finish('failed', { error });
        }
      }
    }
  } catch (thrown) {
    cache?.clear();
    const reason = o.abortReason();
    const error = reason ? failureToError(reason) : toToolplanError(thrown);
    await settle('failed', error);
    emit({
      type: 'task.failed',
      at: clock(),
      error: { code: error.code, message: error.message },
      usage: state.usage,
    });
    return finish('failed', { error });
  }
}

function wrapApprove(
  approve: ApproveFn,
  emit: (e: LoopEvent) => void,
  clock: () => number,
): ApproveFn {
  return async (request) => {
    emit({
      type: 'approval.requested',
      at: clock(),
      tool: request.tool,
      nodeId: request.node,
      args: request.args,
    });
    const approved = await approve(request);
    emit({
      type: 'approval.decided',
      at: clock(),
      tool: request.tool,
      nodeId: request.node,
      approved,
    });
    return approved;
  };
}

export type { LoopState };
