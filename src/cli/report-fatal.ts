import { isToolplanError } from '../errors/toolplan-error.ts';

/** Prints an error the way a person can act on it: never a stack trace. */
export function reportFatal(
  error: unknown,
  exitCode = isToolplanError(error) && error.blame === 'config' ? 2 : 1,
): void {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : 'Error';
  process.stderr.write(`toolplan: ${name}: ${message}\n`);
  if (process.env.TOOLPLAN_DEBUG && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  process.exitCode = exitCode;
}
