import { randomUUID } from 'node:crypto';
import { ToolplanError } from '../errors/toolplan-error.ts';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

const HEADER = 'x-toolplan-error-id';
const stashed = new Map<string, ToolplanError>();

/**
 * Wraps a custom fetch so that a ToolplanError it throws (a cassette miss, say) reaches the
 * caller as itself. Thrown as is, the SDKs would take it for a network failure, retry it with
 * backoff and wrap it in a connection error. Instead it becomes a 400 response the SDKs do not
 * retry, tagged with an id under which the original error waits for `takeStashedError`.
 */
export function guardFetch(fetch: Fetch): Fetch {
  return async (input, init) => {
    try {
      return await fetch(input, init);
    } catch (error) {
      if (!(error instanceof ToolplanError)) throw error;
      const id = randomUUID();
      stashed.set(id, error);
      return new Response(
        JSON.stringify({ error: { type: 'toolplan_error', message: error.message } }),
        {
          status: 400,
          headers: { 'content-type': 'application/json', 'x-should-retry': 'false', [HEADER]: id },
        },
      );
    }
  };
}

/** The error `guardFetch` stood in for, if `sdkError` is the SDK's report of that stand-in. */
export function takeStashedError(sdkError: unknown): ToolplanError | undefined {
  const headers = (sdkError as { headers?: unknown } | null)?.headers;
  if (!(headers instanceof Headers)) return undefined;
  const id = headers.get(HEADER);
  if (id === null) return undefined;
  const error = stashed.get(id);
  stashed.delete(id);
  return error;
}
