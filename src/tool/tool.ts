import type { z } from 'zod';
import type { JsonSchema } from '../model/language-model.ts';

/** A JSON Schema object, as MCP servers and OpenAPI documents hand them over (one type with the model's). */
export type { JsonSchema };

/** Either a zod schema or a JSON Schema object. */
export type SchemaLike = z.ZodType | JsonSchema;

/** What every tool call receives besides its arguments. */
export interface ToolContext {
  /** Aborted on timeout, cancellation, or when a race is lost. Honour it. */
  signal: AbortSignal;
  /** `runId/nodeId` (plus `/index` inside a map): the same on every retry and on resume. */
  idempotencyKey: string;
  runId: string;
  nodeId: string;
  /** 1 on the first try. */
  attempt: number;
}

export interface RetryPolicy {
  /** Every try counts, the first one included. */
  attempts?: number;
  delay_ms?: number;
  factor?: number;
  max_delay_ms?: number;
  jitter?: 'full' | 'none';
  /** Error names that are retried; others fail at once. */
  on?: string[];
}

/**
 * A tool is a plain object, so any module can define tools without importing toolplan.
 */
// biome-ignore lint/suspicious/noExplicitAny: a plain-object tool must be assignable whatever its execute signature.
export interface Tool<Args = any, Output = any> {
  name: string;
  description: string;
  inputSchema: SchemaLike;
  outputSchema?: SchemaLike;
  execute(args: Args, ctx: ToolContext): Promise<Output> | Output;
  /** Bounds each attempt. */
  timeout_ms?: number;
  /** The default retry policy for calls of this tool. */
  retry?: RetryPolicy;
  /** How many calls of this tool may run at once across the run. */
  concurrency?: number;
  /** Changes the world; worth compensating and never called behind the user's back. */
  mutating?: boolean;
  /** Every call waits for a person's approval, whatever the plan says. */
  requires_approval?: boolean;
  /** With `--redis`: the BullMQ queue its calls go to, so only the workers serving it run them. */
  queue?: string;
  /**
   * Arguments the input schema does not list: an error (the default, even when the schema
   * leaves `additionalProperties` unset) or allowed. An explicit `additionalProperties` wins.
   */
  unknown_args?: 'error' | 'allow';
}

/** Typed helper for TypeScript users: the args and output types follow the zod schemas. */
export function defineTool<I extends z.ZodType, O extends z.ZodType = z.ZodType<unknown>>(
  tool: Omit<Tool<z.infer<I>, z.infer<O>>, 'inputSchema' | 'outputSchema'> & {
    inputSchema: I;
    outputSchema?: O;
  },
): Tool<z.infer<I>, z.infer<O>> {
  return tool;
}

/** A tool as the registry keeps it: its JSON Schemas resolved once. */
export interface RegisteredTool {
  name: string;
  tool: Tool;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema | undefined;
  /** Where it came from (module path), for clash messages. */
  source: string;
}
