import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { isToolplanError } from '../errors/toolplan-error.ts';
import { loadCliTools } from '../tool/tool-sources.ts';
import { validatePlanText } from '../validate/validate-plan.ts';
import { addToolsOption } from './cli-options.ts';
import { issueLines } from './print-issues.ts';

/**
 * `toolplan validate PLAN --tools MODULE [--tools MODULE ...] [--json]`: checks a plan
 * file (or `-` for stdin) against the plan format and the tools, without running it.
 * Exit 0 when valid (warnings are printed), 2 when not or on a usage or config error.
 */

interface ValidateCliOptions {
  tools: string[];
  json?: boolean;
}

export const EXIT_VALID = 0;
export const EXIT_INVALID = 2;

export function registerValidateCommand(program: Command): void {
  addToolsOption(
    program
      .command('validate')
      .description('check a plan against the plan format and the tools, without running it')
      .argument('<plan>', 'plan file (JSON), or - to read it from stdin'),
  )
    .option('--json', 'print {"valid", "issues"} as JSON on stdout')
    .action(async (plan: string, options: ValidateCliOptions) => {
      process.exitCode = await runValidate(plan, options);
    });
}

/** The name main.ts looks for. */
export const register = registerValidateCommand;

export async function runValidate(
  planPath: string,
  options: ValidateCliOptions,
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): Promise<number> {
  try {
    const text = await readPlan(planPath);
    if (options.tools.length === 0)
      io.stderr.write(
        'toolplan validate: no --tools given, so every call will be reported as an unknown tool\n',
      );
    const registry = await loadCliTools(options);
    const result = validatePlanText(text, registry, { audience: 'person' });
    if (options.json) {
      io.stdout.write(
        `${JSON.stringify({ valid: result.valid, issues: result.issues }, null, 2)}\n`,
      );
    } else {
      for (const line of issueLines(result.issues, options.tools.length > 0))
        io.stdout.write(`${line}\n`);
      const errors = result.issues.filter((i) => i.severity === 'error').length;
      const warnings = result.issues.length - errors;
      io.stdout.write(
        result.valid
          ? `${planPath}: valid${warnings ? ` (${warnings} warning${warnings > 1 ? 's' : ''})` : ''}\n`
          : `${planPath}: invalid: ${errors} error${errors > 1 ? 's' : ''}${warnings ? `, ${warnings} warning${warnings > 1 ? 's' : ''}` : ''}\n`,
      );
    }
    return result.valid ? EXIT_VALID : EXIT_INVALID;
  } catch (error) {
    // Config and usage problems: the message is the whole story, never a stack trace.
    const message = error instanceof Error ? error.message : String(error);
    const name = isToolplanError(error) ? error.name : 'Error';
    io.stderr.write(`toolplan validate: ${name}: ${message}\n`);
    return EXIT_INVALID;
  }
}

async function readPlan(planPath: string): Promise<string> {
  if (planPath === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(planPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `plan file not found: ${planPath}`
        : code === 'EISDIR'
          ? `${planPath} is a directory, not a plan file`
          : `cannot read plan file ${planPath}: ${(error as Error).message}`,
    );
  }
}
