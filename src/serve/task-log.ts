import type { RunEvent } from '../exec/events.ts';
import { FileJournalStore } from '../exec/file-journal-store.ts';
import type { LoopEvent } from '../loop/events.ts';
import { EventHub } from './event-hub.ts';

/** What the server adds to the loop's events: the text the LLM is writing, as it writes. */
export type ServeEvent = { type: 'llm.text'; at: number; text: string };

/** A task's journaled event: `seq` is its SSE id, `at` the wall clock. */
export interface TaskLogEntry {
  seq: number;
  at: number;
  type: 'loop';
  event: LoopEvent | ServeEvent;
}

/**
 * The loop's events of each task, journaled like a run's (one JSON line each, in a file per
 * task), so a task's stream replays from the journal after a reconnect or a restart.
 */
export class TaskLog {
  readonly hub: EventHub;
  readonly #seq = new Map<string, number>();
  readonly #chain = new Map<string, Promise<void>>();

  constructor(dir: string) {
    this.hub = new EventHub(new FileJournalStore(dir));
  }

  async read(taskId: string): Promise<TaskLogEntry[]> {
    return (await this.hub.read(taskId)) as unknown as TaskLogEntry[];
  }

  /** Continues numbering after what the journal already holds (a task resumed after a restart). */
  async open(taskId: string): Promise<void> {
    if (this.#seq.has(taskId)) return;
    const last = (await this.read(taskId)).at(-1);
    if (!this.#seq.has(taskId)) this.#seq.set(taskId, last ? last.seq + 1 : 0);
  }

  append(taskId: string, event: LoopEvent | ServeEvent): Promise<void> {
    const seq = this.#seq.get(taskId) ?? 0;
    this.#seq.set(taskId, seq + 1);
    const entry: TaskLogEntry = { seq, at: Date.now(), type: 'loop', event };
    const next = (this.#chain.get(taskId) ?? Promise.resolve()).then(() =>
      this.hub.append(taskId, [entry as unknown as RunEvent]),
    );
    const settled = next.catch(() => {});
    this.#chain.set(taskId, settled);
    return next;
  }

  /** Waits for the task's appends, then releases its file. */
  async close(taskId: string): Promise<void> {
    await this.#chain.get(taskId);
    this.#chain.delete(taskId);
    await this.hub.close(taskId);
  }
}
