/**
 * Rewrites one ~1 MB cassette in a loop until killed; the parent kills it mid-write and checks
 * the file is a whole cassette. Prints "written" once the first version is in place.
 */
import { writeCassette } from '../../../src/record/cassette.ts';

const path = process.argv[2];
if (!path) throw new Error('usage: write-cassettes-forever.ts PATH');
const filler = 'x'.repeat(5_000);
for (let round = 0; ; round++) {
  const note = `round ${round}`;
  writeCassette(path, {
    version: 1,
    note,
    interactions: Array.from({ length: 200 }, (_, i) => ({
      request: { method: 'POST', path: `/v1/chat/completions?i=${i}` },
      response: { status: 200, headers: {}, text: `${note} ${i} ${filler}` },
    })),
  });
  if (round === 0) process.stdout.write('written\n');
}
