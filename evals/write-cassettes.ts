/**
 * Writes each hand-written case's cassette.json from its responses.json, in the case's
 * provider's real streaming wire format (src/record builders), and one per OpenAI-compatible
 * shape the case lists (`shapes`: cassette.<shape>.json). Cases recorded from a live
 * model (`"origin": "recorded"`) are left alone.
 *
 *   npx tsx evals/write-cassettes.ts [case-name...]
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shapeVariant } from '../src/eval/case-variants.ts';
import { buildCassette, readResponses } from '../src/eval/cassette-builder.ts';
import { findCaseDirs, loadCase } from '../src/eval/eval-case.ts';
import { writeCassette } from '../src/record/cassette.ts';

const root = fileURLToPath(new URL('./cases/', import.meta.url));
const only = new Set(process.argv.slice(2));
for (const dir of findCaseDirs(root)) {
  const c = loadCase(dir);
  if (only.size > 0 && !only.has(c.name)) continue;
  const source = join(dir, 'responses.json');
  if (c.origin === 'recorded' || !existsSync(source)) continue;
  const responses = readResponses(source);
  writeCassette(
    c.cassettePath,
    buildCassette(c.provider, responses.turns, { note: responses.note, model: c.model }),
  );
  for (const shape of c.shapes ?? []) {
    const variant = shapeVariant(c, shape);
    writeCassette(
      variant.cassettePath,
      buildCassette(c.provider, responses.turns, {
        note: responses.note,
        model: variant.model,
        shape,
      }),
    );
  }
  const shapes = c.shapes?.length ? ` and ${c.shapes.join(', ')} shapes` : '';
  process.stdout.write(
    `${c.name}: ${responses.turns.length} turn(s), ${c.provider} wire${shapes}\n`,
  );
}
