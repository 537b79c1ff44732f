import { printCompactPlan } from '../../src/compact/index.ts';
import type { PlanT } from '../../src/plan/plan-schema.ts';
import { OpenAIModel } from '../../src/providers/openai.ts';
import { openaiChatStream, type WireStreamReply } from '../../src/record/wire-formats.ts';
import { startWireServer, type WireServer } from '../../src/record/wire-server.ts';

/**
 * A simulated LLM for benchmarks: a scripted policy (what a competent model would write for
 * each task and mode) served over a real HTTP server on 127.0.0.1 in OpenAI's streaming wire
 * format, parsed by the real OpenAI SDK through toolplan's adapter. Timing is a live model's:
 * `firstTokenMs` before the first chunk, then `tokenMs` per chunk, with one token a chunk
 * (a token is taken as 4 characters, for every mode alike).
 */
export const CHARS_PER_TOKEN = 4;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export interface Call {
  name: string;
  args: Record<string, unknown>;
}

/** One turn of native tool calling: calls (made together) or the final answer. */
export type ReactTurn = (results: unknown[]) => Call[] | { answer: string };

export interface SimTask {
  name: string;
  kind: 'fan-out' | 'dependent' | 'one call';
  task: string;
  /** What the planner writes (JSON or, printed, compact). */
  plan: PlanT;
  /** Native parallel turns; one-call-a-turn ReAct makes the same calls one per turn. */
  turns: ReactTurn[];
}

type Body = {
  messages: { role: string; content?: unknown; tool_calls?: unknown[] }[];
  tools?: { function: { name: string } }[];
};

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((c) => (c as { text?: string }).text ?? '').join('');
  return '';
}

/** The reply a policy gives for one request, and why. */
export function policyReply(tasks: SimTask[], body: Body): WireStreamReply {
  const user = body.messages.find((m) => m.role === 'user');
  const userText = contentText(user?.content);
  const task = tasks.find((t) => userText.startsWith(t.task));
  if (!task) throw new Error(`simulated LLM: unknown task in ${userText.slice(0, 80)}`);
  const inputTokens = estimateTokens(JSON.stringify(body));
  const tools = (body.tools ?? []).map((t) => t.function.name);
  const results = body.messages
    .filter((m) => m.role === 'tool')
    .map((m) => {
      try {
        return JSON.parse(contentText(m.content)) as unknown;
      } catch {
        return contentText(m.content);
      }
    });

  if (tools.includes('submit_plan')) {
    const args = JSON.stringify(task.plan);
    return {
      toolCalls: [{ name: 'submit_plan', args: task.plan }],
      usage: { inputTokens, outputTokens: estimateTokens(`submit_plan${args}`) },
    };
  }
  if (tools.length === 0) {
    const text = printCompactPlan(task.plan);
    return { text, usage: { inputTokens, outputTokens: estimateTokens(text) } };
  }
  const system = contentText(body.messages[0]?.content);
  const single = system.includes('one tool per turn');
  const next = single ? singleTurn(task.turns, results) : parallelTurn(task.turns, body, results);
  if ('answer' in next) {
    return { text: next.answer, usage: { inputTokens, outputTokens: estimateTokens(next.answer) } };
  }
  const text = next.map((c) => c.name + JSON.stringify(c.args)).join('');
  return {
    toolCalls: next.map((c) => ({ name: c.name, args: c.args })),
    usage: { inputTokens, outputTokens: estimateTokens(text) },
  };
}

function parallelTurn(
  turns: ReactTurn[],
  body: Body,
  results: unknown[],
): Call[] | { answer: string } {
  const turn = body.messages.filter(
    (m) => m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0,
  ).length;
  const policy = turns[turn];
  if (!policy) throw new Error(`simulated LLM: no turn ${turn}`);
  return policy(results);
}

/** The same calls, one a turn: walk the parallel turns, counting calls already made. */
function singleTurn(turns: ReactTurn[], results: unknown[]): Call[] | { answer: string } {
  let made = 0;
  for (const policy of turns) {
    const step = policy(results);
    if ('answer' in step) return step;
    if (results.length < made + step.length) return [step[results.length - made]!];
    made += step.length;
  }
  throw new Error('simulated LLM: ran out of turns');
}

export interface SimLlm {
  server: WireServer;
  model: OpenAIModel;
  close(): Promise<void>;
}

export async function startSimLlm(
  tasks: SimTask[],
  timing: { firstTokenMs: number; tokenMs: number },
): Promise<SimLlm> {
  const server = await startWireServer({
    timing: { firstChunkMs: timing.firstTokenMs, chunkMs: timing.tokenMs },
    handler: (request) => ({
      stream: openaiChatStream({
        ...policyReply(tasks, request.body as Body),
        chunkSize: CHARS_PER_TOKEN,
      }),
    }),
  });
  const model = new OpenAIModel({
    baseURL: `${server.origin}/v1`,
    apiKey: 'sk-sim',
    maxRetries: 0,
    model: 'gpt-4.1-mini',
  });
  return { server, model, close: () => server.close() };
}
