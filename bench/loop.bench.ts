/**
 * Plan mode vs classic ReAct (one tool call a turn) vs native parallel tool calling, on the
 * same tasks with the same simulated LLM and the same tools.
 *
 *   node --import tsx bench/loop.bench.ts
 *
 * The LLM is a scripted policy served over a real HTTP server on 127.0.0.1 in OpenAI's
 * streaming wire format and parsed by the real OpenAI SDK (bench/support/sim-llm.ts): 500 ms
 * to the first token, then 15 ms a token (a token is 4 characters, alike for every mode).
 * Tools are the bundled shop's, each call taking 100 ms. Timings are ratios from one run.
 */
import { runTask } from '../src/loop/run-task.ts';
import type { RunTaskOptions, TaskResult } from '../src/loop/task-types.ts';
import type { PlanNode } from '../src/plan/plan-schema.ts';
import { createShop } from '../tools/shop/index.ts';
import { withLatency } from '../tools/support/latency.ts';
import { LOOP_TASKS } from './support/loop-tasks.ts';
import { type SimTask, startSimLlm } from './support/sim-llm.ts';

const TIMING = { firstTokenMs: 500, tokenMs: 15 };
const TOOL_MS = 100;
/** Each (task, mode) runs this many times; the table shows the mean (timer jitter is ~5%). */
const REPS = Number(process.env.BENCH_REPS ?? 2);

interface Mode {
  label: string;
  options: Partial<RunTaskOptions>;
}

const MODES: Mode[] = [
  { label: 'plan (compact)', options: { mode: 'plan', syntax: 'compact' } },
  { label: 'plan (json)', options: { mode: 'plan', syntax: 'json' } },
  {
    label: 'plan (json, no streaming start)',
    options: { mode: 'plan', syntax: 'json', prefetch: false },
  },
  { label: 'react parallel', options: { mode: 'react', reactStyle: 'parallel' } },
  { label: 'react one call a turn', options: { mode: 'react', reactStyle: 'single' } },
];

interface Row {
  task: SimTask;
  mode: Mode;
  result: TaskResult;
  wallMs: number;
}

function countNodes(nodes: readonly PlanNode[]): number {
  let n = 0;
  for (const node of nodes) {
    n++;
    const r = node as Record<string, unknown>;
    for (const key of ['do', 'race', 'loop', 'try', 'catch', 'finally']) {
      if (Array.isArray(r[key])) n += countNodes(r[key] as PlanNode[]);
    }
    if (Array.isArray(r.switch))
      for (const c of r.switch as { do: PlanNode[] }[]) n += countNodes(c.do);
  }
  return n;
}

async function main(): Promise<void> {
  const llm = await startSimLlm(LOOP_TASKS, TIMING);
  const rows: Row[] = [];
  try {
    // Warm-up (module loading, JIT, CEL environments), not measured.
    for (const mode of MODES) {
      const tools = createShop().tools.map((t) => withLatency(t, 0));
      await runTask(LOOP_TASKS[3]!.task, { model: llm.model, tools, ...mode.options });
    }
    for (const task of LOOP_TASKS) {
      for (const mode of MODES) {
        const tools = createShop().tools.map((t) => withLatency(t, TOOL_MS));
        const t0 = performance.now();
        const result = await runTask(task.task, { model: llm.model, tools, ...mode.options });
        const wallMs = performance.now() - t0;
        if (result.status !== 'answered') {
          throw new Error(
            `${task.name} / ${mode.label}: ${result.status}: ${result.error?.message}`,
          );
        }
        rows.push({ task, mode, result, wallMs });
        process.stderr.write(
          `${task.name.padEnd(36)} ${mode.label.padEnd(32)} ${Math.round(wallMs)} ms\n`,
        );
      }
    }
  } finally {
    await llm.close();
  }
  print(rows);
}

const ms = (n: number | null) => (n === null ? '-' : `${Math.round(n)}`);
const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

function print(rows: Row[]): void {
  const out: string[] = [];
  out.push(
    `Simulated LLM: ${TIMING.firstTokenMs} ms to first token, ${TIMING.tokenMs} ms a token (4 characters), over the real OpenAI SDK on 127.0.0.1; tools ${TOOL_MS} ms; mean of ${REPS} run(s).`,
    '',
    '| task | mode | LLM round trips | output tokens | tokens / plan node | first tool call (ms) | wall (ms) | answer |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const r of rows) {
    const plan = r.result.plans[0];
    const perNode = plan ? (r.result.usage.outputTokens / countNodes(plan.nodes)).toFixed(1) : '-';
    out.push(
      `| ${r.task.name} | ${r.mode.label} | ${r.result.usage.llmCalls} | ${r.result.usage.outputTokens} | ${perNode} | ${ms(r.result.timings.firstToolCallMs)} | ${ms(r.wallMs)} | ${r.result.answer} |`,
    );
  }
  out.push(
    '',
    '| task | kind | react 1-a-turn ÷ plan | react parallel ÷ plan | target | met |',
    '| --- | --- | ---: | ---: | --- | --- |',
  );
  for (const task of LOOP_TASKS) {
    const of = (label: string) =>
      rows.find((r) => r.task === task && r.mode.label === label)!.wallMs;
    for (const plan of ['plan (compact)', 'plan (json)']) {
      const single = of('react one call a turn') / of(plan);
      const parallel = of('react parallel') / of(plan);
      const [target, met] =
        task.kind === 'fan-out'
          ? ['≥3x vs 1-a-turn', single >= 3]
          : task.kind === 'dependent'
            ? ['≥1.5x vs parallel', parallel >= 1.5]
            : ['never slower', single >= 1 && parallel >= 1];
      out.push(
        `| ${task.name} (${plan}) | ${task.kind} | ${x(of('react one call a turn'), of(plan))} | ${x(of('react parallel'), of(plan))} | ${target} | ${met ? 'yes' : 'NO'} |`,
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
