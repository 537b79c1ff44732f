import type { LanguageModel } from '../model/language-model.ts';

/**
 * The model a task runs with, reporting the text it writes as it streams (the answer of a
 * join, a react turn's words), so a client can show an answer while the LLM writes it. Deltas
 * that arrive close together are sent as one (`flush` sends what is pending).
 */
export function tapText(
  model: LanguageModel,
  onText: (text: string) => void,
  coalesceMs = 25,
): { model: LanguageModel; flush(): void } {
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending === '') return;
    const text = pending;
    pending = '';
    onText(text);
  };
  const add = (text: string) => {
    pending += text;
    timer ??= setTimeout(flush, coalesceMs);
  };
  const tapped: LanguageModel = {
    provider: model.provider,
    modelId: model.modelId,
    async generate(request, options) {
      const response = await model.generate(request, options);
      if (response.text) add(response.text);
      flush();
      return response;
    },
    async *stream(request, options) {
      try {
        for await (const part of model.stream(request, options)) {
          if (part.type === 'text-delta') add(part.text);
          yield part;
        }
      } finally {
        flush();
      }
    },
  };
  return { model: tapped, flush };
}
