/**
 * SIGINT cancels the run (tools see their signal abort); a second SIGINT exits at once.
 * While the run compensates (it reports so through `onCompensating`, with 0 when a `try`'s
 * compensations are over), a Ctrl-C still cancels the run but the compensations go on, and
 * a second one aborts `stopSignal`, which stops them and leaves the run resumable. `runId`
 * names the run in the message, when it is known by then.
 */
export function cancelOnSigint(runId: () => string | undefined = () => undefined): {
  signal: AbortSignal;
  stopSignal: AbortSignal;
  onCompensating: (steps: number) => void;
  dispose: () => void;
} {
  const controller = new AbortController();
  const stopper = new AbortController();
  let count = 0;
  let compensating: number | undefined;
  const onSigint = () => {
    count += 1;
    const id = runId();
    if (compensating !== undefined) {
      if (count === 1) {
        controller.abort();
        process.stderr.write(
          `\ntoolplan: compensating ${compensating} step${compensating === 1 ? '' : 's'}; Ctrl-C again to stop, ${id ? `toolplan resume ${id}` : 'resume'} finishes them\n`,
        );
      } else if (count === 2) {
        process.stderr.write(
          `\ntoolplan: stopping the compensations${id ? `; toolplan resume ${id} finishes them` : ''}\n`,
        );
        stopper.abort();
      } else process.exit(130);
      return;
    }
    if (count === 1) {
      process.stderr.write(
        `\ntoolplan: cancelling${id ? ` run ${id}` : ''} (press Ctrl-C again to exit at once${id ? `; toolplan resume ${id} continues it` : ''})\n`,
      );
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  return {
    signal: controller.signal,
    stopSignal: stopper.signal,
    onCompensating: (steps) => {
      compensating = steps > 0 ? steps : undefined;
    },
    dispose: () => process.off('SIGINT', onSigint),
  };
}
