import { join } from 'node:path';
import { type CompatibleShape, shapeModel } from '../record/compatible-shapes.ts';
import type { EvalCase } from './eval-case.ts';

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

/** Each case followed by its shape variants. */
export function withShapeVariants(cases: readonly EvalCase[]): EvalCase[] {
  return cases.flatMap((c) => [c, ...(c.shapes ?? []).map((shape) => shapeVariant(c, shape))]);
}
