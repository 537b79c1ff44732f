import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors/runtime-errors.ts';
import { CASSETTE_VERSION, type Cassette, type Interaction } from '../record/cassette.ts';
import { type CompatibleShape, compatibleChatStream } from '../record/compatible-shapes.ts';
import { anthropicStream, openaiChatStream, type WireStreamReply } from '../record/wire-formats.ts';

/**
 * Hand-written LLM turns (`responses.json` beside a case) turned into a cassette in a
 * provider's real streaming wire format, with the src/record builders. The loop always
 * streams, and in JSON syntax the planner submits plans through the `submit_plan` tool.
 */

const Usage = z.object({ inputTokens: z.number().int(), outputTokens: z.number().int() }).strict();
const Turn = z.union([
  z.object({ plan: z.unknown(), usage: Usage.optional() }).strict(),
  z.object({ text: z.string(), usage: Usage.optional() }).strict(),
  z
    .object({
      toolCalls: z.array(z.object({ name: z.string(), args: z.unknown() }).strict()),
      text: z.string().optional(),
      usage: Usage.optional(),
    })
    .strict(),
]);
export const ResponsesSchema = z
  .object({ note: z.string().optional(), turns: z.array(Turn).min(1) })
  .strict();
export type ScriptedTurn = z.infer<typeof Turn>;

const SUBMIT_PLAN = 'submit_plan';
const ROUTES = { openai: '/v1/chat/completions', anthropic: '/v1/messages' } as const;

export function turnToReply(turn: ScriptedTurn, index: number): WireStreamReply {
  const usage = turn.usage ?? { inputTokens: 900 + 150 * index, outputTokens: 60 };
  if ('plan' in turn) {
    return {
      toolCalls: [{ id: `call_plan_${index + 1}`, name: SUBMIT_PLAN, args: turn.plan }],
      usage,
      chunkSize: 48,
    };
  }
  if ('toolCalls' in turn) {
    return {
      ...(turn.text ? { text: turn.text } : {}),
      toolCalls: turn.toolCalls.map((c, i) => ({
        id: `call_${index + 1}_${i + 1}`,
        name: c.name,
        args: c.args,
      })),
      usage,
      chunkSize: 48,
    };
  }
  return { text: turn.text, usage, chunkSize: 24 };
}

/** `shape`: an OpenAI-compatible server's stream shape instead of the provider's own. */
export function buildCassette(
  provider: 'openai' | 'anthropic',
  turns: readonly ScriptedTurn[],
  options: {
    note?: string | undefined;
    model?: string | undefined;
    shape?: CompatibleShape | undefined;
  } = {},
): Cassette {
  const { note, model, shape } = options;
  const interactions: Interaction[] = turns.map((turn, i) => {
    const reply = { ...turnToReply(turn, i), ...(model ? { model } : {}) };
    let stream: string[];
    if (shape) stream = compatibleChatStream({ ...reply, id: `chatcmpl-eval${i + 1}` }, shape);
    else if (provider === 'openai')
      stream = openaiChatStream({ ...reply, id: `chatcmpl-eval${i + 1}` });
    else stream = anthropicStream({ ...reply, id: `msg_eval${i + 1}` });
    return {
      request: { method: 'POST', path: ROUTES[shape ? 'openai' : provider] },
      response: {
        status: 200,
        headers: { 'content-type': 'text/event-stream; charset=utf-8' },
        stream,
      },
    };
  });
  return { version: CASSETTE_VERSION, ...(note ? { note } : {}), interactions };
}

export function readResponses(path: string): z.infer<typeof ResponsesSchema> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ConfigError('bad_responses', `${path}: ${(cause as Error).message}`, { cause });
  }
  const parsed = ResponsesSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(
      'bad_responses',
      `${path}: field "${issue.path.map(String).join('.') || '(file)'}": ${issue.message}`,
      { details: { file: path } },
    );
  }
  return parsed.data;
}
