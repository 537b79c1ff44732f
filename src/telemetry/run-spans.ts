import {
  type Context,
  context,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { RunEvent } from '../exec/events.ts';
import { buildPlanGraph } from '../plan/plan-graph.ts';

/**
 * OpenTelemetry spans of one executor run, per the GenAI semantic conventions: an
 * `execute_tool {gen_ai.tool.name}` span per call attempt (fallback alternatives included),
 * under a span for the run. Fed the run's events as they happen; span times are the events'
 * own clock. Arguments and results are attributes only when `captureContent` is set.
 */
export interface SpanOptions {
  /** Put tool arguments and results on spans (off by default: they may hold personal data). */
  captureContent?: boolean;
}

export class RunSpans {
  readonly #tracer: Tracer;
  readonly #parent: Context;
  readonly #o: SpanOptions;
  #run: Span | undefined;
  #runId = '';
  readonly #attempts = new Map<string, { span: Span; attempt: number }>();
  readonly #calls = new Map<string, { call?: string; fallback: string[] }>();
  readonly #args = new Map<string, unknown>();

  constructor(tracer: Tracer, parent: Context = context.active(), options: SpanOptions = {}) {
    this.#tracer = tracer;
    this.#parent = parent;
    this.#o = options;
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'run.started':
        this.#runId = e.runId;
        this.#indexPlan(e.plan);
        this.#openRun(e.at, 'started');
        break;
      case 'run.resumed':
        this.#openRun(e.at, 'resumed');
        break;
      case 'node.started':
        if (e.attempt !== undefined && e.tool) this.#startAttempt(e.key, e.attempt, e.tool, e.at);
        break;
      case 'node.attempt':
        this.#startAttempt(e.key, e.attempt, e.tool, e.at);
        break;
      case 'node.waiting':
        this.#args.set(e.key, e.args);
        break;
      case 'node.attempt_failed':
        this.#endAttempt(
          e.key,
          e.at,
          e.retry_in_ms !== undefined ? 'retrying' : 'failed',
          `${e.error.name}: ${e.error.message}`,
        );
        break;
      case 'node.succeeded':
        this.#endAttempt(e.key, e.at, 'succeeded', undefined, e.output);
        break;
      case 'node.failed':
        this.#endAttempt(e.key, e.at, 'failed', `${e.error.name}: ${e.error.message}`);
        break;
      case 'node.cancelled':
        this.#endAttempt(e.key, e.at, 'cancelled', e.reason);
        break;
      case 'run.suspended':
        this.#closeRun(e.at, 'suspended');
        break;
      case 'run.finished':
        this.#closeRun(e.at, e.status, e.error ? `${e.error.name}: ${e.error.message}` : undefined);
        break;
      default:
        break;
    }
  }

  /** Ends whatever is still open (the process is stopping). */
  end(at = Date.now()): void {
    this.#closeRun(at, 'interrupted');
  }

  #indexPlan(plan: unknown): void {
    try {
      for (const n of buildPlanGraph(plan as { nodes?: unknown }).all) {
        const raw = n.node as { call?: unknown; fallback?: unknown };
        const fallback = Array.isArray(raw.fallback)
          ? raw.fallback.map((f) => String((f as { call?: unknown })?.call ?? ''))
          : [];
        this.#calls.set(n.id, {
          ...(typeof raw.call === 'string' ? { call: raw.call } : {}),
          fallback,
        });
      }
    } catch {
      // A plan the executor refused has no calls to name.
    }
  }

  #openRun(at: number, how: string): void {
    if (this.#run) return;
    this.#run = this.#tracer.startSpan(
      'execute_plan',
      { startTime: at, attributes: { 'toolplan.run.id': this.#runId, 'toolplan.run.start': how } },
      this.#parent,
    );
  }

  #closeRun(at: number, status: string, error?: string): void {
    for (const key of [...this.#attempts.keys()])
      this.#endAttempt(key, at, status === 'suspended' ? 'suspended' : 'cancelled');
    if (!this.#run) return;
    this.#run.setAttribute('toolplan.run.status', status);
    if (error) this.#run.setStatus({ code: SpanStatusCode.ERROR, message: error });
    this.#run.end(at);
    this.#run = undefined;
  }

  #startAttempt(key: string, attempt: number, tool: string, at: number): void {
    // A new try (or the next fallback alternative) ends the previous one if nothing did.
    if (this.#attempts.has(key)) this.#endAttempt(key, at, 'failed');
    this.#openRun(at, 'started');
    const node = key.split('/')[0] ?? key;
    const info = this.#calls.get(node);
    const fallbackIndex = info && info.call !== tool ? info.fallback.indexOf(tool) : -1;
    const idem = `${this.#runId}/${key}${fallbackIndex >= 0 ? `/fallback/${fallbackIndex}` : ''}`;
    const parent = this.#run ? trace.setSpan(this.#parent, this.#run) : this.#parent;
    const span = this.#tracer.startSpan(
      `execute_tool ${tool}`,
      {
        startTime: at,
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': tool,
          'gen_ai.tool.type': 'function',
          'gen_ai.tool.call.id': key,
          'toolplan.run.id': this.#runId,
          'toolplan.node.id': node,
          'toolplan.attempt': attempt,
          'toolplan.idempotency_key': idem,
          ...(fallbackIndex >= 0 ? { 'toolplan.fallback.index': fallbackIndex } : {}),
          ...(this.#o.captureContent && this.#args.has(key)
            ? { 'gen_ai.tool.call.arguments': JSON.stringify(this.#args.get(key)) }
            : {}),
        },
      },
      parent,
    );
    this.#attempts.set(key, { span, attempt });
  }

  #endAttempt(key: string, at: number, outcome: string, error?: string, output?: unknown): void {
    const open = this.#attempts.get(key);
    if (!open) return;
    this.#attempts.delete(key);
    open.span.setAttribute('toolplan.outcome', outcome);
    if (this.#o.captureContent && output !== undefined)
      open.span.setAttribute('gen_ai.tool.call.result', JSON.stringify(output).slice(0, 10_000));
    if (error) {
      open.span.setAttribute('error.type', error.split(':')[0] ?? 'error');
      open.span.setStatus({ code: SpanStatusCode.ERROR, message: error });
    }
    open.span.end(at);
  }
}
