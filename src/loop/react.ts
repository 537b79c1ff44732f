import { toToolplanError } from '../errors/runtime-errors.ts';
import type { ToolplanError } from '../errors/toolplan-error.ts';
import type { ToolSpec } from '../model/language-model.ts';
import type { Message, ToolCall, ToolResult } from '../model/messages.ts';
import { toolSpecs } from '../tool/provider-tools.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { callModel, type LlmContext } from './llm-call.ts';
import { failureToError } from './loop-errors.ts';
import { taskMessage } from './planner.ts';
import type { TaskApproveFn } from './ports.ts';
import { loadPrompt, renderPrompt } from './prompts.ts';
import { type ReactCallContext, runReactCall } from './react-call.ts';
import {
  applyReactOutcome,
  decideReactNext,
  initialReactState,
  type PendingCall,
  type ReactState,
  type ReactStep,
  remainingReactOutput,
} from './react-state.ts';
import type { Budgets, LoopFailure } from './run-state.ts';
import type { ReactStyle, TaskResult } from './task-types.ts';

export interface ReactOptions {
  task: string;
  llm: LlmContext;
  registry: ToolRegistry;
  style: ReactStyle;
  budgets: Budgets;
  history: Message[];
  input: Record<string, unknown>;
  approve?: TaskApproveFn | undefined;
  resultChars: number;
  maxTurns: number;
  startedAt: number;
  abortReason: () => LoopFailure | undefined;
}

/** One react run: the pure state, and the conversation and tool calls the steps add to. */
interface ReactSession extends ReactCallContext {
  o: ReactOptions;
  state: ReactState;
  messages: Message[];
  tools: ToolSpec[];
}

/**
 * The baseline: native tool calling, turn by turn, the way most frameworks work. In
 * `parallel` style every call of a turn runs at once; in `single` style the model is told to
 * make one call a turn (and extra calls of a turn run one after the other). The driver asks
 * the pure `decideReactNext` for a step and does its I/O, like the plan loop.
 */
export async function runReact(o: ReactOptions): Promise<TaskResult> {
  const s = openReactSession(o);
  try {
    for (;;) {
      const result = await takeReactStep(s, decideReactNext(s.state, Date.now()));
      if (result) return result;
    }
  } catch (thrown) {
    const reason = o.abortReason();
    if (reason) return failed(s, failureToError(reason), reason);
    return failed(s, toToolplanError(thrown));
  }
}

function openReactSession(o: ReactOptions): ReactSession {
  const style = loadPrompt(o.style === 'parallel' ? 'react-style-parallel' : 'react-style-single');
  return {
    o,
    llm: o.llm,
    registry: o.registry,
    approve: o.approve,
    resultChars: o.resultChars,
    records: [],
    state: initialReactState({ budgets: o.budgets, maxTurns: o.maxTurns, startedAt: o.startedAt }),
    tools: toolSpecs(o.registry),
    messages: [
      { role: 'system', content: renderPrompt('react-system', { style }) },
      ...o.history,
      { role: 'user', content: taskMessage(o.task, o.input) },
    ],
  };
}

async function takeReactStep(s: ReactSession, step: ReactStep): Promise<TaskResult | undefined> {
  switch (step.type) {
    case 'ask':
      await ask(s);
      return undefined;
    case 'run-tools':
      await runTools(s, step.text, step.calls);
      return undefined;
    case 'answer':
      s.o.llm.emit({
        type: 'task.answered',
        at: s.o.llm.clock(),
        answer: step.answer,
        usage: s.state.usage,
      });
      return finish(s, 'answered', { answer: step.answer });
    case 'suspend':
      return suspended(s, step.pending);
    case 'fail':
      return failed(s, failureToError(step.error), step.error);
  }
}

/** One LLM turn: the conversation so far, every tool offered natively. */
async function ask(s: ReactSession): Promise<void> {
  const remaining = remainingReactOutput(s.state);
  const { response, usage } = await callModel(s.llm, 'react', s.state.usage.llmCalls + 1, {
    messages: s.messages,
    tools: s.tools,
    toolChoice: 'auto',
    temperature: 0,
    ...(remaining !== undefined ? { maxOutputTokens: remaining } : {}),
  });
  s.state = applyReactOutcome(s.state, {
    kind: 'replied',
    text: response.text,
    toolCalls: response.toolCalls,
    usage,
  });
}

/** Runs a turn's calls (all at once in `parallel` style); their results go back to the LLM. */
async function runTools(s: ReactSession, text: string, calls: ToolCall[]): Promise<void> {
  s.messages.push({ role: 'assistant', content: text, toolCalls: calls });
  const before = s.records.length;
  const results: (ToolResult | 'suspend')[] = [];
  if (s.o.style === 'parallel')
    results.push(...(await Promise.all(calls.map((call) => runReactCall(s, call)))));
  else for (const call of calls) results.push(await runReactCall(s, call));
  if (!results.includes('suspend'))
    s.messages.push({ role: 'tool', results: results as ToolResult[] });
  s.state = applyReactOutcome(s.state, {
    kind: 'ran',
    calls,
    results,
    started: s.records.length - before,
  });
}

function suspended(s: ReactSession, pending: PendingCall[]): TaskResult {
  s.o.llm.emit({ type: 'task.suspended', at: s.o.llm.clock(), pending, usage: s.state.usage });
  return finish(s, 'suspended', { pending });
}

/** A failed task; `failure` is the decided failure the error was made from, when there is one. */
function failed(s: ReactSession, error: ToolplanError, failure?: LoopFailure): TaskResult {
  const reported = failure ?? error;
  s.o.llm.emit({
    type: 'task.failed',
    at: s.o.llm.clock(),
    error: { code: reported.code, message: reported.message },
    usage: s.state.usage,
  });
  return finish(s, 'failed', { error });
}

function finish(
  s: ReactSession,
  status: TaskResult['status'],
  extra: Partial<TaskResult>,
): TaskResult {
  return {
    status,
    plans: [],
    usage: s.state.usage,
    toolCalls: s.records,
    timings: { firstToolCallMs: s.records[0]?.start ?? null, totalMs: s.o.llm.clock() },
    ...extra,
  };
}
