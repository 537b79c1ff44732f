import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors/runtime-errors.ts';
import { ToolRegistry } from './registry.ts';

/**
 * Loads a tools module (`.js`, `.mjs`, `.ts`) exporting `tools` (an array) or a default
 * array. A TypeScript module that Node cannot load by itself is loaded through tsx, registered
 * on demand: the compiled CLI pays for a TypeScript loader only when a `.ts` module is given.
 */
export async function loadToolsModule(modulePath: string, cwd = process.cwd()): Promise<unknown[]> {
  const full = isAbsolute(modulePath) ? modulePath : resolve(cwd, modulePath);
  if (!existsSync(full)) {
    throw new ConfigError(
      'tools_module_not_found',
      `tools module not found: ${modulePath} (looked at ${full})`,
      {
        details: { module: modulePath },
      },
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(pathToFileURL(full).href);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new ConfigError(
      'tools_module_failed',
      `cannot load tools module ${modulePath}: ${reason}`,
      { cause, details: { module: modulePath } },
    );
  }
  const tools = Array.isArray(mod.tools)
    ? mod.tools
    : Array.isArray(mod.default)
      ? mod.default
      : undefined;
  if (!tools) {
    throw new ConfigError(
      'tools_module_no_export',
      `tools module ${modulePath} must export "tools" (an array of tools) or a default array; it exports: ${Object.keys(mod).join(', ') || '(nothing)'}`,
      { details: { module: modulePath } },
    );
  }
  return tools;
}

/** Loads several modules into one registry; a name defined twice names both modules. */
export async function loadRegistry(
  modulePaths: readonly string[],
  cwd = process.cwd(),
): Promise<ToolRegistry> {
  const registry = new ToolRegistry();
  for (const path of modulePaths) registry.addAll(await loadToolsModule(path, cwd), path);
  return registry;
}

const TYPESCRIPT = /\.[cm]?tsx?$/;
let tsxRegistered = false;

async function importModule(url: string): Promise<Record<string, unknown>> {
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const unknownExtension = (error as { code?: unknown }).code === 'ERR_UNKNOWN_FILE_EXTENSION';
    if (!unknownExtension || !TYPESCRIPT.test(url) || tsxRegistered) throw error;
    const { register } = await import('tsx/esm/api');
    register();
    tsxRegistered = true;
    // Node remembers the failed load of this URL: a query makes it a new module request.
    return (await import(`${url}?tsx`)) as Record<string, unknown>;
  }
}
