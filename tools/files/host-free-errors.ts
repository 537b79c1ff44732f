import { ToolError } from '../../src/errors/runtime-errors.ts';
import { isToolplanError } from '../../src/errors/toolplan-error.ts';
import type { ToolContext } from '../../src/tool/tool.ts';

/**
 * What a file tool's caller (an LLM, a journal, a trace) may learn from a failure: the path
 * as it gave it and what went wrong, never where the sandbox lies on the host. Node's fs
 * errors carry the absolute path in their message and in `path`/`dest`; each is rewritten
 * here into a ToolError that names only the sandbox-relative path.
 */

const REASONS: Record<string, [code: string, reason: string, retryable?: boolean]> = {
  ENAMETOOLONG: ['name_too_long', 'a name in it is too long (at most 255 bytes a segment)'],
  EACCES: ['permission_denied', 'permission denied'],
  EPERM: ['permission_denied', 'the operation is not permitted'],
  EISDIR: ['is_directory', 'it is a folder'],
  ENOTDIR: ['not_a_folder', 'a part of it is a file, not a folder'],
  EEXIST: ['already_exists', 'it already exists'],
  ENOENT: ['file_not_found', 'it does not exist'],
  ENOTEMPTY: ['folder_not_empty', 'the folder is not empty'],
  ELOOP: ['sandbox_escape', 'it goes through too many symlinks'],
  ENOSPC: ['disk_full', 'no space left on the disk', true],
  EMFILE: ['too_many_open_files', 'too many files are open; try again', true],
  EBUSY: ['busy', 'the file is busy; try again', true],
  EROFS: ['read_only', 'the sandbox is read-only'],
};

function isSystemError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as { code?: unknown }).code === 'string' &&
    ('syscall' in error || 'errno' in error)
  );
}

function shown(path: string): string {
  return JSON.stringify(path.length > 200 ? `${path.slice(0, 197)}...` : path);
}

/** The error a file tool throws for `error`, raised while working on `path` (as given). */
export function hostFreeError(error: unknown, path: string, root: string | undefined): unknown {
  if (isToolplanError(error)) return error;
  if (isSystemError(error)) {
    const [code, reason, retryable = false] = REASONS[error.code] ?? [
      'file_system_error',
      `the file system refused it (${error.code})`,
    ];
    return new ToolError(`cannot use path ${shown(path)} in the sandbox: ${reason}`, {
      code,
      retryable,
      details: { path: path.slice(0, 200), errno: error.code },
    });
  }
  if (root && error instanceof Error && error.message.includes(root)) {
    // Not an fs error, yet it names the host path: the message goes, with the path cut out.
    return new ToolError(error.message.split(root).join('<sandbox>'), {
      code: 'file_system_error',
      retryable: false,
      details: { path: path.slice(0, 200) },
    });
  }
  return error;
}

/** Wraps a file tool's execute so that whatever it throws is host-free. */
export function hostFree<A, O>(
  pathOf: (args: A) => string,
  rootOf: () => Promise<string>,
  fn: (args: A, ctx: ToolContext) => Promise<O>,
): (args: A, ctx: ToolContext) => Promise<O> {
  return async (args, ctx) => {
    try {
      return await fn(args, ctx);
    } catch (error) {
      const root = await rootOf().catch(() => undefined);
      throw hostFreeError(error, pathOf(args), root);
    }
  };
}
