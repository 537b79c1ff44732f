import { CompensationFailedError } from '../errors/runtime-errors.ts';
import { resolveRetry } from './backoff.ts';
import { resolveTool } from './call-node.ts';
import { callWithRetry, toError } from './call-retry.ts';
import { evaluateIn } from './evaluate.ts';
import type { ErrorInfo } from './events.ts';
import { type RunContext, type SagaEntry, toErrorInfo } from './run-context.ts';

/**
 * Undoes finished nodes that declare `compensate`, in reverse order of finishing, one at
 * a time, each journaled (started, then finished) so a crash mid-way resumes it. A node
 * already compensated (per the journal) is passed over. Returns the failures.
 */
export async function compensate(
  ctx: RunContext,
  entries: readonly SagaEntry[],
  signal: AbortSignal,
): Promise<ErrorInfo[]> {
  const failures: ErrorInfo[] = [];
  for (const entry of pendingCompensations(ctx, entries)) {
    // Stopped: what is left stays pending in the journal, for a resume to finish.
    if (signal.aborted) break;
    const comp = entry.compensation;
    ctx.journal.append({ type: 'compensation.started', key: entry.key, tool: comp.call });
    try {
      const tool = resolveTool(ctx, comp.call);
      // In `compensate`, the node's own id is its own output: it is in its frame.
      const args = evaluateIn(comp.args, entry.frame, entry.node.refs);
      await callWithRetry(ctx, {
        key: entry.key,
        nodeId: entry.node.id,
        idempotencyKey: `${ctx.runId}/${entry.key}/compensate`,
        tool,
        args,
        policy: resolveRetry(tool.tool.retry, undefined),
        timeoutMs: tool.tool.timeout_ms,
        signal,
        budgeted: false,
      });
      ctx.journal.append({ type: 'compensation.finished', key: entry.key, ok: true });
    } catch (thrown) {
      const info = { ...toErrorInfo(toError(thrown)), node: entry.key };
      ctx.journal.append({ type: 'compensation.finished', key: entry.key, ok: false, error: info });
      failures.push(info);
      if (signal.aborted) break;
    }
  }
  await ctx.journal.flush();
  return failures;
}

/** The entries still to compensate (finished, not yet undone), newest first. */
export function pendingCompensations(ctx: RunContext, entries: readonly SagaEntry[]): SagaEntry[] {
  return [...entries]
    .sort((a, b) => b.seq - a.seq)
    .filter((entry) => ctx.journal.state.nodes.get(entry.key)?.status === 'succeeded');
}

/** The error that goes on after compensating for `original`. */
export function afterCompensation(original: unknown, failures: ErrorInfo[]): unknown {
  if (failures.length === 0) return original;
  const o = original as Error;
  return new CompensationFailedError(
    `${failures.length} compensation(s) failed (${failures.map((f) => `${f.node}: ${f.message}`).join('; ')}) after ${o?.name ?? 'Error'}: ${o?.message ?? String(original)}`,
    { cause: original, retryable: false, details: { original: toErrorInfo(original), failures } },
  );
}
