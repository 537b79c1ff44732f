import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../errors/runtime-errors.ts';
import { FileJournalStore } from '../exec/file-journal-store.ts';
import { writeFileAtomic } from '../io/write-file-atomic.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { Message } from '../model/messages.ts';
import { collectSecrets, scrubSecrets } from '../secrets/secret-values.ts';
import type { PlanReply, PlanSyntax } from './planner.ts';
import { type LoopState, RUN_STATE_VERSION } from './run-state.ts';

/**
 * A suspended task, as saved for `resumeTask`: plain JSON, versioned. It holds what the loop
 * needs to carry on (the conversation, the loop state with usage and budgets, the executor's
 * run id) and the settings to rebuild the model with; never a key or a header: the model
 * object is not saved, only its provider and model id.
 */
export const TASK_FILE_VERSION = 1;

export interface SavedTaskSettings {
  mode: 'plan';
  syntax: PlanSyntax;
  provider: string;
  model: string;
  resultChars: number;
  prefetch: boolean;
}

export interface SavedTask {
  kind: 'toolplan.task';
  version: typeof TASK_FILE_VERSION;
  taskId: string;
  /** `suspended` until a resume finishes it; then `answered` or `failed` (not resumable). */
  status: 'suspended' | 'answered' | 'failed';
  savedAt: string;
  settings: SavedTaskSettings;
  /** The task's own input (plans also see `input.previous`, kept in `state.previous`). */
  input: Record<string, unknown>;
  /** The conversation with the planner so far, exactly as sent (a replayed join matches). */
  messages: Message[];
  /** The plan reply the next join answers (its submit_plan call id). */
  reply: PlanReply | null;
  /** The loop state (its own `version`): usage, budgets, plans, previous, the suspension. */
  state: LoopState;
  /**
   * Time the task was active before it suspended. The deadline budget counts active time:
   * waiting for a person does not use it up.
   */
  activeMs: number;
  /** The executor run that is waiting, in the journal next to this file. */
  runId: string;
  pending: { nodeId: string; tool: string; args: unknown }[];
  answer?: string;
  error?: { name: string; code: string; message: string };
}

/** What the loop knows when it saves a task. */
export type TaskSnapshot = Pick<
  SavedTask,
  'settings' | 'input' | 'messages' | 'reply' | 'state' | 'runId'
>;

/** The file for a task: `end` is the answer or the error of a finished one. */
export function taskFile(
  taskId: string,
  status: SavedTask['status'],
  end: string | { name: string; code: string; message: string } | undefined,
  snapshot: TaskSnapshot,
): SavedTask {
  const last = snapshot.state.last;
  return {
    kind: 'toolplan.task',
    version: TASK_FILE_VERSION,
    taskId,
    status,
    savedAt: new Date().toISOString(),
    ...snapshot,
    activeMs: Date.now() - snapshot.state.startedAt,
    pending: last?.kind === 'executed' ? (last.pending ?? []) : [],
    ...(typeof end === 'string' ? { answer: end } : {}),
    ...(end && typeof end === 'object'
      ? { error: { name: end.name, code: end.code, message: end.message } }
      : {}),
  };
}

/** Which model a task ran with: its provider and id, never its key. */
export function modelSettings(model: Pick<LanguageModel, 'provider' | 'modelId'>): {
  provider: string;
  model: string;
} {
  return { provider: model.provider, model: model.modelId };
}

/** Where suspended tasks are kept. */
export interface TaskStore {
  save(task: SavedTask): Promise<void>;
  /** undefined when there is no such task. */
  load(taskId: string): Promise<SavedTask | undefined>;
  /** Where a task lives, for messages. */
  describe(taskId: string): string;
}

const TASK_ID = /^[A-Za-z0-9_.-]{1,128}$/;

function checkTaskId(taskId: string): void {
  if (!TASK_ID.test(taskId)) {
    throw new ConfigError(
      'bad_task_id',
      `task id ${JSON.stringify(taskId)} must match ${TASK_ID} (it names a file)`,
    );
  }
}

export function newTaskId(): string {
  const t = new Date().toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `task-${t}-${randomBytes(4).toString('hex')}`;
}

/**
 * The saved text, with the value of every secret environment variable replaced. The task
 * holds no key by construction; this catches a tool result or an input that echoed one.
 */
export function serializeTask(task: SavedTask, env: NodeJS.ProcessEnv = process.env): string {
  return scrubSecrets(`${JSON.stringify(task, null, 2)}\n`, collectSecrets(env));
}

/** Checks a loaded task's shape and versions: an old or foreign file is refused, not guessed. */
export function parseTask(text: string, where: string): SavedTask {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError('bad_task_file', `${where} is not JSON: ${(error as Error).message}`);
  }
  const task = value as Partial<SavedTask> | null;
  if (!task || typeof task !== 'object' || task.kind !== 'toolplan.task') {
    throw new ConfigError('bad_task_file', `${where} is not a toolplan task file`);
  }
  if (task.version !== TASK_FILE_VERSION || task.state?.version !== RUN_STATE_VERSION) {
    throw new ConfigError(
      'bad_task_file',
      `${where} has task version ${task.version} / loop state version ${task.state?.version}; this toolplan reads ${TASK_FILE_VERSION} / ${RUN_STATE_VERSION}`,
    );
  }
  if (typeof task.runId !== 'string' || !Array.isArray(task.messages)) {
    throw new ConfigError('bad_task_file', `${where} is missing its run id or conversation`);
  }
  return task as SavedTask;
}

/** One JSON file a task, `<dir>/<taskId>.json`, replaced atomically (write, fsync, rename). */
export class FileTaskStore implements TaskStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = dir;
  }

  path(taskId: string): string {
    checkTaskId(taskId);
    return join(this.dir, `${taskId}.json`);
  }

  describe(taskId: string): string {
    return this.path(taskId);
  }

  async save(task: SavedTask): Promise<void> {
    const file = this.path(task.taskId);
    await writeFileAtomic(file, serializeTask(task));
  }

  async load(taskId: string): Promise<SavedTask | undefined> {
    const file = this.path(taskId);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return parseTask(text, file);
  }
}

/** Tasks kept in memory, for a journal store that is in memory too (tests, embedders). */
export class MemoryTaskStore implements TaskStore {
  readonly #tasks = new Map<string, string>();

  describe(taskId: string): string {
    return `task ${taskId} (in memory)`;
  }

  async save(task: SavedTask): Promise<void> {
    checkTaskId(task.taskId);
    this.#tasks.set(task.taskId, serializeTask(task));
  }

  async load(taskId: string): Promise<SavedTask | undefined> {
    const text = this.#tasks.get(taskId);
    return text === undefined ? undefined : parseTask(text, this.describe(taskId));
  }
}

const memoryStores = new WeakMap<object, MemoryTaskStore>();

/**
 * The task store that goes with an executor journal store: `<journal dir>/tasks/` for the
 * file store; for any other store, one in-memory task store per journal store (a suspended
 * task resumes in the same process with the same store). No journal store: nothing to resume
 * from, so no task store.
 */
export function taskStoreFor(journal: unknown): TaskStore | undefined {
  if (journal instanceof FileJournalStore) return new FileTaskStore(join(journal.dir, 'tasks'));
  if (!journal || typeof journal !== 'object') return undefined;
  let store = memoryStores.get(journal);
  if (!store) {
    store = new MemoryTaskStore();
    memoryStores.set(journal, store);
  }
  return store;
}
