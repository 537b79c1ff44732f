import type { ModelStreamPart, Usage } from '../model/language-model.ts';
import type { ToolCall } from '../model/messages.ts';
import { type ErrorContext, parseToolArgs, toProviderError } from './map-error.ts';
import {
  argumentsText,
  estimateTokens,
  finishReason,
  type LooseMessage,
  type LooseToolCall,
  type LooseUsage,
  nonEmpty,
  readContent,
  readUsage,
  toolCallsOf,
} from './openai-wire-read.ts';
import type { ToolNameMap } from './tool-names.ts';
import { truncatedCallError } from './truncated-call.ts';

/** A `chat.completion.chunk` as servers send it (looser than the SDK's type). */
export interface LooseChunk {
  choices?: { index?: unknown; delta?: LooseMessage | null; finish_reason?: unknown }[] | null;
  usage?: LooseUsage | null;
}

interface PendingCall {
  /** Position among this response's tool calls. */
  index: number;
  /** The server's id; synthesised until one is seen. */
  id: string;
  hasServerId: boolean;
  wireName: string;
  args: string;
  started: boolean;
}

/**
 * Folds chunks into stream parts. Tool-call pieces are merged by their `index`, whatever the
 * server does with ids (absent, `""` or repeated on continuations) and names (split or
 * repeated); a different id at a used index is a new call (servers that put every call at
 * index 0). Calls complete at the finish, so a late piece of any call still lands.
 */
export class ChunkFolder {
  private readonly calls: PendingCall[] = [];
  /** The call currently streaming at each wire index. */
  private readonly byWireIndex = new Map<number, PendingCall>();
  private finish: unknown = null;
  private usage: Usage | undefined;
  private outputChars = 0;
  private completed = false;

  /** `inputChars`: the request's size, to estimate input tokens if the server reports none. */
  constructor(
    private readonly names: ToolNameMap,
    private readonly inputChars: number,
  ) {}

  *fold(chunk: LooseChunk): Iterable<ModelStreamPart> {
    const usage = readUsage(chunk.usage);
    if (usage) this.usage = usage;
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = choices.find((c) => c.index === undefined || c.index === 0) ?? choices[0];
    if (!choice) return;
    const delta: LooseMessage = choice.delta ?? {};
    const { text, reasoning } = readContent(delta);
    if (reasoning !== '') {
      this.outputChars += reasoning.length;
      yield { type: 'reasoning-delta', text: reasoning };
    }
    if (text !== '') {
      this.outputChars += text.length;
      yield { type: 'text-delta', text };
    }
    for (const piece of toolCallsOf(delta)) yield* this.addPiece(piece);
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) {
      this.finish = choice.finish_reason;
    }
  }

  *end(ctx: ErrorContext): Iterable<ModelStreamPart> {
    // A stream may end without [DONE]; only one that never said why it stopped was cut.
    if (this.finish === null) {
      throw toProviderError(new Error('the stream ended before a finish_reason'), ctx);
    }
    yield* this.completeAll();
    yield {
      type: 'finish',
      finishReason: finishReason(this.finish, this.calls.length > 0),
      usage: this.usage ?? {
        inputTokens: estimateTokens(this.inputChars),
        outputTokens: estimateTokens(this.outputChars),
        estimated: true,
      },
    };
  }

  private *addPiece(piece: LooseToolCall): Iterable<ModelStreamPart> {
    const id = nonEmpty(piece.id);
    const call = this.callFor(piece, id);
    if (id !== undefined && !call.hasServerId) {
      call.id = id;
      call.hasServerId = true;
    }
    const name = nonEmpty(piece.function?.name);
    // Names come whole (often repeated on every piece) or split across pieces.
    if (name !== undefined && name !== call.wireName && call.args === '') call.wireName += name;
    const text = argumentsText(piece.function?.arguments);
    // Announced as soon as it is named: a stream cut after that has shown something, and is
    // not silently opened again. A name split across pieces is whole in the `tool-call` part.
    if (!call.started && (call.wireName !== '' || text !== '')) {
      call.started = true;
      yield { type: 'tool-call-start', index: call.index, id: call.id, name: this.nameOf(call) };
    }
    if (text === '') return;
    // An object stands for the whole arguments: it replaces, where text appends.
    if (typeof piece.function?.arguments === 'object') call.args = text;
    else call.args += text;
    this.outputChars += text.length;
    yield { type: 'tool-call-delta', index: call.index, id: call.id, argsTextDelta: text };
  }

  private callFor(piece: LooseToolCall, id: string | undefined): PendingCall {
    const wireIndex = this.wireIndexOf(piece, id);
    const current = this.byWireIndex.get(wireIndex);
    if (current && !(id !== undefined && current.hasServerId && id !== current.id)) return current;
    const index = this.calls.length;
    const call: PendingCall = {
      index,
      id: id ?? `call_${index}`,
      hasServerId: id !== undefined,
      wireName: '',
      args: '',
      started: false,
    };
    this.calls.push(call);
    this.byWireIndex.set(wireIndex, call);
    return call;
  }

  /** Pieces without an index (some proxies): a known id is that call, a new id a new call. */
  private wireIndexOf(piece: LooseToolCall, id: string | undefined): number {
    if (typeof piece.index === 'number') return piece.index;
    let last: number | undefined;
    for (const [wire, call] of this.byWireIndex) {
      if (id !== undefined && call.hasServerId && call.id === id) return wire;
      if (call === this.calls.at(-1)) last = wire;
    }
    return id === undefined && last !== undefined ? last : -1 - this.calls.length;
  }

  private nameOf(call: PendingCall): string {
    return this.names.fromProvider(call.wireName);
  }

  private *completeAll(): Iterable<ModelStreamPart> {
    if (this.completed) return;
    this.completed = true;
    for (const call of this.calls) {
      const toolCall = completeCall(call, this.nameOf(call), this.finish === 'length');
      if (!call.started) {
        yield { type: 'tool-call-start', index: call.index, id: call.id, name: toolCall.name };
      }
      yield { type: 'tool-call', index: call.index, toolCall };
    }
  }
}

/** Parsed arguments; a call cut off by the output limit is refused, never run half. */
export function completeCall(
  call: { id: string; args: string },
  name: string,
  truncated: boolean,
): ToolCall {
  if (truncated) {
    let whole = false;
    try {
      whole = call.args.trim() !== '' && JSON.parse(call.args) !== undefined;
    } catch {
      whole = false;
    }
    if (!whole) throw truncatedCallError(call.args, { id: call.id, name }, 'openai');
  }
  return { id: call.id, name, args: parseToolArgs(call.args, { id: call.id, name }, 'openai') };
}
