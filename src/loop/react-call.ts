import { toToolplanError } from '../errors/runtime-errors.ts';
import { callRaced } from '../exec/invoke-tool.ts';
import type { ToolCall, ToolResult } from '../model/messages.ts';
import { checkArgs, type RegisteredTool, type ToolRegistry } from '../tool/registry.ts';
import type { LlmContext } from './llm-call.ts';
import { toolErrorResult, toolOutputResult } from './llm-data.ts';
import type { TaskApproveFn } from './ports.ts';
import type { ToolCallRecord } from './prefetch.ts';

/** What react mode's tool calls need: the tools, the approver, and where calls are recorded. */
export interface ReactCallContext {
  llm: LlmContext;
  registry: ToolRegistry;
  approve?: TaskApproveFn | undefined;
  resultChars: number;
  records: ToolCallRecord[];
}

/**
 * One native tool call of a react turn: checked, approved, raced against its timeout and the
 * task's signal. Its failures are results for the model to read; `suspend` when the call needs
 * approval and there is no one to ask.
 */
export async function runReactCall(
  c: ReactCallContext,
  call: ToolCall,
): Promise<ToolResult | 'suspend'> {
  const result = (content: string, isError = false): ToolResult => ({
    toolCallId: call.id,
    name: call.name,
    content,
    isError,
  });
  const registered = c.registry.get(call.name);
  if (!registered) {
    return result(`unknown tool "${call.name}"; available: ${c.registry.names().join(', ')}`, true);
  }
  const issues = checkArgs(registered, call.args);
  if (issues.length > 0) {
    return result(
      `invalid arguments: ${issues.map((i) => `${i.path || '/'}: ${i.message}`).join('; ')}`,
      true,
    );
  }
  if (registered.tool.requires_approval) {
    if (!c.approve) return 'suspend';
    if (!(await approved(c, c.approve, call)))
      return result('ApprovalDenied: a person denied this call', true);
  }
  return invoke(c, registered, call, result);
}

async function approved(
  c: ReactCallContext,
  approve: TaskApproveFn,
  call: ToolCall,
): Promise<boolean> {
  const { emit, clock, signal } = c.llm;
  emit({
    type: 'approval.requested',
    at: clock(),
    tool: call.name,
    nodeId: call.id,
    args: call.args,
  });
  const yes = await approve({ tool: call.name, args: call.args, node: call.id, signal });
  emit({ type: 'approval.decided', at: clock(), tool: call.name, nodeId: call.id, approved: yes });
  return yes;
}

async function invoke(
  c: ReactCallContext,
  registered: RegisteredTool,
  call: ToolCall,
  result: (content: string, isError?: boolean) => ToolResult,
): Promise<ToolResult> {
  const { emit, clock } = c.llm;
  const record: ToolCallRecord = {
    name: call.name,
    args: call.args,
    nodeId: call.id,
    start: clock(),
  };
  c.records.push(record);
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
        signal: c.llm.signal,
      },
      'react',
    );
    record.ok = true;
    return result(toolOutputResult(output, c.resultChars));
  } catch (thrown) {
    record.ok = false;
    return result(toolErrorResult(toToolplanError(thrown), c.resultChars), true);
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
}
