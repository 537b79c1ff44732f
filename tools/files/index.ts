import { lstat, mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { Tool, ToolContext } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { refused } from '../support/errors.ts';
import { idempotent } from '../support/idempotency.ts';
import { hostFree } from './host-free-errors.ts';
import { Sandbox } from './sandbox.ts';

export interface FilesOptions {
  /** Folder the tools work in; default a fresh temp dir, created on first use. */
  sandboxDir?: string;
}

const MAX_BYTES = 1_000_000;
const MAX_LISTED = 1000;

const PathArg = z
  .string()
  .min(1)
  .max(1024)
  .describe('Path relative to the sandbox folder, e.g. "notes/todo.txt"; no "..", not absolute');

const Entry = z.object({
  path: z.string().describe('Path relative to the sandbox'),
  type: z.enum(['file', 'directory', 'symlink']).describe('Entry type'),
  bytes: z.number().int().describe('Size in bytes (0 for directories)'),
});

function code(err: unknown): string | undefined {
  return (err as { code?: string })?.code;
}

function missing(rel: string) {
  return refused(
    'file_not_found',
    `no such file in the sandbox: ${rel}; list_files shows what exists`,
    {
      path: rel,
    },
  );
}

/** Files in one sandbox folder; nothing outside it can be read, written or deleted. */
export function createFiles(options: FilesOptions = {}): { tools: Tool[]; sandbox: Sandbox } {
  const sandbox = new Sandbox(options.sandboxDir);
  const root = () => sandbox.root();
  // Every failure names the path as given, never the host path of the sandbox.
  const guard = <A extends { path: string }, O>(fn: (a: A, ctx: ToolContext) => Promise<O>) =>
    hostFree((a: A) => a.path, root, fn);
  return {
    sandbox,
    tools: [
      bundledTool({
        name: 'write_file',
        description:
          'Write a UTF-8 text file in the sandbox folder, creating parent folders; replaces an existing file unless append is true. Changes state.',
        inputSchema: z.object({
          path: PathArg,
          content: z.string().max(MAX_BYTES).describe('Text to write'),
          append: z.boolean().default(false).describe('Add to the end instead of replacing'),
        }),
        outputSchema: z.object({
          path: z.string().describe('The path written, relative to the sandbox'),
          bytes: z.number().int().describe('File size after writing'),
          created: z.boolean().describe('Whether the file did not exist before'),
        }),
        mutating: true,
        execute: guard(
          idempotent(async ({ path, content, append }, ctx) => {
            const p = await sandbox.resolve(path);
            const before = await lstat(p.abs).catch((err) => {
              if (code(err) === 'ENOENT') return undefined;
              throw err;
            });
            if (before?.isDirectory()) throw refused('is_directory', `${p.rel} is a folder`);
            await mkdir(dirname(p.abs), { recursive: true });
            await writeFile(p.abs, content, {
              encoding: 'utf8',
              flag: append ? 'a' : 'w',
              signal: ctx.signal,
            });
            return { path: p.rel, bytes: (await stat(p.abs)).size, created: before === undefined };
          }),
        ),
      }),
      bundledTool({
        name: 'read_file',
        description: 'Read a UTF-8 text file from the sandbox folder (up to 1 MB). Read-only.',
        inputSchema: z.object({ path: PathArg }),
        outputSchema: z.object({
          path: z.string().describe('The path read'),
          content: z.string().describe('File content'),
          bytes: z.number().int().describe('File size in bytes'),
        }),
        execute: guard(async ({ path }, ctx) => {
          const p = await sandbox.resolve(path);
          const info = await stat(p.abs).catch((err) => {
            if (code(err) === 'ENOENT') throw missing(p.rel);
            throw err;
          });
          if (!info.isFile()) throw refused('not_a_file', `${p.rel} is not a file`);
          if (info.size > MAX_BYTES) {
            throw refused(
              'file_too_large',
              `${p.rel} is ${info.size} bytes; the limit is ${MAX_BYTES}`,
            );
          }
          const content = await readFile(p.abs, { encoding: 'utf8', signal: ctx.signal });
          return { path: p.rel, content, bytes: info.size };
        }),
      }),
      bundledTool({
        name: 'list_files',
        description:
          'List the files and folders in the sandbox (or one folder of it), recursively, sorted by path. Symlinks are listed, not followed. Read-only.',
        inputSchema: z.object({
          dir: z
            .string()
            .max(1024)
            .default('.')
            .describe('Folder to list; default the whole sandbox'),
        }),
        outputSchema: z.object({
          files: z.array(Entry).describe('Entries, sorted by path'),
          count: z.number().int().describe('Number of entries'),
          truncated: z.boolean().describe(`True when more than ${MAX_LISTED} entries exist`),
        }),
        execute: hostFree(
          (a: { dir: string }) => a.dir,
          root,
          async ({ dir }, ctx) => {
            const base = await sandbox.resolve(dir);
            const info = await stat(base.abs).catch((err) => {
              if (code(err) === 'ENOENT') throw missing(base.rel);
              throw err;
            });
            if (!info.isDirectory()) throw refused('not_a_folder', `${base.rel} is not a folder`);
            const files: z.infer<typeof Entry>[] = [];
            const walk = async (abs: string, rel: string): Promise<void> => {
              ctx.signal.throwIfAborted();
              const entries = await readdir(abs, { withFileTypes: true });
              for (const e of entries) {
                const childRel = rel === '.' ? e.name : `${rel}/${e.name}`;
                const childAbs = join(abs, e.name);
                if (e.isSymbolicLink()) files.push({ path: childRel, type: 'symlink', bytes: 0 });
                else if (e.isDirectory()) {
                  files.push({ path: childRel, type: 'directory', bytes: 0 });
                  await walk(childAbs, childRel);
                } else if (e.isFile()) {
                  files.push({ path: childRel, type: 'file', bytes: (await lstat(childAbs)).size });
                }
                if (files.length > MAX_LISTED) return;
              }
            };
            await walk(base.abs, base.rel);
            files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
            const truncated = files.length > MAX_LISTED;
            const shown = files.slice(0, MAX_LISTED);
            return { files: shown, count: shown.length, truncated };
          },
        ),
      }),
      bundledTool({
        name: 'delete_file',
        description:
          'Delete a file from the sandbox folder (not folders). Says deleted: false when there was no such file. Changes state.',
        inputSchema: z.object({ path: PathArg }),
        outputSchema: z.object({
          path: z.string().describe('The path'),
          deleted: z.boolean().describe('Whether a file was deleted'),
        }),
        mutating: true,
        execute: guard(
          idempotent(async ({ path }) => {
            const p = await sandbox.resolve(path);
            if (p.rel === '.')
              throw refused('is_directory', 'the sandbox folder itself cannot be deleted');
            const info = await lstat(p.abs).catch((err) => {
              if (code(err) === 'ENOENT') return undefined;
              throw err;
            });
            if (!info) return { path: p.rel, deleted: false };
            if (info.isDirectory())
              throw refused('is_directory', `${p.rel} is a folder, not a file`);
            await unlink(p.abs);
            return { path: p.rel, deleted: true };
          }),
        ),
      }),
    ],
  };
}
