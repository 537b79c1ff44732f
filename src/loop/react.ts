import { toToolplanError } from '../errors/runtime-errors.ts';
import { callRaced } from '../exec/invoke-tool.ts';
import type { ToolSpec } from '../model/language-model.ts';
import type { Message, ToolCall, ToolResult } from '../model/messages.ts';
import { toolSpecs } from '../tool/provider-tools.ts';
import { checkArgs, type ToolRegistry } from '../tool/registry.ts';
import { callModel, type LlmContext } from './llm-call.ts';
import { toolErrorResult, toolOutputResult } from './llm-data.ts';
import { failureToError } from './loop-errors.ts';
import { taskMessage } from './planner.ts';
import type { ApproveFn } from './ports.ts';
import type { ToolCallRecord } from './prefetch.ts';
import { loadPrompt, renderPrompt } from './prompts.ts';
import {
  type Budgets,
  budgetMessage,
  checkBudgets,
  type LoopFailure,
  type LoopUsage,
} from './run-state.ts';
import type { ReactStyle, TaskResult } from './task-types.ts';

export interface ReactOptions {
  task: string;
  llm: LlmContext;
  registry: ToolRegistry;
  style: ReactStyle;
  budgets: Budgets;
  history: Message[];
  input: Record<string, unknown>;
  approve?: ApproveFn | undefined;
  resultChars: number;
  maxTurns: number;
  startedAt: number;
  abortReason: () => LoopFailure | undefined;
}

/**
 * The baseline: native tool calling, turn by turn, the way most frameworks work. In
 * `parallel` style every call of a turn runs at once; in `single` style the model is told to
 * make one call a turn (and extra calls of a turn run one after the other).
 */
export async function runReact(o: ReactOptions): Promise<TaskResult> {
  const { llm, registry } = o;
  const { emit, clock } = llm;
  let usage: LoopUsage = { llmCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const records: ToolCallRecord[] = [];
  let firstToolCallMs: number | null = null;
  const tools: ToolSpec[] = toolSpecs(registry);
  const messages: Message[] = [
    {
      role: 'system',
      content: renderPrompt('react-system', {
        style: loadPrompt(o.style === 'parallel' ? 'react-style-parallel' : 'react-style-single'),
      }),
    },
    ...o.history,
    { role: 'user', content: taskMessage(o.task, o.input) },
  ];
  const finish = (status: TaskResult['status'], extra: Partial<TaskResult>): TaskResult => ({
    status,
    plans: [],
    usage,
    toolCalls: records,
    timings: { firstToolCallMs, totalMs: clock() },
    ...extra,
  });
  const fail = (failure: LoopFailure): TaskResult => {
    emit({
      type: 'task.failed',
      at: clock(),
      error: { code: failure.code, message: failure.message },
      usage,
    });
    return finish('failed', { error: failureToError(failure) });
  };

  const runCall = async (call: ToolCall): Promise<ToolResult | 'suspend'> => {
    const registered = registry.get(call.name);
    const result = (content: string, isError = false): ToolResult => ({
      toolCallId: call.id,
      name: call.name,
      content,
      isError,
    });
    if (!registered) {
      return result(`unknown tool "${call.name}"; available: ${registry.names().join(', ')}`, true);
    }
    const issues = checkArgs(registered, call.args);
    if (issues.length > 0) {
      return result(
        `invalid arguments: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`,
        true,
      );
    }
    if (registered.tool.requires_approval) {
      if (!o.approve) return 'suspend';
      emit({
        type: 'approval.requested',
        at: clock(),
        tool: call.name,
        nodeId: call.id,
        args: call.args,
      });
      const approved = await o.approve({
        tool: call.name,
        args: call.args,
        node: call.id,
        signal: llm.signal,
      });
      emit({ type: 'approval.decided', at: clock(), tool: call.name, nodeId: call.id, approved });
      if (!approved) return result('ApprovalDenied: a person denied this call', true);
    }
    const record: ToolCallRecord = {
      name: call.name,
      args: call.args,
      nodeId: call.id,
      start: clock(),
    };
    records.push(record);
    firstToolCallMs ??= record.start;
    emit({
      type: 'tool.started',
      at: record.start,
      tool: call.name,
      nodeId: call.id,
      args: call.args,
    });
    try {
      // The executor's race: `timeout_ms` and the task's signal (deadline, Ctrl-C) end the
      // call even when the tool ignores its signal.
      const output = await callRaced(
        {
          tool: registered,
          args: call.args,
          idempotencyKey: `react/${call.id}`,
          nodeId: call.id,
          attempt: 1,
          timeoutMs: registered.tool.timeout_ms,
          signal: llm.signal,
        },
        'react',
      );
      record.ok = true;
      return result(toolOutputResult(output, o.resultChars));
    } catch (thrown) {
      record.ok = false;
      const error = toToolplanError(thrown);
      return result(toolErrorResult(error, o.resultChars), true);
    } finally {
      record.end = clock();
      emit({
        type: 'tool.finished',
        at: record.end,
        tool: call.name,
        nodeId: call.id,
        ok: record.ok === true,
        ms: record.end - record.start,
      });
    }
  };

  try {
    for (let turn = 0; ; turn++) {
      const budget = checkBudgets(o.budgets, usage, records.length, Date.now() - o.startedAt, true);
      if (budget) return fail({ code: 'budget_exceeded', message: budgetMessage(budget), budget });
      if (turn >= o.maxTurns) {
        return fail({ code: 'replans_exhausted', message: `no answer after ${o.maxTurns} turns` });
      }
      const remaining =
        o.budgets.maxOutputTokens === undefined
          ? undefined
          : Math.max(1, o.budgets.maxOutputTokens - usage.outputTokens);
      const { response, usage: used } = await callModel(llm, 'react', usage.llmCalls + 1, {
        messages,
        tools,
        toolChoice: 'auto',
        temperature: 0,
        ...(remaining !== undefined ? { maxOutputTokens: remaining } : {}),
      });
      usage = {
        llmCalls: usage.llmCalls + used.llmCalls,
        inputTokens: usage.inputTokens + used.inputTokens,
        outputTokens: usage.outputTokens + used.outputTokens,
        costUsd: usage.costUsd + used.costUsd,
        ...(usage.estimated || used.estimated ? { estimated: true } : {}),
      };
      const after = checkBudgets(o.budgets, usage, records.length, Date.now() - o.startedAt, false);
      if (after)
        return fail({ code: 'budget_exceeded', message: budgetMessage(after), budget: after });
      if (response.toolCalls.length === 0) {
        const answer = response.text.trim();
        emit({ type: 'task.answered', at: clock(), answer, usage });
        return finish('answered', { answer });
      }
      messages.push({ role: 'assistant', content: response.text, toolCalls: response.toolCalls });
      const results: (ToolResult | 'suspend')[] = [];
      if (o.style === 'parallel')
        results.push(...(await Promise.all(response.toolCalls.map(runCall))));
      else for (const call of response.toolCalls) results.push(await runCall(call));
      if (results.includes('suspend')) {
        const pending = response.toolCalls
          .filter((_, i) => results[i] === 'suspend')
          .map((c) => ({ nodeId: c.id, tool: c.name, args: c.args }));
        emit({ type: 'task.suspended', at: clock(), pending, usage });
        return finish('suspended', { pending });
      }
      messages.push({ role: 'tool', results: results as ToolResult[] });
    }
  } catch (thrown) {
    const reason = o.abortReason();
    if (reason) return fail(reason);
    const error = toToolplanError(thrown);
    emit({
      type: 'task.failed',
      at: clock(),
      error: { code: error.code, message: error.message },
      usage,
    });
    return finish('failed', { error });
  }
}
