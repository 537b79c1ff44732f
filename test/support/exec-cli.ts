/**
 * Entry for the exec CLI tests: the real program (`buildProgram` from src/cli/main.ts) with
 * the exec, resume and runs commands registered, run in a real child process.
 */
import { CommanderError } from 'commander';
import { registerExecCommand } from '../../src/cli/exec.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { registerResumeCommand } from '../../src/cli/resume.ts';
import { registerRunsCommand } from '../../src/cli/runs.ts';

const program = buildProgram();
registerExecCommand(program);
registerResumeCommand(program);
registerRunsCommand(program);
try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = error instanceof CommanderError ? (error.exitCode === 0 ? 0 : 2) : 1;
}
