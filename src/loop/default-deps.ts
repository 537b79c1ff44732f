import { looksLikeCompactPlan, parseCompactPlan } from '../compact/index.ts';
import type { RunEvent } from '../exec/events.ts';
import { executePlan } from '../exec/execute-plan.ts';
import { validatePlan, validatePlanText } from '../validate/index.ts';
import type { ExecOptions, ExecOutcome, LoopDeps } from './ports.ts';

/**
 * The executor as the loop sees it. Node outputs are read from the run's events rather than
 * its result, so a re-plan can reuse every finished node (not only the plan's output).
 * Instance keys with a `/` (map items, loop iterations) are not addressable by id: skipped.
 */
export async function executeForLoop(plan: unknown, options: ExecOptions): Promise<ExecOutcome> {
  const nodeOutputs: Record<string, unknown> = {};
  const result = await executePlan(plan, {
    tools: options.tools,
    input: options.input,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.approve ? { approve: options.approve } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.store ? { store: options.store as never } : {}),
    onEvent: (event: RunEvent) => {
      if (event.type === 'node.succeeded' && !event.key.includes('/')) {
        nodeOutputs[event.key] = event.output;
      }
      options.onEvent?.(event);
    },
  });
  const base = { nodeOutputs, toolCallCount: result.stats.toolCalls };
  switch (result.status) {
    case 'succeeded':
      return { ...base, status: 'succeeded', output: result.output };
    case 'suspended':
      return {
        ...base,
        status: 'suspended',
        output: null,
        pending: result.waiting.map((w) => ({ nodeId: w.node, tool: w.tool, args: w.args })),
      };
    default:
      return {
        ...base,
        status: result.status,
        output: null,
        error: { name: result.error.name, message: result.error.message, node: result.error.node },
      };
  }
}

/** The real validator, executor and compact-syntax parser. */
export async function defaultDeps(): Promise<LoopDeps> {
  return {
    validatePlan: (plan, registry) => validatePlan(plan, registry),
    validatePlanText: (text, registry) => validatePlanText(text, registry),
    executePlan: executeForLoop,
    parseCompact: (text) => parseCompactPlan(text),
    looksLikeCompact: (text) => looksLikeCompactPlan(text),
  };
}
