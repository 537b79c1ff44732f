import type { ModelResponse } from '../model/language-model.ts';
import { joinPrompt, repairPrompt } from './join.ts';
import { callModel } from './llm-call.ts';
import { LoopFailedError } from './loop-errors.ts';
import { malformedPlanCall, validateCandidate } from './plan-candidate.ts';
import { type PlanSession, planInput, remainingOutput } from './plan-session.ts';
import {
  followUp,
  type PlanCandidate,
  type PlanReply,
  planRequest,
  readJoinReply,
  readPlanReply,
  StreamedNodes,
} from './planner.ts';
import { PrefetchCache, prefetchable } from './prefetch.ts';
import { addUsage, applyOutcome, type NextStep } from './run-state.ts';

/** The planner's answers to a `plan`, `repair` or `join` step: the LLM-facing steps. */

type Purpose = 'plan' | 'repair' | 'join';

/** A first plan, or a repaired one: asks the planner and folds in what it wrote. */
export async function planStep(
  s: PlanSession,
  step: Extract<NextStep, { type: 'plan' | 'repair' }>,
): Promise<void> {
  if (step.type === 'repair' && s.reply) {
    s.messages.push(followUp(s.reply, repairPrompt(step.issues), true));
  }
  const { response, rawArgs } = await askForPlan(s, step.type);
  const reply = asPlanReply(readPlanReply(response, s.o.syntax), rawArgs);
  received(s, reply, step.type);
  s.state = applyOutcome(s.state, {
    kind: 'planned',
    source: step.type,
    candidate: reply.candidate,
    text: reply.text,
  });
}

/** Validates the candidate last received; an invalid plan's prefetched calls are dropped. */
export function validateStep(s: PlanSession, step: Extract<NextStep, { type: 'validate' }>): void {
  const { registry, deps, llm } = s.o;
  const result = validateCandidate(
    s.candidate ?? (step.candidate as PlanCandidate),
    registry,
    deps,
  );
  llm.emit({ type: 'plan.validated', at: llm.clock(), valid: result.valid, issues: result.issues });
  if (result.valid && result.plan) {
    s.state = applyOutcome(s.state, { kind: 'validated', valid: true, plan: result.plan });
    return;
  }
  // They were read-only: dropping them is safe.
  s.cache?.clear();
  const issues =
    result.issues.length > 0
      ? result.issues
      : [
          {
            path: '',
            code: 'invalid',
            message: 'the plan is not valid',
            severity: 'error' as const,
          },
        ];
  s.state = applyOutcome(s.state, { kind: 'validated', valid: false, issues });
}

/** Sends the last execution's result back to the planner, which answers or re-plans. */
export async function joinStep(s: PlanSession): Promise<void> {
  const { o, state } = s;
  const last = state.last;
  if (!s.reply || last?.kind !== 'executed')
    throw new LoopFailedError('internal', 'join without an executed plan');
  const prompt = joinPrompt({
    task: o.task,
    syntax: o.syntax,
    status: last.status,
    output: last.output,
    error: last.error,
    previous: state.previous,
    maxChars: o.resultChars,
  });
  s.messages.push(followUp(s.reply, prompt, false));
  const { response, rawArgs } = await askForPlan(s, 'join');
  const decision = readJoinReply(response, o.syntax, o.deps.looksLikeCompact);
  if (decision.kind === 'answer') {
    s.messages.push({ role: 'assistant', content: decision.answer });
    s.state = applyOutcome(s.state, { kind: 'joined', answer: decision.answer });
    return;
  }
  const reply = asPlanReply(decision.reply, rawArgs);
  received(s, reply, 'replan');
  s.state = applyOutcome(s.state, {
    kind: 'joined-plan',
    candidate: reply.candidate,
    text: reply.text,
  });
}

function received(s: PlanSession, reply: PlanReply, source: 'plan' | 'repair' | 'replan'): void {
  s.reply = reply;
  s.messages.push(reply.assistant);
  s.candidate = reply.candidate;
  s.o.llm.emit({ type: 'plan.received', at: s.o.llm.clock(), source, text: reply.text });
}

/** One planning round trip; nodes are prefetched while the plan streams in. */
async function askForPlan(
  s: PlanSession,
  purpose: Purpose,
): Promise<{ response: ModelResponse; rawArgs: string | undefined }> {
  const { llm, syntax } = s.o;
  s.cache?.clear();
  const cache = new PrefetchCache(s.o.registry, s.observer, llm.clock, s.runId);
  s.cache = cache;
  const streamed = new StreamedNodes(
    syntax,
    (node, index) => onStreamedNode(s, cache, node, index),
    s.o.deps.parseCompact,
  );
  const request = planRequest(
    s.messages,
    syntax,
    purpose === 'join' ? 'auto' : 'force',
    remainingOutput(s),
  );
  try {
    const call = s.state.usage.llmCalls + 1;
    const { response, usage } = await callModel(llm, purpose, call, request, streamed.onPart);
    s.state = addUsage(s.state, usage);
    return { response, rawArgs: undefined };
  } catch (error) {
    // Malformed plan JSON is the LLM's mistake like any invalid plan: repair it.
    const raw = malformedPlanCall(error);
    if (!raw) throw error;
    s.state = addUsage(s.state, { llmCalls: 1 });
    return { response: raw.response, rawArgs: raw.text };
  }
}

function onStreamedNode(s: PlanSession, cache: PrefetchCache, node: unknown, index: number): void {
  const { llm, registry } = s.o;
  const id = (node as { id: string }).id;
  llm.emit({ type: 'plan.node', at: llm.clock(), nodeId: id, index });
  if (!s.o.prefetch) return;
  // Early calls count against the tool-call budget like any other.
  const max = s.state.budgets.maxToolCalls;
  if (max !== undefined && s.state.toolCalls + cache.ids.size >= max) return;
  const decision = prefetchable(node, registry, cache.ids);
  if (!decision.ok) return;
  cache.start(id, decision, planInput(s), llm.signal, (r) =>
    llm.emit({ type: 'prefetch.started', at: r.start, nodeId: id, tool: r.name }),
  );
}

/** A plan reply, with the raw text of malformed submit_plan arguments when there were. */
function asPlanReply(reply: PlanReply, rawArgs: string | undefined): PlanReply {
  return rawArgs === undefined
    ? reply
    : { ...reply, candidate: { form: 'json-text', text: rawArgs }, text: rawArgs };
}
