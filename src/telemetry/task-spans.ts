import {
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { RunEvent } from '../exec/events.ts';
import type { LoopEvent } from '../loop/events.ts';
import { RunSpans, type SpanOptions } from './run-spans.ts';

/**
 * A task's spans per the GenAI semantic conventions: `invoke_agent toolplan` for the task;
 * under it a `plan` span for each planning step (its LLM calls, repairs included, are `chat`
 * children) and the executor's spans; join and react LLM calls are `chat` spans of the task.
 * Fed the loop's events as they happen.
 */
export interface TaskSpanOptions extends SpanOptions {
  provider?: string;
  model?: string;
  conversationId?: string;
}

export class TaskSpans {
  readonly #tracer: Tracer;
  readonly #o: TaskSpanOptions;
  #agent: Span | undefined;
  #agentCtx: Context = context.active();
  #plan: Span | undefined;
  #chat: Span | undefined;
  #run: RunSpans | undefined;

  constructor(tracer: Tracer, options: TaskSpanOptions = {}) {
    this.#tracer = tracer;
    this.#o = options;
  }

  onEvent(e: LoopEvent): void {
    switch (e.type) {
      case 'task.started':
      case 'task.resumed':
        this.#openAgent(e.type === 'task.started' ? e.mode : 'resumed');
        break;
      case 'llm.started': {
        this.#openAgent('plan');
        const planning = e.purpose === 'plan' || e.purpose === 'repair';
        if (planning && !this.#plan)
          this.#plan = this.#tracer.startSpan(
            'plan',
            { attributes: { 'gen_ai.operation.name': 'plan' } },
            this.#agentCtx,
          );
        const parent =
          planning && this.#plan ? trace.setSpan(this.#agentCtx, this.#plan) : this.#agentCtx;
        this.#chat = this.#tracer.startSpan(
          `chat${this.#o.model ? ` ${this.#o.model}` : ''}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'toolplan.llm.purpose': e.purpose,
              ...(this.#o.provider ? { 'gen_ai.provider.name': this.#o.provider } : {}),
              ...(this.#o.model ? { 'gen_ai.request.model': this.#o.model } : {}),
            },
          },
          parent,
        );
        break;
      }
      case 'llm.finished':
        this.#chat?.setAttributes({
          'gen_ai.usage.input_tokens': e.inputTokens,
          'gen_ai.usage.output_tokens': e.outputTokens,
        });
        this.#chat?.end();
        this.#chat = undefined;
        break;
      case 'plan.validated':
        if (e.valid) this.#endPlan();
        break;
      case 'plan.executing':
        this.#endPlan();
        break;
      case 'exec': {
        const event = e.event as RunEvent;
        if (event.type === 'run.started' || event.type === 'run.resumed' || !this.#run)
          this.#run = new RunSpans(this.#tracer, this.#agentCtx, this.#o);
        this.#run.onEvent(event);
        break;
      }
      case 'task.answered':
      case 'task.failed':
      case 'task.suspended':
        this.#closeAgent(
          e.type.slice('task.'.length),
          e.usage,
          e.type === 'task.failed' ? e.error.message : undefined,
        );
        break;
      default:
        break;
    }
  }

  #openAgent(how: string): void {
    if (this.#agent) return;
    this.#agent = this.#tracer.startSpan('invoke_agent toolplan', {
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'toolplan',
        'toolplan.task.start': how,
        ...(this.#o.provider ? { 'gen_ai.provider.name': this.#o.provider } : {}),
        ...(this.#o.model ? { 'gen_ai.request.model': this.#o.model } : {}),
        ...(this.#o.conversationId ? { 'gen_ai.conversation.id': this.#o.conversationId } : {}),
      },
    });
    this.#agentCtx = trace.setSpan(context.active(), this.#agent);
  }

  #endPlan(): void {
    this.#plan?.end();
    this.#plan = undefined;
  }

  #closeAgent(
    status: string,
    usage: { inputTokens: number; outputTokens: number },
    error?: string,
  ): void {
    this.#chat?.end();
    this.#chat = undefined;
    this.#endPlan();
    this.#run?.end();
    if (!this.#agent) return;
    this.#agent.setAttributes({
      'toolplan.task.status': status,
      'gen_ai.usage.input_tokens': usage.inputTokens,
      'gen_ai.usage.output_tokens': usage.outputTokens,
    });
    if (error) this.#agent.setStatus({ code: SpanStatusCode.ERROR, message: error });
    this.#agent.end();
    this.#agent = undefined;
  }
}
