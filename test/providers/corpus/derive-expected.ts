/**
 * Writes manifest.json: for every recording in this folder, where it comes from and what it
 * means (text, reasoning, tool calls, usage, finish reason, or the error), derived by a
 * reference reading written from the wire specs alone: it imports nothing from src/, so the
 * adapters are checked against an independent reading. Review the diff after re-running.
 *
 *   npx tsx test/providers/corpus/derive-expected.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('./', import.meta.url));
const VERCEL_COMMIT = 'ed857f50f112e23930b0c2dd8d532cc8bebbc911';
const OLLAMA_COMMIT = 'fb30760996871fa9460115c753afd2c60d4ab0f7';

// biome-ignore lint/suspicious/noExplicitAny: recordings are arbitrary JSON, read field by field as the wire specs say.
type Json = Record<string, any>;
interface Call {
  id: string;
  name: string;
  args: unknown;
}
interface Meaning {
  text: string;
  reasoning: string;
  toolCalls: Call[];
  usage: { inputTokens: number; outputTokens: number } | 'estimated';
  finishReason: string;
}
type Expect = Meaning | { error: string; truncated?: boolean };

const SERVERS: Record<string, string> = {
  alibaba: 'Alibaba Cloud Model Studio (Qwen)',
  mistral: 'Mistral La Plateforme',
  groq: 'Groq',
  deepseek: 'DeepSeek',
  'openai-compatible': 'xAI (through the OpenAI-compatible chat endpoint)',
  xai: 'xAI',
  openai: 'OpenAI / Azure OpenAI',
  perplexity: 'Perplexity',
  moonshotai: 'Moonshot AI (Kimi)',
  anthropic: 'Anthropic',
  ollama: 'Ollama (/v1/chat/completions)',
  'llama-cpp': 'llama.cpp server (llama-server)',
  vllm: 'vLLM (OpenAI-compatible server)',
  edge: 'constructed edge cases',
};

const OPENAI_FINISH: Record<string, string> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};
const ANTHROPIC_FINISH: Record<string, string> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
  pause_turn: 'other',
};
/** How each HTTP status an error recording is served with should be reported. */
const ERROR_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'auth',
  403: 'auth',
  404: 'not_found',
  413: 'bad_request',
  429: 'rate_limited',
  500: 'server_error',
  529: 'overloaded',
};
/** Error bodies whose recording has no status: the status such a body comes with. */
const ERROR_STATUS: Record<string, number> = {
  'reasoning-model-legacy-parameter-error.json': 400,
  'ollama-error.json': 404,
};

function parseArgs(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function textOf(content: unknown): { text: string; reasoning: string } {
  if (typeof content === 'string') return { text: content, reasoning: '' };
  let text = '';
  let reasoning = '';
  if (Array.isArray(content)) {
    for (const part of content) {
      if (part?.type === 'thinking') {
        reasoning += Array.isArray(part.thinking)
          ? part.thinking.map((t: Json) => t.text ?? '').join('')
          : (part.thinking ?? '');
      } else if (part?.type === 'text' || part?.type === undefined) text += part?.text ?? '';
    }
  }
  return { text, reasoning };
}

function openaiMeaning(messages: Json[], usage: Json | undefined, finish: string | null): Expect {
  let text = '';
  let reasoning = '';
  const calls: { id?: string; name: string; args: string }[] = [];
  const slot = new Map<number, number>();
  for (const m of messages) {
    const c = textOf(m.content);
    text += c.text;
    const r = m.reasoning_content || m.reasoning || '';
    reasoning += (typeof r === 'string' ? r : '') + c.reasoning;
    const pieces: Json[] = [...(m.tool_calls ?? [])];
    if (m.function_call) pieces.push({ index: 0, function: m.function_call });
    for (const p of pieces) {
      if (p.type != null && p.type !== 'function') continue;
      const id = typeof p.id === 'string' && p.id !== '' ? p.id : undefined;
      const wire = typeof p.index === 'number' ? p.index : -1 - calls.length;
      let at = slot.get(wire);
      if (at === undefined || (id && calls[at]!.id && calls[at]!.id !== id)) {
        at = calls.push({ name: '', args: '' }) - 1;
        slot.set(wire, at);
      }
      const call = calls[at]!;
      call.id ??= id;
      const name = p.function?.name;
      if (typeof name === 'string' && name !== '' && name !== call.name && call.args === '')
        call.name += name;
      const a = p.function?.arguments;
      if (typeof a === 'string') call.args += a;
      else if (a != null) call.args = JSON.stringify(a);
    }
  }
  const toolCalls: Call[] = [];
  for (const [i, call] of calls.entries()) {
    const parsed = parseArgs(call.args);
    const whole = call.args.trim() !== '' && parsed.ok;
    if (finish === 'length' && !whole) return { error: 'bad_tool_arguments', truncated: true };
    if (!parsed.ok) return { error: 'bad_tool_arguments' };
    toolCalls.push({ id: call.id ?? `call_${i}`, name: call.name, args: parsed.value });
  }
  let finishReason = finish ? (OPENAI_FINISH[finish] ?? 'other') : 'other';
  if (toolCalls.length > 0 && (finishReason === 'stop' || finishReason === 'other'))
    finishReason = 'tool_calls';
  return {
    text,
    reasoning,
    toolCalls,
    usage:
      usage && typeof usage.prompt_tokens === 'number'
        ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens ?? 0 }
        : 'estimated',
    finishReason,
  };
}

function openaiChunks(lines: Json[]): Expect {
  let usage: Json | undefined;
  let finish: string | null = null;
  const deltas: Json[] = [];
  for (const chunk of lines) {
    if (chunk.usage && typeof chunk.usage.prompt_tokens === 'number') usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    if (choice.delta) deltas.push(choice.delta);
    if (choice.finish_reason) finish = choice.finish_reason;
  }
  if (finish === null) return { error: 'stream_interrupted' };
  return openaiMeaning(deltas, usage, finish);
}

function anthropicInput(u: Json): number {
  return (
    (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0)
  );
}

function anthropicMessage(m: Json): Expect {
  let text = '';
  let reasoning = '';
  const toolCalls: Call[] = [];
  for (const b of m.content) {
    if (b.type === 'text') text += b.text;
    if (b.type === 'thinking') reasoning += b.thinking;
    if (b.type === 'tool_use') toolCalls.push({ id: b.id, name: b.name, args: b.input ?? {} });
  }
  return {
    text,
    reasoning,
    toolCalls,
    usage: { inputTokens: anthropicInput(m.usage), outputTokens: m.usage.output_tokens },
    finishReason: ANTHROPIC_FINISH[m.stop_reason] ?? 'other',
  };
}

function anthropicEvents(events: Json[]): Expect {
  let text = '';
  let reasoning = '';
  const toolCalls: Call[] = [];
  const open = new Map<number, { id: string; name: string; json: string }>();
  let usage: Json = {};
  let stop: string | undefined;
  let stopped = false;
  for (const e of events) {
    if (e.type === 'error') {
      return {
        error:
          ({ overloaded_error: 'overloaded', api_error: 'server_error' } as Json)[e.error.type] ??
          'server_error',
      };
    }
    if (e.type === 'message_start') usage = { ...e.message.usage };
    if (e.type === 'content_block_start') {
      const b = e.content_block;
      if (b.type === 'text') text += b.text ?? '';
      if (b.type === 'thinking') reasoning += b.thinking ?? '';
      if (b.type === 'tool_use') open.set(e.index, { id: b.id, name: b.name, json: '' });
    }
    if (e.type === 'content_block_delta') {
      if (e.delta.type === 'text_delta') text += e.delta.text;
      if (e.delta.type === 'thinking_delta') reasoning += e.delta.thinking;
      if (e.delta.type === 'input_json_delta' && open.has(e.index))
        open.get(e.index)!.json += e.delta.partial_json ?? '';
    }
    if (e.type === 'content_block_stop' && open.has(e.index)) {
      const b = open.get(e.index)!;
      open.delete(e.index);
      toolCalls.push({ id: b.id, name: b.name, args: b.json });
    }
    if (e.type === 'message_delta') {
      stop = e.delta.stop_reason ?? stop;
      // Cumulative: what the delta gives replaces what message_start said.
      for (const [k, v] of Object.entries(e.usage ?? {})) if (v != null) usage[k] = v;
    }
    if (e.type === 'message_stop') stopped = true;
  }
  if (!stopped) return { error: 'stream_interrupted' };
  const calls: Call[] = [];
  for (const c of toolCalls) {
    const parsed = parseArgs(c.args as string);
    if (!parsed.ok) {
      return stop === 'max_tokens'
        ? { error: 'bad_tool_arguments', truncated: true }
        : { error: 'bad_tool_arguments' };
    }
    calls.push({ ...c, args: parsed.value });
  }
  return {
    text,
    reasoning,
    toolCalls: calls,
    usage: { inputTokens: anthropicInput(usage), outputTokens: usage.output_tokens ?? 0 },
    finishReason: (stop && ANTHROPIC_FINISH[stop]) ?? 'other',
  };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]))
    .filter((f) => /\.(chunks\.txt|json|sse)$/.test(f) && !f.endsWith('manifest.json'))
    .sort();
}

function sourceOf(rel: string): Json {
  const [top, pkg, file] = rel.split('/') as [string, string, string];
  if (top === 'vercel-ai') {
    const sub = {
      deepseek: 'src/chat',
      'openai-compatible': 'src/chat',
      openai: 'src/chat',
    } as Json;
    return {
      origin: 'recorded',
      source: `vercel/ai@${VERCEL_COMMIT} packages/${pkg}/${sub[pkg] ?? 'src'}/__fixtures__/${file}`,
      license: 'Apache-2.0',
    };
  }
  if (pkg === 'edge')
    return { origin: 'constructed', source: 'written for toolplan', license: 'Apache-2.0' };
  const docs: Json = {
    ollama: `shape of ollama/ollama@${OLLAMA_COMMIT} openai/openai.go (toChunk, FinishChunk) and middleware/openai.go`,
    'llama-cpp':
      'shape documented in ggml-org/llama.cpp tools/server/README.md (OAI-compatible chat, tool-call diffs, usage and timings in the final chunk)',
    vllm: 'shape documented in vllm-project/vllm docs/features/tool_calling.md and reasoning_outputs.md',
    anthropic: 'shape documented at docs.anthropic.com (streaming, parallel tool use, errors)',
  };
  return {
    origin: 'documentation',
    source: docs[pkg],
    license: 'Apache-2.0 (written for toolplan from the documentation)',
  };
}

const entries = filesUnder(root).map((path) => {
  const rel = relative(root, path);
  const pkg = rel.split('/')[1]!;
  const file = rel.split('/').at(-1)!;
  const api = pkg === 'anthropic' ? 'anthropic' : 'openai';
  const text = readFileSync(path, 'utf8');
  const form = file.endsWith('.chunks.txt') ? 'stream' : file.endsWith('.sse') ? 'sse' : 'json';
  let expect: Expect;
  let status = 200;
  if (form !== 'json') {
    const lines = text
      .split('\n')
      .map((l) => (form === 'sse' ? (l.startsWith('data: ') ? l.slice(6) : '') : l))
      .filter((l) => l.trim() !== '' && l !== '[DONE]')
      .map((l) => JSON.parse(l) as Json);
    expect = api === 'anthropic' ? anthropicEvents(lines) : openaiChunks(lines);
  } else {
    const body = JSON.parse(text) as Json;
    const isError = body.type === 'error' || (body.error && !body.choices);
    if (isError) {
      status = ERROR_STATUS[file] ?? Number(/error-(\d+)/.exec(file)?.[1] ?? 500);
      expect = { error: ERROR_CODES[status] ?? 'server_error' };
    } else if (api === 'anthropic') expect = anthropicMessage(body);
    else {
      const choice = body.choices[0];
      expect = openaiMeaning([choice.message], body.usage, choice.finish_reason);
    }
  }
  const server =
    pkg === 'openai-compatible' && file.startsWith('anthropic')
      ? 'Claude through an OpenAI-compatible endpoint (ids sanitised)'
      : (SERVERS[pkg] ?? pkg);
  return {
    file: rel,
    server,
    api,
    form,
    ...(status !== 200 ? { status } : {}),
    ...sourceOf(rel),
    expect,
  };
});

writeFileSync(join(root, 'manifest.json'), `${JSON.stringify({ entries }, null, 1)}\n`);
process.stdout.write(`${entries.length} recordings\n`);
