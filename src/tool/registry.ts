import { ConfigError } from '../errors/runtime-errors.ts';
import { derefSchema } from '../schema/deref-schema.ts';
import { isZodSchema, toJsonSchema } from '../schema/normalize-schema.ts';
import type { JsonSchema, RegisteredTool, Tool } from './tool.ts';

export type { RegisteredTool } from './tool.ts';

const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;
const KNOWN_FIELDS = new Set([
  'name',
  'description',
  'inputSchema',
  'outputSchema',
  'execute',
  'timeout_ms',
  'retry',
  'concurrency',
  'mutating',
  'requires_approval',
  'queue',
  'unknown_args',
]);

function bad(tool: string, field: string, problem: string, source: string): never {
  throw new ConfigError(
    'bad_tool_definition',
    `tool "${tool}" (from ${source}): field "${field}" ${problem}`,
    { details: { tool, field, source } },
  );
}

/** Checks a tool definition at load time; throws ConfigError naming the tool and field. */
export function checkToolDefinition(value: unknown, source: string, index: number): Tool {
  const label = `#${index}`;
  if (!value || typeof value !== 'object')
    bad(
      label,
      '(tool)',
      `must be an object, got ${value === null ? 'null' : typeof value}`,
      source,
    );
  const t = value as Record<string, unknown>;
  const name = typeof t.name === 'string' ? t.name : label;
  checkIdentity(t, name, source);
  checkOptions(t, name, source);
  if (t.retry !== undefined) checkRetry(t.retry as Record<string, unknown>, name, source);
  for (const key of Object.keys(t)) {
    if (!KNOWN_FIELDS.has(key))
      bad(name, key, `is not a tool field; known fields: ${[...KNOWN_FIELDS].join(', ')}`, source);
  }
  return t as unknown as Tool;
}

/** The fields every tool has: its name, description, function and schemas. */
function checkIdentity(t: Record<string, unknown>, name: string, source: string): void {
  if (typeof t.name !== 'string' || !NAME_PATTERN.test(t.name)) {
    bad(
      name,
      'name',
      `must be a string matching ${NAME_PATTERN} (got ${JSON.stringify(t.name)})`,
      source,
    );
  }
  if (typeof t.description !== 'string' || t.description.trim() === '') {
    bad(name, 'description', 'must be a non-empty string: the LLM chooses tools by it', source);
  }
  if (typeof t.execute !== 'function')
    bad(
      name,
      'execute',
      `must be a function (args, ctx) => result, got ${typeof t.execute}`,
      source,
    );
  for (const field of ['inputSchema', 'outputSchema'] as const) {
    const s = t[field];
    if (s === undefined && field === 'outputSchema') continue;
    if (!s || typeof s !== 'object' || (!isZodSchema(s) && Array.isArray(s))) {
      bad(name, field, 'must be a zod schema or a JSON Schema object', source);
    }
  }
}

/** The optional scalar fields: limits, flags, the queue and the unknown-args policy. */
function checkOptions(t: Record<string, unknown>, name: string, source: string): void {
  for (const field of ['timeout_ms', 'concurrency'] as const) {
    const v = t[field];
    if (v !== undefined && (typeof v !== 'number' || !Number.isInteger(v) || v < 1)) {
      bad(name, field, `must be a positive integer, got ${JSON.stringify(v)}`, source);
    }
  }
  for (const field of ['mutating', 'requires_approval'] as const) {
    if (t[field] !== undefined && typeof t[field] !== 'boolean')
      bad(name, field, `must be a boolean, got ${JSON.stringify(t[field])}`, source);
  }
  if (
    t.queue !== undefined &&
    (typeof t.queue !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(t.queue))
  )
    bad(
      name,
      'queue',
      `must be a queue name matching [A-Za-z0-9_.-]{1,64}, got ${JSON.stringify(t.queue)}`,
      source,
    );
  if (t.unknown_args !== undefined && t.unknown_args !== 'error' && t.unknown_args !== 'allow')
    bad(
      name,
      'unknown_args',
      `must be "error" or "allow", got ${JSON.stringify(t.unknown_args)}`,
      source,
    );
}

function checkRetry(r: Record<string, unknown>, name: string, source: string): void {
  if (!r || typeof r !== 'object')
    bad(name, 'retry', 'must be an object like { "attempts": 3 }', source);
  if (
    r.attempts !== undefined &&
    (typeof r.attempts !== 'number' || !Number.isInteger(r.attempts) || r.attempts < 1)
  ) {
    bad(
      name,
      'retry.attempts',
      `must be an integer >= 1, got ${JSON.stringify(r.attempts)}`,
      source,
    );
  }
  if (r.on !== undefined && (!Array.isArray(r.on) || r.on.some((x) => typeof x !== 'string'))) {
    bad(name, 'retry.on', 'must be a list of error names', source);
  }
}

/** The set of tools a run may call, keyed by name. */
export class ToolRegistry {
  readonly #tools = new Map<string, RegisteredTool>();

  static from(tools: readonly unknown[], source = 'inline'): ToolRegistry {
    const registry = new ToolRegistry();
    registry.addAll(tools, source);
    return registry;
  }

  addAll(tools: readonly unknown[], source = 'inline'): this {
    tools.forEach((t, i) => {
      this.add(t, source, i);
    });
    return this;
  }

  add(value: unknown, source = 'inline', index = 0): this {
    const tool = checkToolDefinition(value, source, index);
    const existing = this.#tools.get(tool.name);
    if (existing) {
      throw new ConfigError(
        'duplicate_tool',
        `tool name "${tool.name}" is defined twice: in ${existing.source} and in ${source}; rename one of them`,
        { details: { tool: tool.name, sources: [existing.source, source] } },
      );
    }
    let inputSchema: JsonSchema;
    let outputSchema: JsonSchema | undefined;
    try {
      inputSchema = derefSchema(toJsonSchema(tool.inputSchema));
      outputSchema =
        tool.outputSchema === undefined ? undefined : derefSchema(toJsonSchema(tool.outputSchema));
    } catch (cause) {
      throw new ConfigError(
        'bad_tool_definition',
        `tool "${tool.name}" (from ${source}): its schema cannot be turned into JSON Schema: ${String(cause)}`,
        { cause },
      );
    }
    this.#tools.set(tool.name, { name: tool.name, tool, inputSchema, outputSchema, source });
    return this;
  }

  /** Drops a tool (an MCP server withdrew it); returns whether it was there. */
  remove(name: string): boolean {
    return this.#tools.delete(name);
  }

  get(name: string): RegisteredTool | undefined {
    return this.#tools.get(name);
  }

  has(name: string): boolean {
    return this.#tools.has(name);
  }

  names(): string[] {
    return [...this.#tools.keys()];
  }

  list(): RegisteredTool[] {
    return [...this.#tools.values()];
  }

  get size(): number {
    return this.#tools.size;
  }

  /** A registry holding only the named tools: a per-run allow-list. */
  restrict(allowed: readonly string[]): ToolRegistry {
    const next = new ToolRegistry();
    for (const name of allowed) {
      const t = this.#tools.get(name);
      if (t) next.#tools.set(name, t);
    }
    return next;
  }
}

export { checkArgs, checkOutput } from './check-io.ts';
