import type { PlanT } from '../plan/plan-schema.ts';
import type { LoopEvent } from './events.ts';
import { LoopFailedError } from './loop-errors.ts';
import { type PlanLoopResume, type PlanSession, planInput } from './plan-session.ts';
import type { ExecLimits, ExecOptions, ExecOutcome, TaskApproveFn } from './ports.ts';
import { instrumentTools } from './prefetch.ts';
import { applyOutcome, exceededBudget } from './run-state.ts';

/** The `execute` step, and the resumption of a suspended task's run: the executor's side. */

type RunPlan = (options: ExecOptions) => Promise<ExecOutcome>;

/** Runs a validated plan in the executor and folds the outcome in. */
export function executeStep(s: PlanSession, plan: PlanT): Promise<void> {
  return execute(s, plan, (options) => s.o.deps.executePlan(plan, options), true);
}

/** Resumes the suspended run of a saved task with the decisions given since, before the loop. */
export async function resumeExecution(s: PlanSession, resume: PlanLoopResume): Promise<void> {
  const { deps, llm } = s.o;
  const resumePlan = deps.resumePlan;
  const plan = s.state.plans.at(-1);
  if (!resumePlan || !plan)
    throw new LoopFailedError('internal', 'cannot resume: no resumable executor or plan');
  const { saved, approveNodes, denyNodes } = resume;
  llm.emit({
    type: 'task.resumed',
    at: llm.clock(),
    taskId: saved.taskId,
    runId: saved.runId,
    approved: approveNodes,
    denied: denyNodes,
    usage: s.state.usage,
  });
  // Past a budget already (the deadline counts active time): fail, run nothing.
  if (exceededBudget(s.state, Date.now())) return;
  await execute(
    s,
    plan,
    (options) => resumePlan(saved.runId, { ...options, approveNodes, denyNodes }),
    false,
  );
}

async function execute(
  s: PlanSession,
  plan: PlanT,
  run: RunPlan,
  limitToolCalls: boolean,
): Promise<void> {
  const { o } = s;
  const { emit, clock } = o.llm;
  s.executions++;
  emit({ type: 'plan.executing', at: clock(), plan, attempt: s.executions });
  const outcome = await run({
    tools: instrumentTools(o.registry, s.observer, clock, s.cache),
    input: planInput(s),
    signal: o.llm.signal,
    onEvent: (event) => emit({ type: 'exec', at: clock(), event }),
    approve: o.approve ? wrapApprove(o.approve, emit, clock) : undefined,
    stopSignal: o.stopSignal,
    onCompensating: o.onCompensating,
    store: o.store,
    limits: execLimits(s, limitToolCalls),
  });
  s.cache?.clear();
  if (outcome.runId !== undefined) s.execRunId = outcome.runId;
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
  s.state = applyOutcome(s.state, {
    kind: 'executed',
    status: outcome.status,
    final: plan.final === true,
    output: outcome.output,
    nodeOutputs: outcome.nodeOutputs,
    toolCalls: outcome.toolCallCount,
    error: outcome.error,
    pending: outcome.pending,
  });
}

/** What is left of the task's tool-call and deadline budgets, as the executor's limits. */
function execLimits(s: PlanSession, limitToolCalls: boolean): ExecLimits {
  const { state } = s;
  const maxToolCalls = state.budgets.maxToolCalls;
  const deadline = state.budgets.deadlineMs;
  return {
    // A resumed run keeps the tool-call limit it was started with (its count includes
    // the calls made before it suspended).
    ...(maxToolCalls !== undefined && limitToolCalls
      ? { max_tool_calls: Math.max(0, maxToolCalls - state.toolCalls) }
      : {}),
    ...(deadline !== undefined
      ? { deadline_ms: Math.max(1, deadline - (Date.now() - state.startedAt)) }
      : {}),
  };
}

function wrapApprove(
  approve: TaskApproveFn,
  emit: (e: LoopEvent) => void,
  clock: () => number,
): TaskApproveFn {
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
