/**
 * Runs the real commander program with the validate command registered, the way
 * `runCli` does, until `src/cli/main.ts` registers the command modules itself.
 */
import { CommanderError } from 'commander';
import { buildProgram, reportFatal } from '../../src/cli/main.ts';
import { registerValidateCommand } from '../../src/cli/validate.ts';

const program = buildProgram();
registerValidateCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? 0 : 2;
  else reportFatal(error);
}
