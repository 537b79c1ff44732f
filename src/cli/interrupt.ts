/**
 * SIGINT cancels the run (tools see their signal abort); a second SIGINT exits at once.
 * `runId` names the run in the message, when it is known by then.
 */
export function cancelOnSigint(runId: () => string | undefined = () => undefined): {
  signal: AbortSignal;
  dispose: () => void;
} {
  const controller = new AbortController();
  let count = 0;
  const onSigint = () => {
    count += 1;
    if (count === 1) {
      const id = runId();
      process.stderr.write(
        `\ntoolplan: cancelling${id ? ` run ${id}` : ''} (press Ctrl-C again to exit at once${id ? `; toolplan resume ${id} continues it` : ''})\n`,
      );
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
