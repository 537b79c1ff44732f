/**
 * For commands that serve until stopped (`worker`, `coordinator`): resolves on the first
 * SIGTERM or SIGINT, so the caller can close gracefully; from then on a second signal, or
 * `graceMs` without the close finishing, exits with 1.
 */
export async function untilStopped(graceMs: number): Promise<void> {
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  const force = () => process.exit(1);
  process.once('SIGTERM', force);
  process.once('SIGINT', force);
  setTimeout(force, graceMs).unref();
}
