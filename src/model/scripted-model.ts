import { CancelledError } from '../errors/runtime-errors.ts';
import { ToolplanError } from '../errors/toolplan-error.ts';
import type {
  CallOptions,
  LanguageModel,
  ModelRequest,
  ModelResponse,
  ModelStreamPart,
  Usage,
} from './language-model.ts';
import type { ToolCall } from './messages.ts';
import { collectStream, responseToParts } from './stream-parts.ts';

/** What one call of a ScriptedModel does. Functions see the request and the call number. */
export type ScriptStep =
  | ModelResponse
  | { parts: ModelStreamPart[] }
  | { error: Error }
  | ((request: ModelRequest, call: number) => ModelResponse | Promise<ModelResponse>);

export interface ScriptedModelOptions {
  provider?: string;
  modelId?: string;
  /** Delay before each response (and between stream parts), to let tests observe overlap. */
  delayMs?: number;
}

/**
 * A LanguageModel for tests that answers from a script, in order, and keeps every request it
 * got. For tests of code *above* the model interface only: adapters are tested against real
 * SDKs over HTTP.
 */
export class ScriptedModel implements LanguageModel {
  readonly provider: string;
  readonly modelId: string;
  readonly requests: ModelRequest[] = [];
  private readonly steps: ScriptStep[];
  private readonly delayMs: number;

  constructor(steps: ScriptStep[], options: ScriptedModelOptions = {}) {
    this.steps = [...steps];
    this.provider = options.provider ?? 'scripted';
    this.modelId = options.modelId ?? 'scripted-model';
    this.delayMs = options.delayMs ?? 0;
  }

  /** Script steps not consumed yet. */
  get remaining(): number {
    return this.steps.length;
  }

  async generate(request: ModelRequest, options: CallOptions = {}): Promise<ModelResponse> {
    const step = this.next(request);
    await pause(this.delayMs, options.signal);
    if (typeof step === 'function') return step(request, this.requests.length);
    if ('error' in step) throw step.error;
    if ('parts' in step) return collectStream(iterate(step.parts, 0, options.signal));
    return step;
  }

  async *stream(request: ModelRequest, options: CallOptions = {}): AsyncIterable<ModelStreamPart> {
    const step = this.next(request);
    await pause(this.delayMs, options.signal);
    if (typeof step === 'function') {
      yield* iterate(responseToParts(await step(request, this.requests.length)), 0, options.signal);
      return;
    }
    if ('error' in step) throw step.error;
    const parts = 'parts' in step ? step.parts : responseToParts(step);
    yield* iterate(parts, this.delayMs, options.signal);
  }

  private next(request: ModelRequest): ScriptStep {
    this.requests.push(structuredClone(request));
    const step = this.steps.shift();
    if (step === undefined) {
      throw new ToolplanError(
        'InternalError',
        `ScriptedModel: call ${this.requests.length} has no scripted response; add a step to the script`,
        { code: 'script_exhausted', blame: 'internal', retryable: false },
      );
    }
    return step;
  }
}

async function* iterate(
  parts: ModelStreamPart[],
  delayMs: number,
  signal: AbortSignal | undefined,
): AsyncIterable<ModelStreamPart> {
  for (const part of parts) {
    if (signal?.aborted) throw new CancelledError('model call cancelled', { cause: signal.reason });
    yield part;
    await pause(delayMs, signal);
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) {
    return Promise.reject(new CancelledError('model call cancelled', { cause: signal.reason }));
  }
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError('model call cancelled', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Shorthand for a scripted text answer. */
export function textResponse(text: string, usage: Usage = { inputTokens: 10, outputTokens: 5 }) {
  return { text, toolCalls: [], finishReason: 'stop', usage } satisfies ModelResponse;
}

/** Shorthand for a scripted answer that calls tools. Ids default to `call_1`, `call_2`, ... */
export function toolCallsResponse(
  calls: (Omit<ToolCall, 'id'> & { id?: string })[],
  usage: Usage = { inputTokens: 10, outputTokens: 5 },
): ModelResponse {
  return {
    text: '',
    toolCalls: calls.map((call, i) => ({
      id: call.id ?? `call_${i + 1}`,
      name: call.name,
      args: call.args,
    })),
    finishReason: 'tool_calls',
    usage,
  };
}
