import { looksLikeCompactPlan, parseCompactPlan } from '../compact/index.ts';
import { ConfigError } from '../errors/runtime-errors.ts';
import type { RunEvent } from '../exec/events.ts';
import { executePlan, resumeRun } from '../exec/execute-plan.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import type { RunResult } from '../exec/run-result.ts';
import { foldEvents } from '../exec/run-state.ts';
import { validatePlan, validatePlanText } from '../validate/index.ts';
import type { ExecOptions, ExecOutcome, LoopDeps, ResumeExecOptions } from './ports.ts';

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
    ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
    ...(options.onCompensating ? { onCompensating: options.onCompensating } : {}),
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
  return outcomeOf(result, nodeOutputs, result.stats.toolCalls);
}

/**
 * A suspended run continued from its journal, as the loop sees it. Node outputs and the tool
 * call count are read from the journal itself, so a run that already finished (a resume that
 * died after the executor but before the loop carried on) gives the same outcome again.
 */
export async function resumeForLoop(
  runId: string,
  options: ResumeExecOptions,
): Promise<ExecOutcome> {
  const store = options.store as JournalStore | undefined;
  if (!store || typeof store.read !== 'function')
    throw new ConfigError('no_store', 'resuming a run needs the journal store it ran with');
  const before = foldEvents(await store.read(runId), runId).toolCalls;
  const result = await resumeRun(runId, {
    tools: options.tools,
    store,
    approveNodes: options.approveNodes ?? [],
    denyNodes: options.denyNodes ?? [],
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.stopSignal ? { stopSignal: options.stopSignal } : {}),
    ...(options.onCompensating ? { onCompensating: options.onCompensating } : {}),
    ...(options.approve ? { approve: options.approve } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  });
  const nodeOutputs: Record<string, unknown> = {};
  for (const event of await store.read(runId)) {
    if (event.type === 'node.succeeded' && !event.key.includes('/'))
      nodeOutputs[event.key] = event.output;
  }
  return outcomeOf(result, nodeOutputs, Math.max(0, result.stats.toolCalls - before));
}

function outcomeOf(
  result: RunResult,
  nodeOutputs: Record<string, unknown>,
  toolCallCount: number,
): ExecOutcome {
  const base = { nodeOutputs, toolCallCount, runId: result.runId };
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
    resumePlan: resumeForLoop,
    parseCompact: (text) => parseCompactPlan(text),
    looksLikeCompact: (text) => looksLikeCompactPlan(text),
  };
}
