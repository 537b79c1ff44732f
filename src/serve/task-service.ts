import { join } from 'node:path';
import { ConfigError } from '../errors/runtime-errors.ts';
import { newRunId } from '../exec/execute-plan.ts';
import type { JournalStore } from '../exec/journal-store.ts';
import type { LoopEvent } from '../loop/events.ts';
import { resumeTask } from '../loop/resume-task.ts';
import type { Budgets } from '../loop/run-state.ts';
import { runTask } from '../loop/run-task.ts';
import { FileTaskStore } from '../loop/task-store.ts';
import type { TaskResult } from '../loop/task-types.ts';
import type { LanguageModel } from '../model/language-model.ts';
import type { Message } from '../model/messages.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { JsonFiles } from './json-files.ts';
import { matchesWaiting } from './run-summary.ts';
import type { SummaryT, TaskRequestT } from './schemas.ts';
import { TaskLog } from './task-log.ts';
import { tapText } from './text-tap.ts';

/** What the server keeps of a task, beside its event log. */
export interface TaskRecord extends SummaryT {
  kind: 'task';
  message: string;
  conversationId?: string;
  /** The loop's saved-task id while suspended (`resumeTask`). */
  loopTaskId?: string;
  answer?: string;
  error?: { code: string; message: string };
  usage?: TaskResult['usage'];
}

export interface TaskServiceOptions {
  dir: string;
  tools: ToolRegistry;
  /** A model for one task and its resumptions; `finish` writes out what it recorded. None: tasks are refused. */
  model?: () => { model: LanguageModel; finish(): Promise<void> };
  /** The executor's journal for the tasks' plans. */
  store: JournalStore;
  /** Server-side caps: a request's budgets can only tighten them. */
  budgets: Budgets;
  observe?: (event: LoopEvent, taskId: string) => void;
  /** Told when a task's record changes (the live list). */
  onChange?: (record: TaskRecord) => void;
}

type Conversation = { id: string; messages: { role: 'user' | 'assistant'; content: string }[] };

/** LLM tasks the server owns, with their conversations, decisions and event logs. */
export class TaskService {
  readonly log: TaskLog;
  readonly #o: TaskServiceOptions;
  readonly #records: JsonFiles<TaskRecord>;
  readonly #conversations: JsonFiles<Conversation>;
  readonly #loopTasks: FileTaskStore;
  readonly #cache = new Map<string, TaskRecord>();
  readonly #active = new Map<
    string,
    {
      controller: AbortController;
      done: Promise<void>;
      decisions: { node: string; approved: boolean }[];
    }
  >();
  /** A task keeps its model across resumptions: a replayed cassette continues where it was. */
  readonly #models = new Map<string, { model: LanguageModel; finish(): Promise<void> }>();
  #accepting = true;
  /** Set while draining: a task cancelled now was cut by the stop, not by a person. */
  #stopping = false;

  constructor(options: TaskServiceOptions) {
    this.#o = options;
    this.log = new TaskLog(join(options.dir, 'task-events'));
    this.#records = new JsonFiles(join(options.dir, 'tasks'));
    this.#conversations = new JsonFiles(join(options.dir, 'conversations'));
    this.#loopTasks = new FileTaskStore(join(options.dir, 'loop-tasks'));
  }

  /**
   * Loads every task; one that was running when the server stopped cannot continue mid-plan
   * (the loop keeps no checkpoint between a plan and its join), so it is marked interrupted.
   */
  async recover(): Promise<string[]> {
    const cut: string[] = [];
    for (const id of await this.#records.list()) {
      const record = await this.#records.read(id);
      if (!record) continue;
      if (record.status === 'running') {
        record.status = 'interrupted';
        record.error = { code: 'interrupted', message: 'the server stopped while the task ran' };
        await this.#records.write(id, record);
        cut.push(id);
      }
      this.#cache.set(id, record);
    }
    return cut;
  }

  async start(request: TaskRequestT): Promise<string> {
    this.#refuseWhenDraining();
    if (!this.#o.model) {
      throw new ConfigError(
        'no_model',
        'this server has no LLM: start it with a provider key (OPENAI_API_KEY or ANTHROPIC_API_KEY) or --cassette FILE',
      );
    }
    const id = newRunId();
    const conversation = request.conversation_id
      ? ((await this.#conversations.read(request.conversation_id)) ?? {
          id: request.conversation_id,
          messages: [],
        })
      : undefined;
    const history: Message[] = conversation?.messages ?? request.history ?? [];
    const record: TaskRecord = {
      id,
      kind: 'task',
      status: 'running',
      startedAt: Date.now(),
      title: request.message.slice(0, 200),
      message: request.message,
      waiting: [],
      ...(conversation ? { conversationId: conversation.id } : {}),
    };
    await this.#save(record);
    await this.log.open(id);
    const budgets = capBudgets(this.#o.budgets, request.budgets ?? {});
    this.#launch(record, (wiring) =>
      runTask(request.message, {
        ...wiring,
        mode: request.mode ?? 'plan',
        syntax: request.syntax ?? 'json',
        budgets,
        history,
        ...(request.input ? { input: request.input } : {}),
      }),
    );
    return id;
  }

  get(id: string): TaskRecord | undefined {
    return this.#cache.get(id);
  }

  list(): TaskRecord[] {
    return [...this.#cache.values()];
  }

  async conversation(id: string): Promise<Conversation | undefined> {
    return this.#conversations.read(id);
  }

  isActive(id: string): boolean {
    return this.#active.has(id);
  }

  async settled(id: string): Promise<void> {
    while (this.#active.has(id)) await this.#active.get(id)?.done;
  }

  decide(id: string, node: string, approved: boolean): void {
    this.#refuseWhenDraining();
    const record = this.#cache.get(id);
    if (!record) throw new ConfigError('task_not_found', `no task ${id}`);
    if (!matchesWaiting(record.waiting, node)) {
      throw new ConfigError(
        'not_waiting',
        `node "${node}" is not waiting for approval in task ${id}; waiting: ${record.waiting.map((w) => w.key).join(', ') || '(none)'}`,
      );
    }
    const active = this.#active.get(id);
    if (active) active.decisions.push({ node, approved });
    else this.#resume(record, [{ node, approved }]);
  }

  async cancel(id: string): Promise<boolean> {
    const record = this.#cache.get(id);
    if (!record) throw new ConfigError('task_not_found', `no task ${id}`);
    const active = this.#active.get(id);
    if (active) {
      active.controller.abort(new Error('cancelled through the API'));
      return true;
    }
    if (record.status !== 'suspended') return false;
    await this.#save({ ...record, status: 'cancelled', waiting: [], finishedAt: Date.now() });
    return true;
  }

  async drain(graceMs: number): Promise<void> {
    this.#accepting = false;
    this.#stopping = true;
    const all = () => Promise.allSettled([...this.#active.values()].map((a) => a.done));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const a of this.#active.values()) a.controller.abort(new Error('server stopping'));
    await all();
    await this.#records.flush();
  }

  #refuseWhenDraining(): void {
    if (!this.#accepting) throw new ConfigError('draining', 'the server is shutting down');
  }

  async #save(record: TaskRecord): Promise<void> {
    this.#cache.set(record.id, record);
    this.#o.onChange?.(record);
    await this.#records.write(record.id, record);
  }

  #resume(record: TaskRecord, decisions: { node: string; approved: boolean }[]): void {
    const loopTaskId = record.loopTaskId;
    if (!loopTaskId) throw new ConfigError('not_resumable', `task ${record.id} cannot be resumed`);
    this.#cache.set(record.id, { ...record, status: 'running', waiting: [] });
    this.#o.onChange?.({ ...record, status: 'running', waiting: [] });
    this.#launch(this.#cache.get(record.id) as TaskRecord, (wiring) =>
      resumeTask(loopTaskId, {
        ...wiring,
        approveNodes: decisions.filter((d) => d.approved).map((d) => d.node),
        denyNodes: decisions.filter((d) => !d.approved).map((d) => d.node),
      }),
    );
  }

  #launch(
    record: TaskRecord,
    run: (wiring: {
      model: LanguageModel;
      tools: ToolRegistry;
      store: JournalStore;
      taskStore: FileTaskStore;
      signal: AbortSignal;
      onEvent: (e: LoopEvent) => void;
    }) => Promise<TaskResult>,
  ): void {
    const controller = new AbortController();
    const id = record.id;
    // The task's last event is journaled only once its record is saved: a client that sees
    // the task end finds its state, answer and conversation already kept.
    const held: LoopEvent[] = [];
    let flushText = () => {};
    const onEvent = (e: LoopEvent) => {
      if (e.type === 'llm.finished') flushText();
      if (e.type === 'task.answered' || e.type === 'task.failed' || e.type === 'task.suspended')
        held.push(e);
      else void this.log.append(id, e).catch(() => {});
      this.#o.observe?.(e, id);
    };
    const active = {
      controller,
      decisions: [] as { node: string; approved: boolean }[],
      done: Promise.resolve(),
    };
    active.done = (async () => {
      const model =
        this.#models.get(id) ?? (this.#o.model as NonNullable<TaskServiceOptions['model']>)();
      this.#models.set(id, model);
      const t0 = Date.now();
      const tap = tapText(model.model, (text) => {
        void this.log.append(id, { type: 'llm.text', at: Date.now() - t0, text }).catch(() => {});
      });
      flushText = tap.flush;
      let result: TaskResult | undefined;
      try {
        result = await run({
          model: tap.model,
          tools: this.#o.tools,
          store: this.#o.store,
          taskStore: this.#loopTasks,
          signal: controller.signal,
          onEvent,
        });
      } finally {
        if (result?.status !== 'suspended') {
          this.#models.delete(id);
          await model.finish().catch(() => {});
        }
      }
      await this.#finish(record, result);
      for (const e of held) await this.log.append(id, e).catch(() => {});
      await this.log.close(id).catch(() => {});
    })()
      .catch(async (error: unknown) => {
        await this.#save({
          ...record,
          status: 'failed',
          error: {
            code: 'internal',
            message: error instanceof Error ? error.message : String(error),
          },
        });
      })
      .finally(() => {
        if (this.#active.get(id) !== active) return;
        this.#active.delete(id);
        const now = this.#cache.get(id);
        if (active.decisions.length && now?.status === 'suspended' && this.#accepting)
          this.#resume(now, active.decisions);
      });
    this.#active.set(id, active);
  }

  async #finish(record: TaskRecord, result: TaskResult): Promise<void> {
    const cancelled = result.error?.code === 'cancelled';
    const cut = cancelled && this.#stopping;
    const next: TaskRecord = {
      ...record,
      status:
        result.status === 'answered'
          ? 'succeeded'
          : cut
            ? 'interrupted'
            : cancelled
              ? 'cancelled'
              : result.status,
      usage: result.usage,
      costUsd: result.usage.costUsd,
      waiting: (result.pending ?? []).map((p) => ({
        key: p.nodeId,
        node: p.nodeId.split('/')[0] ?? p.nodeId,
        tool: p.tool,
        args: p.args,
      })),
      ...(result.status === 'suspended' ? {} : { finishedAt: Date.now() }),
      ...(result.answer !== undefined ? { answer: result.answer } : {}),
      ...(result.error
        ? { error: { code: result.error.code, message: result.error.message } }
        : {}),
    };
    if (cut) next.error = { code: 'interrupted', message: 'the server stopped while the task ran' };
    if (result.taskId) next.loopTaskId = result.taskId;
    // The conversation first: a client that sees the task finished finds its turn kept.
    if (result.status === 'answered' && record.conversationId) {
      const c = (await this.#conversations.read(record.conversationId)) ?? {
        id: record.conversationId,
        messages: [],
      };
      c.messages.push(
        { role: 'user', content: record.message },
        { role: 'assistant', content: result.answer ?? '' },
      );
      await this.#conversations.write(c.id, c);
    }
    await this.#save(next);
  }
}

/** Each asked budget under the server's cap for it; an unasked one gets the cap. */
export function capBudgets(server: Budgets, asked: Budgets): Budgets {
  const out: Budgets = {};
  const keys = new Set([...Object.keys(server), ...Object.keys(asked)]) as Set<keyof Budgets>;
  for (const k of keys) {
    const a = asked[k];
    const s = server[k];
    const v = a === undefined ? s : s === undefined ? a : Math.min(a, s);
    if (v !== undefined) out[k] = v;
  }
  return out;
}
