interface Waiter {
  wake: (() => void) | undefined;
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
