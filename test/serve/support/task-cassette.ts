import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCassette } from '../../../src/eval/cassette-builder.ts';

/** The plan the recorded LLM writes: two timed steps, then a message that needs approval. */
export const TASK_PLAN = {
  version: 1,
  goal: 'tell ops the chain finished',
  nodes: [
    { id: 'first', call: 'wait', args: { ms: 1200, label: 'first' } },
    { id: 'second', call: 'wait', args: { ms: 800, label: '${first.label}+second' } },
    { id: 'tell', call: 'send', args: { to: 'ops', text: '${second.label}' } },
  ],
};

export const ANSWER = 'Done: ops was told that first+second finished.';

/** Writes an OpenAI-wire cassette (plan, then the answer after the join) into `dir`. */
export function writeTaskCassette(dir: string): string {
  const file = join(dir, 'cassette.json');
  const cassette = buildCassette('openai', [{ plan: TASK_PLAN }, { text: ANSWER }], {
    model: 'gpt-4.1-mini',
    note: 'serve tests: a task that needs an approval',
  });
  writeFileSync(file, JSON.stringify(cassette, null, 2));
  return file;
}
