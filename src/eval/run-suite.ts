import type { CaseResult, SuiteResult } from './case-result.ts';
import { runCaseOnShapes } from './case-variants.ts';
import { type EvalCase, findCaseDirs, loadCase } from './eval-case.ts';
import type { RunCaseOptions } from './run-case.ts';

export interface SuiteOptions extends RunCaseOptions {
  concurrency?: number;
  /** Called as each case finishes, in finishing order. */
  onCase?: (result: CaseResult, done: number, total: number) => void;
}

/** Loads every case under `root` first (a bad case.json stops the suite before anything runs). */
export function loadCases(root: string): EvalCase[] {
  return findCaseDirs(root).map(loadCase);
}

/** Runs cases with at most `concurrency` at once; results come back in case order. */
export async function runSuite(
  cases: readonly EvalCase[],
  options: SuiteOptions = {},
): Promise<SuiteResult> {
  const t0 = performance.now();
  const results: CaseResult[] = new Array(cases.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      results[i] = await runCaseOnShapes(cases[i]!, options);
      done++;
      options.onCase?.(results[i]!, done, cases.length);
    }
  };
  const width = Math.max(1, Math.min(options.concurrency ?? 4, cases.length));
  await Promise.all(Array.from({ length: width }, worker));
  const passed = results.filter((r) => r.passed).length;
  return {
    cases: results,
    passed,
    failed: results.length - passed,
    wallMs: performance.now() - t0,
  };
}
