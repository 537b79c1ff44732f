import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/write-file-atomic.ts';

/**
 * One JSON document a file, replaced atomically (write, fsync, rename): the server's task
 * records and conversations, which a crash must leave either old or new, never torn.
 */
export class JsonFiles<T> {
  readonly dir: string;
  #chain = new Map<string, Promise<void>>();

  constructor(dir: string) {
    this.dir = dir;
  }

  #path(id: string): string {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(id)) throw new Error(`bad id ${JSON.stringify(id)}`);
    return join(this.dir, `${id}.json`);
  }

  async read(id: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.#path(id), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Writes of one id happen in call order; the last one wins on disk. */
  write(id: string, value: T): Promise<void> {
    const text = JSON.stringify(value);
    const prev = this.#chain.get(id) ?? Promise.resolve();
    const next = prev.then(() => this.#write(id, text));
    const settled = next.catch(() => {});
    this.#chain.set(id, settled);
    void settled.then(() => {
      if (this.#chain.get(id) === settled) this.#chain.delete(id);
    });
    return next;
  }

  async #write(id: string, text: string): Promise<void> {
    const file = this.#path(id);
    await writeFileAtomic(file, text);
  }

  async list(): Promise<string[]> {
    try {
      return (await readdir(this.dir))
        .filter((n) => n.endsWith('.json'))
        .map((n) => n.slice(0, -'.json'.length));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }

  /** Resolves when every write asked so far is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.#chain.values()]);
  }
}
