import { join } from 'node:path';
import { type CompatibleShape, shapeModel } from '../record/compatible-shapes.ts';
import type { CaseResult } from './case-result.ts';
import type { EvalCase } from './eval-case.ts';
import { type RunCaseOptions, runCase } from './run-case.ts';

/**
 * A case's runs on OpenAI-compatible servers' stream shapes (its `shapes`): the same turns,
 * the same expectations, the OpenAI adapter reading `cassette.<shape>.json`. They make the
 * suite exercise what real servers do differently (ids, types, usage, reasoning, the end).
 */

export function shapeCassetteName(shape: CompatibleShape): string {
  return `cassette.${shape}.json`;
}

export function shapeVariant(c: EvalCase, shape: CompatibleShape): EvalCase {
  return {
    ...c,
    name: `${c.name}@${shape}`,
    provider: 'openai',
    model: shapeModel(shape),
    cassette: shapeCassetteName(shape),
    cassettePath: join(c.dir, shapeCassetteName(shape)),
    shape,
  };
}

/**
 * Runs a case, then (offline) the same case on each of its shapes. The result is the case's,
 * failed if any shape run failed, with that run's failures named after its shape; usage and
 * timings stay the case's own, so shape runs do not inflate the suite's totals. A live
 * recording is of the provider itself: shapes are built from its turns, never recorded.
 */
export async function runCaseOnShapes(
  c: EvalCase,
  options: RunCaseOptions = {},
  run: typeof runCase = runCase,
): Promise<CaseResult> {
  const result = await run(c, options);
  if (options.record || !c.shapes?.length) return result;
  const shapes = [];
  for (const shape of c.shapes) {
    const r = await run(shapeVariant(c, shape), options);
    shapes.push({ shape, passed: r.passed, failures: r.failures, wallMs: r.wallMs });
  }
  const failures = [
    ...result.failures,
    ...shapes.flatMap((s) => s.failures.map((f) => `on the ${s.shape} shape: ${f}`)),
  ];
  return { ...result, passed: failures.length === 0, failures, shapes };
}
