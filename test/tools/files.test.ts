import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isToolplanError } from '../../src/errors/toolplan-error.ts';
import { createFiles } from '../../tools/index.ts';
import { byName, call, ctx, removeLater, tempDir } from './helpers.ts';

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error('expected a rejection');
  return err;
}

async function setup() {
  const root = await tempDir();
  const sandboxDir = join(root, 'sandbox');
  const outside = join(root, 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'top secret');
  const { tools } = createFiles({ sandboxDir });
  return { root, sandboxDir, outside, tools };
}

describe('file tools', () => {
  it('write, read, list and delete inside the sandbox, on the real disk', async () => {
    const { sandboxDir, tools } = await setup();
    expect(await call(tools, 'write_file', { path: 'notes/todo.txt', content: 'milk' })).toEqual({
      path: 'notes/todo.txt',
      bytes: 4,
      created: true,
    });
    expect(await readFile(join(sandboxDir, 'notes', 'todo.txt'), 'utf8')).toBe('milk');
    await call(tools, 'write_file', {
      path: './notes/todo.txt',
      content: ' and eggs',
      append: true,
    });
    expect((await call(tools, 'read_file', { path: 'notes/todo.txt' })).content).toBe(
      'milk and eggs',
    );
    expect((await call(tools, 'list_files', {})).files).toEqual([
      { path: 'notes', type: 'directory', bytes: 0 },
      { path: 'notes/todo.txt', type: 'file', bytes: 13 },
    ]);
    expect(await call(tools, 'delete_file', { path: 'notes/todo.txt' })).toEqual({
      path: 'notes/todo.txt',
      deleted: true,
    });
    expect(await call(tools, 'delete_file', { path: 'notes/todo.txt' })).toEqual({
      path: 'notes/todo.txt',
      deleted: false,
    });
    const err = await rejection(byName(tools, 'read_file').execute({ path: 'nope.txt' }, ctx()));
    expect(err.message).toMatch(/no such file/);
  });

  it.each([
    ['../x'],
    ['a/../../x'],
    ['..'],
    ['/etc/passwd'],
    ['\\\\server\\share'],
    ['C:\\Windows\\win.ini'],
    ['a/\0b'],
  ])('rejects %j as outside the sandbox', async (path) => {
    const { tools } = await setup();
    for (const name of ['read_file', 'write_file', 'delete_file']) {
      const err = await rejection(
        Promise.resolve(byName(tools, name).execute({ path, content: 'x' }, ctx())),
      );
      expect(isToolplanError(err) && err.code).toBe('sandbox_escape');
      expect(isToolplanError(err) && err.retryable).toBe(false);
    }
  });

  it('rejects symlinks that point out of the sandbox, for every operation', async () => {
    const { sandboxDir, outside, tools } = await setup();
    await mkdir(sandboxDir, { recursive: true });
    await symlink(join(outside, 'secret.txt'), join(sandboxDir, 'link.txt'));
    await symlink(outside, join(sandboxDir, 'linkdir'));
    await symlink(join(outside, 'missing'), join(sandboxDir, 'dangling'));
    const attempts: [string, Record<string, unknown>][] = [
      ['read_file', { path: 'link.txt' }],
      ['read_file', { path: 'linkdir/secret.txt' }],
      ['write_file', { path: 'link.txt', content: 'pwned' }],
      ['write_file', { path: 'linkdir/new.txt', content: 'pwned' }],
      ['write_file', { path: 'dangling', content: 'pwned' }],
      ['write_file', { path: 'linkdir/deeper/new.txt', content: 'pwned' }],
      ['delete_file', { path: 'linkdir/secret.txt' }],
      ['list_files', { dir: 'linkdir' }],
    ];
    for (const [name, args] of attempts) {
      const err = await rejection(Promise.resolve(byName(tools, name).execute(args, ctx())));
      expect(isToolplanError(err) && err.code, `${name} ${JSON.stringify(args)}`).toBe(
        'sandbox_escape',
      );
    }
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
    const listed = await call(tools, 'list_files', {});
    expect(listed.files.map((f: { path: string }) => f.path)).not.toContain('linkdir/secret.txt');
  });

  it('follows symlinks that stay inside the sandbox', async () => {
    const { sandboxDir, tools } = await setup();
    await call(tools, 'write_file', { path: 'real/data.txt', content: 'ok' });
    await symlink(join(sandboxDir, 'real'), join(sandboxDir, 'alias'));
    expect((await call(tools, 'read_file', { path: 'alias/data.txt' })).content).toBe('ok');
  });

  it('creates a private temp sandbox lazily when no folder is given', async () => {
    const a = createFiles();
    const b = createFiles();
    await call(a.tools, 'write_file', { path: 'x.txt', content: 'a' });
    expect((await call(b.tools, 'list_files', {})).count).toBe(0);
    const [ra, rb] = [await a.sandbox.root(), await b.sandbox.root()];
    removeLater(ra);
    removeLater(rb);
    expect(ra).not.toBe(rb);
    expect(await readFile(join(ra, 'x.txt'), 'utf8')).toBe('a');
  });
});

describe('sandbox errors never reveal host paths (issue 10, item 18)', () => {
  const long = 'n'.repeat(300);

  it.each([
    ['write_file', { path: `notes/${long}.txt`, content: 'x' }],
    ['read_file', { path: `notes/${long}.txt` }],
    ['delete_file', { path: long }],
    ['list_files', { dir: `${long}/x` }],
  ])(
    '%s with a 300-character name: a typed refusal naming only the given path',
    async (name, args) => {
      const { root, sandboxDir, tools } = await setup();
      const err = await rejection(Promise.resolve(byName(tools, name).execute(args, ctx())));
      expect(isToolplanError(err) && err.code).toBe('name_too_long');
      expect(err.message).toContain('255');
      const everything = JSON.stringify({ message: err.message, ...(err as object) });
      expect(everything).not.toContain(root);
      expect(everything).not.toContain(sandboxDir);
      expect(everything).not.toContain('ENAMETOOLONG');
    },
  );

  it('an error the disk raises (a file where a folder must be) names only the sandbox path', async () => {
    const { root, tools } = await setup();
    await call(tools, 'write_file', { path: 'a', content: 'a file' });
    const err = await rejection(
      Promise.resolve(
        byName(tools, 'write_file').execute({ path: 'a/b.txt', content: 'x' }, ctx()),
      ),
    );
    expect(isToolplanError(err)).toBe(true);
    expect(err.message).toContain('"a/b.txt"');
    expect(JSON.stringify({ message: err.message, ...(err as object) })).not.toContain(root);
    expect(err.cause).toBeUndefined();
  });
});
