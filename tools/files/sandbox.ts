import { lstat, mkdir, mkdtemp, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, sep } from 'node:path';
import { ToolError } from '../../src/errors/runtime-errors.ts';

export interface SandboxPath {
  /** Absolute path on disk, inside the sandbox. */
  abs: string;
  /** The path as tools report it: relative to the sandbox, "/"-separated, "." for the root. */
  rel: string;
}

/** NAME_MAX of the common file systems (ext4, APFS, NTFS in UTF-16 units aside). */
const MAX_SEGMENT_BYTES = 255;

function outside(path: string, reason: string): ToolError {
  return new ToolError(
    `path ${JSON.stringify(path)} is not allowed: ${reason}. Use a relative path inside the sandbox, like "notes/todo.txt"`,
    { code: 'sandbox_escape', retryable: false, details: { path } },
  );
}

function isMissing(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/**
 * A folder the file tools may not leave. Paths are checked twice: as text (no "..", no
 * absolute paths) and on disk (the real path of the deepest existing part, symlinks
 * resolved, must lie inside the sandbox's real path).
 */
export class Sandbox {
  readonly #dir: string | undefined;
  #root: Promise<string> | undefined;

  constructor(dir?: string) {
    this.#dir = dir;
  }

  /** The sandbox's real path; created on first use (a fresh temp dir when none was given). */
  root(): Promise<string> {
    this.#root ??= (async () => {
      if (this.#dir) {
        await mkdir(this.#dir, { recursive: true });
        return realpath(this.#dir);
      }
      return realpath(await mkdtemp(join(tmpdir(), 'toolplan-sandbox-')));
    })();
    return this.#root;
  }

  async resolve(path: string): Promise<SandboxPath> {
    if (path.includes('\0')) throw outside(path, 'it contains a NUL character');
    if (isAbsolute(path) || /^[\\/]/.test(path) || /^[A-Za-z]:/.test(path)) {
      throw outside(path, 'absolute paths are outside the sandbox');
    }
    const segments = path.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
    if (segments.includes('..')) throw outside(path, '".." may not appear in a path');
    // Refused as text, before the disk answers ENAMETOOLONG with the host path in it.
    const long = segments.find((s) => Buffer.byteLength(s) > MAX_SEGMENT_BYTES);
    if (long) {
      throw new ToolError(
        `path ${JSON.stringify(path.slice(0, 200))} has a name of ${Buffer.byteLength(long)} bytes; each name in a path may have at most ${MAX_SEGMENT_BYTES}`,
        { code: 'name_too_long', retryable: false, details: { path: path.slice(0, 200) } },
      );
    }
    const root = await this.root();
    const abs = segments.length ? join(root, ...segments) : root;

    let existing = abs;
    let depth = segments.length;
    for (;;) {
      try {
        await lstat(existing);
        break;
      } catch (err) {
        if (!isMissing(err) || depth === 0) throw err;
        depth -= 1;
        existing = depth ? join(root, ...segments.slice(0, depth)) : root;
      }
    }
    let real: string;
    try {
      real = await realpath(existing);
    } catch {
      throw outside(path, 'it goes through a symlink that cannot be resolved');
    }
    if (real !== root && !real.startsWith(root + sep)) {
      throw outside(path, 'it goes through a symlink that points outside the sandbox');
    }
    return { abs, rel: segments.length ? segments.join('/') : '.' };
  }
}
