export type { CompactError } from './cursor.ts';
export { looksLikeCompactPlan } from './looks-like-compact-plan.ts';
export { type CompactParseResult, parseCompactPlan } from './parse-compact-plan.ts';
export { printCompactPlan } from './print-compact-plan.ts';
