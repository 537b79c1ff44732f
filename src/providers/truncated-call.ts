import { ProviderError } from '../model/provider-error.ts';

/**
 * A tool call whose arguments the output-token limit cut off. It is a `bad_tool_arguments`
 * error like any malformed call, so the loop sends a truncated plan back for repair instead
 * of running the half it has; `truncated` says why, for the message and for callers.
 */
export function truncatedCallError(
  raw: string,
  call: { id: string; name: string },
  provider: 'openai' | 'anthropic',
): ProviderError {
  const shown = raw.length > 200 ? `…${raw.slice(-200)}` : raw;
  return new ProviderError(
    'bad_tool_arguments',
    `the response hit the output-token limit in the middle of tool call "${call.name}" (call ${call.id}); its arguments end: ${shown || '(nothing)'}. Raise maxOutputTokens or ask for a smaller answer; the cut call was not run.`,
    {
      details: {
        provider,
        toolName: call.name,
        toolCallId: call.id,
        rawArguments: raw,
        truncated: true,
      },
    },
  );
}
