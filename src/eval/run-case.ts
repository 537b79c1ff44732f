import { createBundledTools } from '../../tools/index.ts';
import type { RunEvent } from '../exec/events.ts';
import { runTask } from '../loop/run-task.ts';
import type { RunTaskOptions, TaskResult } from '../loop/task-types.ts';
import { createModel, type Env } from '../providers/config.ts';
import { createRecordingFetch } from '../record/recording-fetch.ts';
import { createReplayFetch } from '../record/replay-fetch.ts';
import { loadToolsModule } from '../tool/load-tools-module.ts';
import { type CaseResult, emptyUsage } from './case-result.ts';
import { checkExpectations } from './check-case.ts';
import { makespanRatio } from './critical-path.ts';
import type { EvalCase } from './eval-case.ts';
import { traceOfCalls, tracesFromEvents } from './run-trace.ts';

export type RunTaskFn = (task: string, options: RunTaskOptions) => Promise<TaskResult>;

export interface RunCaseOptions {
  signal?: AbortSignal;
  /** The loop to run; the real one by default. */
  runTask?: RunTaskFn;
  /** Re-record the cassette against the live provider configured in this environment. */
  record?: { env: Env };
}

/**
 * Runs one case offline: fresh tools (so cases can run side by side), the model behind a
 * replay fetch over the case's cassette, the whole loop; then checks what it must hold. A
 * broken case (bad tools module, missing cassette) is a failed case with the reason, not a
 * crash of the suite.
 */
export async function runCase(c: EvalCase, options: RunCaseOptions = {}): Promise<CaseResult> {
  const t0 = performance.now();
  const base: CaseResult = {
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
  try {
    const tools =
      c.tools === 'bundled'
        ? createBundledTools(c.toolOptions ?? {})
        : await loadToolsModule(c.tools, c.dir);
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
    const events: RunEvent[] = [];
    const approve = c.approve;
    const result = await (options.runTask ?? runTask)(c.task, {
      model,
      tools,
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
      onEvent: (e) => {
        if (e.type === 'exec') events.push(e.event as RunEvent);
      },
    });
    const callsTrace = c.mode === 'react' ? traceOfCalls(result.toolCalls) : undefined;
    const traces = callsTrace ? [callsTrace] : tracesFromEvents(events);
    const makespanMs = traces.reduce((n, t) => n + t.makespanMs, 0);
    const criticalMs = traces.reduce((n, t) => n + t.critical.ms, 0);
    const ratio = makespanRatio(makespanMs, criticalMs);
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
      ratio,
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
      makespanMs,
      criticalMs,
      ratio,
    };
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ...base, failures: [message], wallMs: performance.now() - t0 };
  }
}
