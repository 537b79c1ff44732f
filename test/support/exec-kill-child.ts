/**
 * A real child process for the kill/resume tests. Runs (or resumes) a plan whose tool
 * appends one line per call to a log file, with a file journal. With KILL_AT=k it SIGKILLs
 * itself right after writing line k (mode "during": the call is in flight) or just after
 * the k-th call returned (mode "after"). Prints the run result as JSON on stdout.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { executePlan, FileJournalStore, resumeRun } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

const [mode, dir, runId, logFile] = process.argv.slice(2) as [string, string, string, string];
const killAt = Number(process.env.KILL_AT ?? 0);
const killMode = process.env.KILL_MODE ?? 'during';

function lines(): number {
  try {
    return readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

const work: Tool = {
  name: 'work',
  description: 'appends a line and returns its input',
  inputSchema: z.object({ v: z.unknown(), cursor: z.unknown().optional() }),
  execute: async (args: { v: unknown; cursor?: unknown }, ctx) => {
    appendFileSync(logFile, `${ctx.idempotencyKey}|${ctx.nodeId}\n`);
    const n = lines();
    if (n === killAt && killMode === 'during') process.kill(process.pid, 'SIGKILL');
    if (n === killAt && killMode === 'after')
      setImmediate(() => process.kill(process.pid, 'SIGKILL'));
    await new Promise((r) => setTimeout(r, 2));
    const c = typeof args.cursor === 'number' ? args.cursor : 0;
    return { v: args.v, next: c < 2 ? c + 1 : null };
  },
};

const refund: Tool = {
  name: 'refund',
  description: 'undo',
  inputSchema: z.object({ v: z.unknown() }),
  execute: (args: { v: unknown }, ctx) => {
    appendFileSync(logFile, `${ctx.idempotencyKey}|undo\n`);
    return { undone: args.v };
  },
};

export const KILL_PLAN = {
  version: 1,
  nodes: [
    { id: 'a', call: 'work', args: { v: 1 } },
    {
      id: 'm',
      map: [1, 2, 3, 4],
      concurrency: 2,
      do: [{ id: 'x', call: 'work', args: { v: '${item * 10}' } }],
    },
    { id: 'b', call: 'work', args: { v: '${a.v + size(m)}' } },
    {
      id: 'l',
      loop: [{ id: 'st', call: 'work', args: { v: '${iteration}' } }],
      while: '${st.v < 2}',
      max_iterations: 5,
    },
    {
      id: 'p',
      paginate: { call: 'work', args: { v: 'page', cursor: '${cursor}' } },
      next: '${page.next}',
      items: '${[page.v]}',
      max_pages: 5,
    },
    { id: 'out', value: '${ {"b": b.v, "m": m.map(r, r.v), "l": l.v, "p": p} }' },
  ],
};

const store = new FileJournalStore(dir);
const tools = [work, refund];
const result =
  mode === 'resume'
    ? await resumeRun(runId, { tools, store })
    : await executePlan(KILL_PLAN, { tools, store, runId });
process.stdout.write(`${JSON.stringify(result)}\n`);
