import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { createBundledTools } from '../../tools/index.ts';
import { ConfigError } from '../errors/runtime-errors.ts';
import type { CaseResult, SuiteResult } from '../eval/case-result.ts';
import type { EvalCase } from '../eval/eval-case.ts';
import { formatTable } from '../eval/format-table.ts';
import { renderReport } from '../eval/report-html.ts';
import { loadCases, runSuite } from '../eval/run-suite.ts';
import { packagePath } from '../package-root.ts';
import { loadProviderConfig } from '../providers/config.ts';
import { reportFatal } from './report-fatal.ts';

/** The bundled cases, found from this file so `toolplan eval` works from any directory. */
export const BUNDLED_CASES = `${packagePath('evals', 'cases')}/`;
export const DEFAULT_REPORT = '.toolplan/report.html';
/** BFCL tasks replayed in a default run (all of them with --bfcl). */
export const BFCL_DEFAULT_SAMPLE = 50;

interface EvalOptions {
  json?: boolean;
  report: string | false;
  bfcl?: boolean;
  bfclSample: number;
  concurrency: number;
  record?: boolean;
}

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('Run the eval suite offline from recorded LLM responses (no key, no network).')
    .argument('[dir]', 'folder of cases, one folder per case (default: the bundled evals/cases)')
    .option('--json', 'write the results as JSON on stdout (progress and table go to stderr)')
    .option('--report <file>', 'write the HTML report here', DEFAULT_REPORT)
    .option('--no-report', 'write no HTML report')
    .option('--bfcl', 'also replay all 1,240 BFCL tasks (default: a sample of 50)')
    .addOption(
      new Option('--bfcl-sample <n>', 'BFCL tasks in a run without --bfcl (0: none)')
        .default(BFCL_DEFAULT_SAMPLE)
        .argParser(positiveIntOrZero('--bfcl-sample')),
    )
    .addOption(
      new Option('--concurrency <n>', 'cases run at once')
        .default(4)
        .argParser(positiveIntOrZero('--concurrency')),
    )
    .option('--record', "re-record the cases' cassettes against the live provider (needs its key)")
    .action(async (dir: string | undefined, options: EvalOptions) => {
      try {
        process.exitCode = await runEvalCommand(dir, options);
      } catch (error) {
        reportFatal(error);
      }
    });
}

/** `main.ts` loads command modules by this name. */
export const register = registerEvalCommand;

async function runEvalCommand(dir: string | undefined, options: EvalOptions): Promise<number> {
  const root = resolve(dir ?? BUNDLED_CASES);
  const cases = loadCases(root);
  if (cases.length === 0) {
    throw new ConfigError(
      'no_eval_cases',
      `no eval cases in ${root} (each case is a folder holding case.json)`,
    );
  }
  const out = (text: string) => process.stderr.write(text);
  const record = options.record ? recordingEnv(cases) : undefined;
  out(
    `toolplan eval: ${cases.length} case(s) from ${root}${record ? ' (recording live)' : ', offline'}\n`,
  );
  const suite: SuiteResult = await runSuite(cases, {
    concurrency: record ? 1 : Math.max(1, options.concurrency),
    bundledTools: createBundledTools,
    ...(record ? { record } : {}),
    onCase: (r, done, total) => out(progressLine(r, done, total)),
  });
  if (record) markRecorded(cases.map((c) => c.file));
  const sample = options.bfcl ? Number.POSITIVE_INFINITY : options.bfclSample;
  if (sample > 0 && !dir) {
    const { runBfcl } = await import('../eval/bfcl-cases.ts');
    out(
      `BFCL: replaying ${Number.isFinite(sample) ? `a sample of ${sample}` : 'every'} task(s)...\n`,
    );
    suite.bfcl = await runBfcl({
      limit: sample,
      concurrency: Math.max(1, options.concurrency) * 4,
    });
  }
  const table = formatTable(suite);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(suite, null, 2)}\n`);
    out(`${table}\n`);
  } else {
    process.stdout.write(`${table}\n`);
  }
  if (options.report !== false) {
    const path = resolve(options.report);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, renderReport(suite));
    out(`report: ${path}\n`);
  }
  return suite.failed > 0 ? 1 : 0;
}

function progressLine(r: CaseResult, done: number, total: number): string {
  const mark = r.passed ? 'pass' : 'FAIL';
  const why = r.passed ? '' : `: ${r.failures[0] ?? ''}`;
  return `[${String(done).padStart(String(total).length)}/${total}] ${mark} ${r.name} (${Math.round(r.wallMs)} ms)${why}\n`;
}

const KEY_OF = { openai: 'OPENAI_API_KEY', anthropic: 'ANTHROPIC_API_KEY' } as const;

/** The environment to record with; refuses plainly when a case's provider has no key. */
function recordingEnv(cases: readonly EvalCase[]): { env: Record<string, string | undefined> } {
  const config = loadProviderConfig();
  const missing = [...new Set(cases.map((c) => c.provider))].filter((p) =>
    p === 'openai' ? !config.openai.apiKey && !config.openai.baseURL : !config.anthropic.apiKey,
  );
  if (missing.length > 0) {
    const keys = missing.map((p) => KEY_OF[p]).join(' and ');
    throw new ConfigError(
      'record_needs_key',
      `--record calls the live provider, and ${keys} ${missing.length > 1 ? 'are' : 'is'} not set ` +
        '(environment or .env): nothing was recorded and no cassette was changed. ' +
        'Set the key, or run without --record to replay the cassettes offline.',
      { details: { variables: missing.map((p) => KEY_OF[p]) } },
    );
  }
  return { env: { ...process.env } };
}

/** A re-recorded case says so in its case.json. */
function markRecorded(files: readonly string[]): void {
  for (const file of files) {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    raw.origin = 'recorded';
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
  }
}

function positiveIntOrZero(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      throw new ConfigError('bad_option', `${flag} must be a whole number >= 0, got "${value}"`);
    }
    return n;
  };
}
