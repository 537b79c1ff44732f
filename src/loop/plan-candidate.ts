import type { ModelResponse } from '../model/language-model.ts';
import { isProviderError } from '../model/provider-error.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { type PlanCandidate, SUBMIT_PLAN } from './planner.ts';
import type { LoopDeps, LoopValidation } from './ports.ts';

/** Turning what the LLM wrote into a validated plan, whatever form it came in. */

/**
 * The provider refused a submit_plan call whose arguments were not JSON. That is the LLM's
 * mistake like any invalid plan: the raw text goes to the validator, whose issues (invalid or
 * truncated JSON, with the offset) go back in a repair.
 */
export function malformedPlanCall(
  error: unknown,
): { response: ModelResponse; text: string } | undefined {
  if (!isProviderError(error) || error.code !== 'bad_tool_arguments') return undefined;
  const d = error.details;
  if (d.toolName !== SUBMIT_PLAN || typeof d.rawArguments !== 'string') return undefined;
  return {
    text: d.rawArguments,
    response: {
      text: '',
      toolCalls: [{ id: d.toolCallId ?? 'call_malformed', name: SUBMIT_PLAN, args: {} }],
      finishReason: 'tool_calls',
      usage: { inputTokens: 0, outputTokens: 0 },
    },
  };
}

export function validateCandidate(
  candidate: PlanCandidate,
  registry: ToolRegistry,
  deps: LoopDeps,
): LoopValidation {
  if (candidate.form === 'object') return deps.validatePlan(candidate.value, registry);
  if (candidate.truncated) return truncatedPlan(candidate.text);
  if (candidate.form === 'json-text') return deps.validatePlanText(candidate.text, registry);
  if (!deps.parseCompact) {
    return {
      valid: false,
      issues: [
        {
          path: '',
          code: 'compact_unavailable',
          message: 'compact syntax is not available',
          severity: 'error',
        },
      ],
    };
  }
  const parsed = deps.parseCompact(candidate.text);
  if (!parsed.ok) {
    return {
      valid: false,
      issues: parsed.errors.map((e) => ({
        path: `line ${e.line}, column ${e.column}`,
        code: 'compact_syntax',
        message: e.message,
        severity: 'error' as const,
      })),
    };
  }
  return deps.validatePlan(parsed.plan, registry);
}

/** A text plan the output limit cut off is never run: whatever parses of it is a shorter plan. */
function truncatedPlan(text: string): LoopValidation {
  const tail = text.trimEnd().split('\n').at(-1) ?? '';
  return {
    valid: false,
    issues: [
      {
        path: '',
        code: 'truncated',
        message: `the reply was cut off by the output-token limit (it ends with ${JSON.stringify(tail.slice(-80))}), so the plan is incomplete: write a shorter plan (fewer or smaller nodes) that fits`,
        severity: 'error',
      },
    ],
  };
}
