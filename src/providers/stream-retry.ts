import { isProviderError } from '../model/provider-error.ts';

/**
 * Runs `open` and, if its stream fails (cut, or an in-stream overloaded error) before yielding
 * anything, runs it once more from scratch. Failed requests are not retried here: the SDK
 * already did. Once something was yielded a retry would duplicate output, so the
 * error goes to the caller.
 */
export async function* retryBeforeFirstPart<T>(
  open: () => AsyncIterable<T>,
  signal: AbortSignal | undefined,
): AsyncIterable<T> {
  let yielded = false;
  for (let attempt = 0; ; attempt++) {
    try {
      for await (const part of open()) {
        yielded = true;
        yield part;
      }
      return;
    } catch (error) {
      const again =
        attempt === 0 &&
        !yielded &&
        !signal?.aborted &&
        isProviderError(error) &&
        error.retryable &&
        error.details.inStream === true;
      if (!again) throw error;
    }
  }
}

/** Same for a single result: one fresh attempt after a retryable failure the SDK did not retry. */
export async function retryOnceAfterCut<T>(
  run: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!signal?.aborted && isProviderError(error) && error.code === 'stream_interrupted')
      return run();
    throw error;
  }
}

/**
 * Settles as soon as `signal` aborts, whatever `promise` does: an SDK may be sleeping out a
 * Retry-After that it only checks the signal after.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: () => Error,
): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => {});
    return Promise.reject(onAbort());
  }
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort());
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}
