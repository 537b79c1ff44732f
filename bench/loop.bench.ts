/**
 * Plan mode vs classic ReAct (one tool call a turn) vs native parallel tool calling, on the
 * same tasks with the same simulated LLM and the same tools; the Vercel AI SDK (`streamText`
 * with tools, native parallel calls and one a turn) runs beside them as a peer.
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
import { withLatency } from '../tools/support/latency.ts';
import { type PeerResult, runAiSdk } from './support/ai-sdk-peer.ts';
import { benchShop, LOOP_TASKS } from './support/loop-tasks.ts';
import { type SimTask, startSimLlm } from './support/sim-llm.ts';

const TIMING = { firstTokenMs: 500, tokenMs: 15 };
const TOOL_MS = 100;
/** Each (task, mode) runs this many times; the table shows the mean (timer jitter is ~5%). */
const REPS = Number(process.env.BENCH_REPS ?? 2);

interface Mode {
  label: string;
  options?: Partial<RunTaskOptions>;
  /** A peer instead of toolplan: the AI SDK in this style. */
  peer?: 'parallel' | 'single';
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
  { label: 'AI SDK parallel', peer: 'parallel' },
  { label: 'AI SDK one call a turn', peer: 'single' },
];
/** What the tables compare the plan modes against. */
const NATIVE_PARALLEL = 'react parallel';
const ONE_A_TURN = 'react one call a turn';

interface Row {
  task: SimTask;
  mode: Mode;
  result: PeerResult & { planNodes: number | null };
  wallMs: number;
}

function fromTask(result: TaskResult, wallMs: number): Row['result'] {
  const plan = result.plans[0];
  return {
    answer: result.answer ?? '',
    wallMs,
    llmCalls: result.usage.llmCalls,
    outputTokens: result.usage.outputTokens,
    firstToolCallMs: result.timings.firstToolCallMs,
    planNodes: plan ? countNodes(plan.nodes) : null,
  };
}

async function runMode(task: SimTask, mode: Mode, toolMs: number, baseURL: string, model: unknown) {
  const tools = benchShop().tools.map((t) => withLatency(t, toolMs));
  const t0 = performance.now();
  if (mode.peer) {
    const r = await runAiSdk(task.task, { baseURL, style: mode.peer, tools });
    return { ...r, planNodes: null };
  }
  const result = await runTask(task.task, {
    model: model as RunTaskOptions['model'],
    tools,
    ...mode.options,
  });
  if (result.status !== 'answered') {
    throw new Error(`${task.name} / ${mode.label}: ${result.status}: ${result.error?.message}`);
  }
  return fromTask(result, performance.now() - t0);
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
  const baseURL = `${llm.server.origin}/v1`;
  const rows: Row[] = [];
  try {
    // Warm-up (module loading, JIT, CEL environments), not measured.
    for (const mode of MODES) await runMode(LOOP_TASKS[0]!, mode, 0, baseURL, llm.model);
    for (const task of LOOP_TASKS) {
      for (const mode of MODES) {
        const runs: Row['result'][] = [];
        for (let r = 0; r < REPS; r++)
          runs.push(await runMode(task, mode, TOOL_MS, baseURL, llm.model));
        const wallMs = runs.reduce((a, r) => a + r.wallMs, 0) / runs.length;
        rows.push({ task, mode, result: runs[0]!, wallMs });
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
    `Simulated LLM: ${TIMING.firstTokenMs} ms to first token, ${TIMING.tokenMs} ms a token (4 characters), over the real OpenAI SDK (toolplan) and @ai-sdk/openai (AI SDK) on 127.0.0.1; tools ${TOOL_MS} ms; mean of ${REPS} run(s).`,
    '',
    '| task | mode | LLM round trips | output tokens | tokens / plan node | first tool call (ms) | wall (ms) | answer |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |',
  );
  for (const r of rows) {
    const perNode = r.result.planNodes
      ? (r.result.outputTokens / r.result.planNodes).toFixed(1)
      : '-';
    out.push(
      `| ${r.task.name} | ${r.mode.label} | ${r.result.llmCalls} | ${r.result.outputTokens} | ${perNode} | ${ms(r.result.firstToolCallMs)} | ${ms(r.wallMs)} | ${r.result.answer.slice(0, 60)} |`,
    );
  }
  out.push(
    '',
    '| task | plan syntax | toolplan react 1-a-turn ÷ plan | toolplan react parallel ÷ plan | AI SDK 1-a-turn ÷ plan | AI SDK parallel ÷ plan | target | met |',
    '| --- | --- | ---: | ---: | ---: | ---: | --- | --- |',
  );
  for (const task of LOOP_TASKS) {
    const of = (label: string) =>
      rows.find((r) => r.task === task && r.mode.label === label)!.wallMs;
    for (const plan of ['plan (compact)', 'plan (json)']) {
      const single = of(ONE_A_TURN) / of(plan);
      const parallel = of(NATIVE_PARALLEL) / of(plan);
      const [target, met] = targetFor(task, single, parallel);
      out.push(
        `| ${task.name} | ${plan} | ${x(of(ONE_A_TURN), of(plan))} | ${x(of(NATIVE_PARALLEL), of(plan))} | ${x(of('AI SDK one call a turn'), of(plan))} | ${x(of('AI SDK parallel'), of(plan))} | ${target} | ${met ? 'yes' : 'NO'} |`,
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The goals of the loop: what each kind of task must gain over native tool calling. */
function targetFor(task: SimTask, single: number, parallel: number): [string, boolean] {
  if (task.name === 'fan-out: 10 lookups')
    return ['≥4x vs 1-a-turn, ≥1.3x vs parallel', single >= 4 && parallel >= 1.3];
  if (task.kind === 'fan-out') return ['≥3x vs 1-a-turn', single >= 3];
  if (task.kind === 'dependent') return ['≥1.5x vs parallel', parallel >= 1.5];
  return ['never slower', single >= 1 && parallel >= 1];
}

await main();
