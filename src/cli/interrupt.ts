/** SIGINT cancels the run (tools see their signal abort); a second SIGINT exits at once. */
export function cancelOnSigint(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  const onSigint = () => {
    count += 1;
    if (count === 1) {
      process.stderr.write('\ntoolplan: cancelling (press Ctrl-C again to exit at once)\n');
      controller.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
