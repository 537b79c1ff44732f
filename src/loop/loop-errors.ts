import { BudgetExceededError } from '../errors/runtime-errors.ts';
import { ToolplanError } from '../errors/toolplan-error.ts';
import type { PlanIssueData } from './ports.ts';
import type { LoopFailure } from './run-state.ts';

/** The LLM could not write a valid plan within the repair bound; carries every issue. */
export class PlanInvalidError extends ToolplanError {
  readonly issues: PlanIssueData[];
  constructor(message: string, issues: PlanIssueData[]) {
    super('PlanInvalid', message, {
      code: 'plan_invalid',
      blame: 'model',
      details: { issues },
      retryable: false,
    });
    this.issues = issues;
  }
}

/** The loop gave up for a reason other than an invalid plan or a budget. */
export class LoopFailedError extends ToolplanError {
  constructor(code: string, message: string, cause?: unknown) {
    super('LoopFailed', message, {
      code,
      blame: code === 'cancelled' ? 'config' : 'model',
      cause,
      retryable: false,
    });
  }
}

export function failureToError(failure: LoopFailure): ToolplanError {
  if (failure.code === 'budget_exceeded') {
    return new BudgetExceededError(failure.message, {
      details: { ...(failure.budget ?? {}) },
      retryable: false,
    });
  }
  if (failure.code === 'plan_invalid')
    return new PlanInvalidError(failure.message, failure.issues ?? []);
  return new LoopFailedError(failure.code, failure.message);
}
