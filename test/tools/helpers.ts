import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import type { Tool, ToolContext } from '../../src/tool/tool.ts';

let counter = 0;

/** A fresh context; each gets its own idempotency key unless one is given. */
export function ctx(overrides: Partial<ToolContext> = {}): ToolContext {
  counter += 1;
  return {
    signal: new AbortController().signal,
    idempotencyKey: `run1/node${counter}`,
    runId: 'run1',
    nodeId: `node${counter}`,
    attempt: 1,
    ...overrides,
  };
}

export function byName(tools: readonly Tool[], name: string): Tool {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name}`);
  return tool;
}

/** Calls a tool the way the executor would, and checks the output against its own schema. */
export async function call(
  tools: readonly Tool[],
  name: string,
  args: unknown,
  context: ToolContext = ctx(),
  // biome-ignore lint/suspicious/noExplicitAny: tests read tool outputs freely
): Promise<any> {
  const tool = byName(tools, name);
  const output = await tool.execute(args, context);
  const schema = tool.outputSchema as { parse(v: unknown): unknown };
  expect(() => schema.parse(output)).not.toThrow();
  return output;
}

const created: string[] = [];

/** A real temp folder, removed when the test file finishes (including sandboxes in it). */
export async function tempDir(prefix = 'toolplan-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Lets a test hand over a folder it did not make with tempDir (a lazily created sandbox). */
export function removeLater(dir: string): void {
  created.push(dir);
}

afterAll(async () => {
  await Promise.all(created.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
