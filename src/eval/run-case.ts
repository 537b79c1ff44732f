import { ConfigError } from '../errors/runtime-errors.ts';
import type { RunEvent } from '../exec/events.ts';
import { runTask } from '../loop/run-task.ts';
import type { RunTaskOptions, TaskResult } from '../loop/task-types.ts';
import type { LanguageModel } from '../model/language-model.ts';
import { createModel, type Env } from '../providers/config.ts';
import { createRecordingFetch, type RecordingFetch } from '../record/recording-fetch.ts';
import { createReplayFetch, type ReplayFetch } from '../record/replay-fetch.ts';
import { loadToolsModule } from '../tool/load-tools-module.ts';
import type { Tool } from '../tool/tool.ts';
import { type CaseResult, emptyUsage } from './case-result.ts';
import { checkExpectations } from './check-case.ts';
import { makespanRatio } from './critical-path.ts';
import type { EvalCase } from './eval-case.ts';
import { type PlanTrace, traceOfCalls, tracesFromEvents } from './run-trace.ts';

export type RunTaskFn = (task: string, options: RunTaskOptions) => Promise<TaskResult>;

/**
 * Makes a fresh set of the bundled tools from a case's `toolOptions`. The eval suite does
 * not import `tools/` itself: its caller (the `eval` command, a test) hands the factory in.
 */
export type BundledToolsFn = (options: Record<string, unknown>) => Tool[];

export interface RunCaseOptions {
  signal?: AbortSignal;
  /** The loop to run; the real one by default. */
  runTask?: RunTaskFn;
  /** Re-record the cassette against the live provider configured in this environment. */
  record?: { env: Env };
  /** Needed by cases whose `tools` is `"bundled"`. */
  bundledTools?: BundledToolsFn;
}

/**
 * Runs one case offline: fresh tools (so cases can run side by side), the model behind a
 * replay fetch over the case's cassette, the whole loop; then checks what it must hold. A
 * broken case (bad tools module, missing cassette) is a failed case with the reason, not a
 * crash of the suite.
 */
export async function runCase(c: EvalCase, options: RunCaseOptions = {}): Promise<CaseResult> {
  const t0 = performance.now();
  const base = emptyResult(c);
  try {
    const tools = await caseTools(c, options);
    const { model, recorder, replay } = caseModel(c, options);
    const events: RunEvent[] = [];
    const result = await (options.runTask ?? runTask)(c.task, {
      model,
      tools,
      ...taskOptions(c, options),
      onEvent: (e) => {
        if (e.type === 'exec') events.push(e.event as RunEvent);
      },
    });
    const callsTrace = c.mode === 'react' ? traceOfCalls(result.toolCalls) : undefined;
    const traces = callsTrace ? [callsTrace] : tracesFromEvents(events);
    const measured = measure(traces);
    const toolCalls = result.toolCalls.map((t) => ({
      name: t.name,
      args: t.args,
      nodeId: t.nodeId,
    }));
    const failures = checkExpectations(c.expect, {
      status: result.status,
      answer: result.answer,
      llmCalls: result.usage.llmCalls,
      toolCalls,
      ratio: measured.ratio,
    });
    if (result.status === 'failed' && c.expect.status !== 'failed' && result.error) {
      failures.push(`the task failed: ${result.error.name}: ${result.error.message}`);
    }
    await recorder?.flush();
    const unused = replay?.unused().length ?? 0;
    if (unused > 0) failures.push(`${unused} recorded LLM response(s) were never asked for`);
    return {
      ...base,
      passed: failures.length === 0,
      failures,
      status: result.status,
      answer:
        result.answer ??
        (result.error ? `${result.error.name}: ${result.error.message}` : undefined),
      usage: { ...result.usage },
      toolCalls,
      wallMs: performance.now() - t0,
      traces,
      ...measured,
    };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ...base, failures: [message], wallMs: performance.now() - t0 };
  }
}

function emptyResult(c: EvalCase): CaseResult {
  return {
    name: c.name,
    pattern: c.pattern,
    task: c.task,
    provider: c.provider,
    mode: c.mode,
    origin: c.origin,
    passed: false,
    failures: [],
    status: 'error',
    answer: undefined,
    usage: emptyUsage(),
    toolCalls: [],
    wallMs: 0,
    traces: [],
    makespanMs: 0,
    criticalMs: 0,
    ratio: undefined,
  };
}

async function caseTools(c: EvalCase, options: RunCaseOptions): Promise<RunTaskOptions['tools']> {
  if (c.tools !== 'bundled') return await loadToolsModule(c.tools, c.dir);
  if (!options.bundledTools) {
    throw new ConfigError(
      'no_bundled_tools',
      `case "${c.name}" uses "tools": "bundled" but the suite was run without the bundled tools: pass runCase/runSuite the option bundledTools (createBundledTools from toolplan/tools)`,
    );
  }
  return options.bundledTools(c.toolOptions ?? {});
}

/** The case's model, behind a replay fetch over its cassette, or a recording one live. */
function caseModel(
  c: EvalCase,
  options: RunCaseOptions,
): { model: LanguageModel; recorder?: RecordingFetch; replay?: ReplayFetch } {
  const recorder = options.record
    ? createRecordingFetch({
        cassettePath: c.cassettePath,
        env: options.record.env,
        note: `Recorded from ${c.provider} ${c.model} by toolplan eval --record.`,
      })
    : undefined;
  const replay = recorder ? undefined : createReplayFetch({ cassettePath: c.cassettePath });
  // env: {} keeps a developer's keys and .env out of an offline run.
  const model = createModel({
    provider: c.provider,
    model: c.model,
    fetch: (recorder ?? replay)!,
    env: options.record?.env ?? {},
    maxRetries: recorder ? 2 : 0,
  });
  return { model, ...(recorder ? { recorder } : {}), ...(replay ? { replay } : {}) };
}

/** The loop's settings a case asks for. */
function taskOptions(
  c: EvalCase,
  options: RunCaseOptions,
): Omit<RunTaskOptions, 'model' | 'tools'> {
  const approve = c.approve;
  return {
    mode: c.mode,
    syntax: c.syntax ?? 'json',
    ...(c.input !== undefined ? { input: c.input as Record<string, unknown> } : {}),
    ...(c.maxReplans !== undefined ? { maxReplans: c.maxReplans } : {}),
    ...(approve === undefined
      ? {}
      : {
          approve: (req) =>
            approve === true || (Array.isArray(approve) && approve.includes(req.tool)),
        }),
    ...(options.signal ? { signal: options.signal } : {}),
  };
}

function measure(traces: PlanTrace[]): Pick<CaseResult, 'makespanMs' | 'criticalMs' | 'ratio'> {
  const makespanMs = traces.reduce((n, t) => n + t.makespanMs, 0);
  const criticalMs = traces.reduce((n, t) => n + t.critical.ms, 0);
  return { makespanMs, criticalMs, ratio: makespanRatio(makespanMs, criticalMs) };
}
