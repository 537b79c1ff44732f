interface Waiter {
  wake: (() => void) | undefined;
}

/** Something that postponed starting work until a slot is free (a list's ready node). */
export interface Parked {
  resume(index: number): void;
}

/**
 * A counting semaphore with a FIFO queue and O(1) acquire/release. Acquire can be
 * abandoned through a signal (the waiter leaves the queue; no slot is taken).
 */
export class Semaphore {
  readonly limit: number;
  #used = 0;
  #queue: Waiter[] = [];
  #head = 0;
  #parkedBy: Parked[] = [];
  #parkedAt: number[] = [];
  #parkedHead = 0;
  #drainScheduled = false;

  constructor(limit: number) {
    this.limit = Math.max(1, limit);
  }

  get used(): number {
    return this.#used;
  }

  tryAcquire(): boolean {
    if (this.#used < this.limit && this.#head === this.#queue.length) {
      this.#used += 1;
      return true;
    }
    return false;
  }

  /**
   * Waits for a slot. A waiter whose signal aborted while queued gives its slot back as
   * soon as it gets it and rejects: no abort listener per waiter, because thousands of
   * listeners on one signal make adding and removing them quadratic.
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        wake: () => {
          if (signal?.aborted) {
            this.release();
            reject(signal.reason);
          } else resolve();
        },
      };
      this.#queue.push(waiter);
    });
  }

  /** No slot can be had right now: all are used, or others are already waiting. */
  get saturated(): boolean {
    return (
      this.#used >= this.limit ||
      this.#head < this.#queue.length ||
      this.#parkedHead < this.#parkedBy.length
    );
  }

  /**
   * Postpones work that will want a slot until one is free, without making a promise
   * or a closure: `resume(index)` is called, in FIFO order, once a slot is free. Parking
   * is only a hint that keeps thousands of ready nodes from all starting and queueing
   * here at once; whatever is resumed still takes its slot through `acquire`.
   */
  park(by: Parked, index: number): void {
    this.#parkedBy.push(by);
    this.#parkedAt.push(index);
    if (this.#used < this.limit && this.#head === this.#queue.length) this.#scheduleDrain();
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled || this.#parkedHead === this.#parkedBy.length) return;
    this.#drainScheduled = true;
    queueMicrotask(this.#drain);
  }

  readonly #drain = (): void => {
    this.#drainScheduled = false;
    // Resumed work that takes a slot does so synchronously (or it waits in the queue);
    // work that needs none (a skipped node) leaves the slot free for the next.
    while (
      this.#used < this.limit &&
      this.#head === this.#queue.length &&
      this.#parkedHead < this.#parkedBy.length
    ) {
      const by = this.#parkedBy[this.#parkedHead]!;
      const index = this.#parkedAt[this.#parkedHead]!;
      this.#parkedBy[this.#parkedHead] = undefined as unknown as Parked;
      this.#parkedHead += 1;
      by.resume(index);
    }
    if (this.#parkedHead === this.#parkedBy.length) {
      this.#parkedBy = [];
      this.#parkedAt = [];
      this.#parkedHead = 0;
    } else if (this.#parkedHead > 1024 && this.#parkedHead * 2 > this.#parkedBy.length) {
      this.#parkedBy = this.#parkedBy.slice(this.#parkedHead);
      this.#parkedAt = this.#parkedAt.slice(this.#parkedHead);
      this.#parkedHead = 0;
    }
  };

  release(): void {
    while (this.#head < this.#queue.length) {
      const next = this.#queue[this.#head]!;
      this.#head += 1;
      if (next.wake) {
        // The slot passes straight to the waiter: `used` does not change.
        const wake = next.wake;
        next.wake = undefined;
        this.#compact();
        wake();
        return;
      }
    }
    this.#compact();
    this.#used -= 1;
    this.#scheduleDrain();
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }
}
