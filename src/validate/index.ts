export { CelTypes } from './cel-types.ts';
export { isExpressionString } from './check-tools.ts';
export {
  DEFAULT_LIMITS,
  ISSUE_CODE_LIST,
  ISSUE_CODES,
  type IssueCode,
  type PlanIssue,
  type Severity,
  type ValidateOptions,
} from './issues.ts';
export { parsePlanText } from './parse-plan-text.ts';
export { closestNames, editDistance } from './suggest.ts';
export { type ValidationResult, validatePlan, validatePlanText } from './validate-plan.ts';
