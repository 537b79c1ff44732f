import { runTask } from '../loop/run-task.ts';
import { createModel } from '../providers/config.ts';
import { createReplayFetch } from '../record/replay-fetch.ts';
import { type ExpectedCallSpec, matchCalls } from './ast-checker.ts';
import { type BfclCase, bfclTools, groundTruthPlan, loadBfclCorpus } from './bfcl/bfcl-corpus.ts';
import type { BfclSummary } from './case-result.ts';
import { buildCassette } from './cassette-builder.ts';

/**
 * The BFCL corpus as eval cases: each task's ground truth is replayed as the planner's reply
 * (a cassette built in memory in OpenAI's streaming wire format and read back by the real
 * SDK), run through the whole loop (validate, execute, answer) with tools stubbed from their
 * schemas, and the calls made are scored by the AST checker; irrelevance tasks must make no
 * call. Since the replies are the ground truth, the score is about the pipeline, not a model:
 * it shows the loop handles 1,200 real schemas, and which plans the validator refuses.
 */

export interface BfclOptions {
  /** At most this many tasks, spread evenly over the categories (default all). */
  limit?: number;
  concurrency?: number;
  dir?: string;
}

export interface BfclOutcome {
  id: string;
  category: string;
  passed: boolean;
  rejected: boolean;
  reason: string;
}

/** An even, deterministic spread of `limit` tasks: every category is represented. */
export function sampleEvenly<T>(items: readonly T[], limit: number): T[] {
  if (limit >= items.length) return [...items];
  const step = items.length / limit;
  return Array.from({ length: limit }, (_, i) => items[Math.floor(i * step)]!);
}

export function questionText(c: BfclCase): string {
  const turns = (Array.isArray(c.question) ? c.question.flat() : []) as {
    role?: string;
    content?: unknown;
  }[];
  const user = turns.filter((t) => t.role === 'user').map((t) => String(t.content ?? ''));
  return user.join('\n') || JSON.stringify(c.question);
}

export function expectedCalls(c: BfclCase): ExpectedCallSpec[] {
  return (c.groundTruth ?? []).flatMap((call) =>
    Object.entries(call).map(([name, args]) => ({ name, args })),
  );
}

/** Literal strings in a plan must not be read as `${ }` expressions. */
function escapeLiterals(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('${', '$${');
  if (Array.isArray(value)) return value.map(escapeLiterals);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, escapeLiterals(v)]));
  }
  return value;
}

/** The planner's reply for a task: its ground truth as a final plan, or an empty plan. */
export function replyPlan(c: BfclCase): Record<string, unknown> {
  const truth = groundTruthPlan(c);
  if (!truth) {
    return {
      version: 1,
      nodes: [],
      output: 'None of the available functions fits this request.',
      final: true,
    };
  }
  return {
    version: 1,
    nodes: truth.nodes.map((n) => ('args' in n ? { ...n, args: escapeLiterals(n.args) } : n)),
    final: true,
  };
}

/** Runs one task; `reply` (default: its ground truth) is what the planner answers. */
export async function runBfclCase(c: BfclCase, reply = replyPlan(c)): Promise<BfclOutcome> {
  const base = { id: c.id, category: c.category };
  const required = (tool: string): string[] => {
    const req = c.functions.find((f) => f.name === tool)?.parameters?.required;
    return Array.isArray(req) ? req.filter((r): r is string => typeof r === 'string') : [];
  };
  try {
    const replay = createReplayFetch({ cassette: buildCassette('openai', [{ plan: reply }]) });
    const model = createModel({
      provider: 'openai',
      model: 'gpt-4.1-mini',
      fetch: replay,
      env: {},
      maxRetries: 0,
    });
    const tools = bfclTools(c, (name) => ({ ok: true, tool: name }));
    const result = await runTask(questionText(c), {
      model,
      tools,
      mode: 'plan',
      maxRepairs: 0,
      maxReplans: 0,
    });
    if (result.status !== 'answered') {
      const error = result.error;
      const rejected = error?.code === 'plan_invalid';
      return { ...base, passed: false, rejected, reason: error ? error.message : result.status };
    }
    const calls = result.toolCalls.map((t) => ({ name: t.name, args: t.args }));
    const match = matchCalls(calls, expectedCalls(c), { exact: true, required });
    return { ...base, passed: match.ok, rejected: false, reason: match.problems.join('; ') };
  } catch (error) {
    return {
      ...base,
      passed: false,
      rejected: false,
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

export async function runBfcl(options: BfclOptions = {}): Promise<BfclSummary> {
  const t0 = performance.now();
  const corpus = loadBfclCorpus(...(options.dir ? [options.dir] : []));
  const cases = sampleEvenly(corpus, options.limit ?? corpus.length);
  const outcomes: BfclOutcome[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      outcomes[i] = await runBfclCase(cases[i]!);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 16, cases.length)) }, worker),
  );
  const byCategory: BfclSummary['byCategory'] = {};
  for (const o of outcomes) {
    const cat = byCategory[o.category] ?? { total: 0, passed: 0 };
    byCategory[o.category] = cat;
    cat.total++;
    if (o.passed) cat.passed++;
  }
  return {
    total: outcomes.length,
    passed: outcomes.filter((o) => o.passed).length,
    rejected: outcomes.filter((o) => o.rejected).map((o) => ({ id: o.id, reason: o.reason })),
    failures: outcomes
      .filter((o) => !o.passed && !o.rejected)
      .map((o) => ({ id: o.id, reason: o.reason })),
    byCategory,
    wallMs: performance.now() - t0,
  };
}
