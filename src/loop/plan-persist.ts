import type { ToolplanError } from '../errors/toolplan-error.ts';
import type { PlanSession } from './plan-session.ts';
import { modelSettings, type SavedTask, taskFile } from './task-store.ts';

/**
 * Saves the task so that `resumeTask` can continue it (or marks how it ended). Needs a task
 * store, a task id, a journal store and an executor run; without them nothing is saved.
 */
export async function saveTask(
  s: PlanSession,
  status: SavedTask['status'],
  end?: string | ToolplanError,
): Promise<string | undefined> {
  const { o } = s;
  if (!o.tasks || !o.taskId || !o.store || !s.execRunId) return undefined;
  const settings = { mode: 'plan' as const, syntax: o.syntax, resultChars: o.resultChars };
  await o.tasks.save(
    taskFile(o.taskId, status, end, {
      settings: { ...settings, prefetch: o.prefetch, ...modelSettings(o.llm.model) },
      input: o.input,
      messages: s.messages,
      reply: s.reply ?? null,
      state: s.state,
      runId: s.execRunId,
    }),
  );
  s.filed = true;
  return o.taskId;
}

/** A finished task's file says so: resuming it again would repeat its join. */
export async function settleTask(
  s: PlanSession,
  status: 'answered' | 'failed',
  end: string | ToolplanError,
): Promise<void> {
  if (s.filed) await saveTask(s, status, end).catch(() => {}); // The result stands regardless.
}
