import { toToolplanError } from '../errors/runtime-errors.ts';
import type { ToolplanError } from '../errors/toolplan-error.ts';
import { failureToError } from './loop-errors.ts';
import { executeStep, resumeExecution } from './plan-execute.ts';
import { saveTask, settleTask } from './plan-persist.ts';
import { finish, openSession, type PlanLoopOptions, type PlanSession } from './plan-session.ts';
import { joinStep, planStep, validateStep } from './plan-steps.ts';
import { decideNext, type LoopFailure, type LoopState, type NextStep } from './run-state.ts';
import type { TaskResult } from './task-types.ts';

export type { PlanLoopOptions };

/**
 * The driver: asks the pure `decideNext` for a step, has the step's module do its I/O and
 * fold the outcome back in, until a step ends the task. The conversation with the planner
 * lives in the session, not in the state; a task that suspends saves both (task-store.ts),
 * and a resumed one starts from them.
 */
export async function runPlanLoop(o: PlanLoopOptions): Promise<TaskResult> {
  const s = openSession(o);
  try {
    if (o.resume) await resumeExecution(s, o.resume);
    for (;;) {
      const result = await takeStep(s, decideNext(s.state, Date.now()));
      if (result) return result;
    }
  } catch (thrown) {
    s.cache?.clear();
    const reason = o.abortReason();
    return failed(s, reason ? failureToError(reason) : toToolplanError(thrown));
  }
}

/** Does one step; returns the task's result when the step ends the task. */
async function takeStep(s: PlanSession, step: NextStep): Promise<TaskResult | undefined> {
  switch (step.type) {
    case 'plan':
    case 'repair':
      await planStep(s, step);
      return undefined;
    case 'validate':
      validateStep(s, step);
      return undefined;
    case 'execute':
      await executeStep(s, step.plan);
      return undefined;
    case 'join':
      await joinStep(s);
      return undefined;
    case 'answer':
      return answered(s, step.answer);
    case 'suspend':
      return suspended(s, step.pending);
    case 'fail':
      return failed(s, failureToError(step.error), step.error);
  }
}

async function answered(s: PlanSession, answer: string): Promise<TaskResult> {
  const { emit, clock } = s.o.llm;
  await settleTask(s, 'answered', answer);
  emit({ type: 'task.answered', at: clock(), answer, usage: s.state.usage });
  return finish(s, 'answered', { answer });
}

async function suspended(
  s: PlanSession,
  pending: Extract<NextStep, { type: 'suspend' }>['pending'],
): Promise<TaskResult> {
  const { emit, clock } = s.o.llm;
  const taskId = await saveTask(s, 'suspended');
  const id = taskId ? { taskId } : {};
  emit({ type: 'task.suspended', at: clock(), pending, usage: s.state.usage, ...id });
  return finish(s, 'suspended', { pending, ...id });
}

/** A failed task; `failure` is the decided failure the error was made from, when there is one. */
async function failed(
  s: PlanSession,
  error: ToolplanError,
  failure?: LoopFailure,
): Promise<TaskResult> {
  const { emit, clock } = s.o.llm;
  await settleTask(s, 'failed', error);
  const reported = failure ?? error;
  emit({
    type: 'task.failed',
    at: clock(),
    error: { code: reported.code, message: reported.message },
    usage: s.state.usage,
  });
  return finish(s, 'failed', { error });
}

export type { LoopState };
