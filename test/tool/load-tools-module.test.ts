import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/runtime-errors.ts';
import { loadRegistry, loadToolsModule } from '../../src/tool/load-tools-module.ts';
import { checkArgs, checkOutput } from '../../src/tool/registry.ts';

const fixtures = fileURLToPath(new URL('../fixtures/tools/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);

async function rejection(p: Promise<unknown>): Promise<ConfigError> {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a rejection');
}

const scratch = mkdtempSync(join(tmpdir(), 'toolplan-load-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('loadToolsModule', () => {
  it('loads an .mjs module exporting `tools`', async () => {
    const tools = (await loadToolsModule(fixture('named-export.mjs'))) as Array<{ name: string }>;
    expect(tools.map((t) => t.name)).toEqual(['add', 'echo']);
  });

  it('loads a .js module whose default export is the array', async () => {
    const tools = (await loadToolsModule(fixture('default-array.js'))) as Array<{ name: string }>;
    expect(tools.map((t) => t.name)).toEqual(['now']);
  });

  it('loads a .ts module', async () => {
    const tools = (await loadToolsModule(fixture('typed-tools.ts'))) as Array<{ name: string }>;
    expect(tools.map((t) => t.name)).toEqual(['get_user']);
  });

  it('resolves relative paths against the given cwd', async () => {
    const tools = await loadToolsModule('named-export.mjs', fixtures);
    expect(tools).toHaveLength(2);
    const viaParent = await loadToolsModule('tools/default-array.js', resolve(fixtures, '..'));
    expect(viaParent).toHaveLength(1);
  });

  it('a module exporting neither names what it does export', async () => {
    const err = await rejection(loadToolsModule(fixture('no-tools.mjs')));
    expect(err.code).toBe('tools_module_no_export');
    expect(err.message).toContain('must export "tools"');
    expect(err.message).toContain('it exports: helper, version');
    expect(err.details).toEqual({ module: fixture('no-tools.mjs') });
  });

  it('a module exporting nothing says so', async () => {
    const path = join(scratch, 'empty.mjs');
    writeFileSync(path, '// nothing\n');
    const err = await rejection(loadToolsModule(path));
    expect(err.message).toContain('it exports: (nothing)');
  });

  it('a `tools` export that is not an array is not accepted', async () => {
    const path = join(scratch, 'object-tools.mjs');
    writeFileSync(path, 'export const tools = { add: {} };\n');
    const err = await rejection(loadToolsModule(path));
    expect(err.code).toBe('tools_module_no_export');
    expect(err.message).toContain('it exports: tools');
  });

  it('a missing file says where it looked', async () => {
    const err = await rejection(loadToolsModule('nope/missing.mjs', scratch));
    expect(err.code).toBe('tools_module_not_found');
    expect(err.blame).toBe('config');
    expect(err.message).toBe(
      `tools module not found: nope/missing.mjs (looked at ${join(scratch, 'nope/missing.mjs')})`,
    );
  });

  it('a module that throws on import is reported with the first line of the reason', async () => {
    const err = await rejection(loadToolsModule(fixture('throws-on-import.mjs')));
    expect(err.code).toBe('tools_module_failed');
    expect(err.message).toBe(
      `cannot load tools module ${fixture('throws-on-import.mjs')}: database url is not set`,
    );
    expect(err.cause).toBeInstanceOf(Error);
  });

  it('a module with a syntax error is reported, not thrown raw', async () => {
    const path = join(scratch, 'syntax.mjs');
    writeFileSync(path, 'export const tools = [\n');
    const err = await rejection(loadToolsModule(path));
    expect(err.code).toBe('tools_module_failed');
    expect(err.message).toContain('cannot load tools module');
  });
});

describe('loadRegistry', () => {
  it('loads several modules into one registry, JSON Schema and zod tools alike', async () => {
    const registry = await loadRegistry(
      ['named-export.mjs', 'default-array.js', 'typed-tools.ts'],
      fixtures,
    );
    expect(registry.names()).toEqual(['add', 'echo', 'now', 'get_user']);
    expect(registry.get('add')!.source).toBe('named-export.mjs');
    expect(registry.get('get_user')!.source).toBe('typed-tools.ts');

    const add = registry.get('add')!;
    expect(checkArgs(add, { a: 1, b: 2 })).toEqual([]);
    expect(checkArgs(add, { a: 1, c: 2 }).map((i) => `${i.path} ${i.code}`)).toEqual([
      '/b missing_required',
      '/c unknown_field',
    ]);
    expect(await add.tool.execute({ a: 1, b: 2 }, {} as never)).toBe(3);
    expect(checkOutput(add, 3)).toEqual([]);
    expect(checkOutput(add, 'x').map((i) => i.code)).toEqual(['wrong_type']);

    // The BFCL-style schema of echo was normalised on load.
    expect(registry.get('echo')!.inputSchema).toEqual({
      type: 'object',
      properties: { text: { type: 'string' } },
    });

    const user = registry.get('get_user')!;
    expect(checkArgs(user, { user_id: '1' })).toEqual([]);
    expect(checkArgs(user, { user_id: 1 }).map((i) => i.code)).toEqual(['wrong_type']);
    expect(checkOutput(user, { id: '1', name: 'Ada' })).toEqual([]);
  });

  it('a name defined in two modules names both modules', async () => {
    const err = await rejection(loadRegistry(['named-export.mjs', 'clashing-add.mjs'], fixtures));
    expect(err.code).toBe('duplicate_tool');
    expect(err.message).toBe(
      'tool name "add" is defined twice: in named-export.mjs and in clashing-add.mjs; rename one of them',
    );
    expect(err.details).toEqual({ tool: 'add', sources: ['named-export.mjs', 'clashing-add.mjs'] });
  });

  it('a bad definition in a module names the module, tool and field', async () => {
    const err = await rejection(loadRegistry(['bad-definition.mjs'], fixtures));
    expect(err.code).toBe('bad_tool_definition');
    expect(err.message).toBe(
      'tool "broken" (from bad-definition.mjs): field "timeout_ms" must be a positive integer, got 0',
    );
  });

  it('an empty list gives an empty registry', async () => {
    expect((await loadRegistry([])).size).toBe(0);
  });
});
