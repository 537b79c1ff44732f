import type { ModelRequest, ModelResponse, ModelStreamPart } from '../model/language-model.ts';
import type { AssistantMessage, Message } from '../model/messages.ts';
import { planJsonSchema } from '../plan/plan-schema.ts';
import type { ToolRegistry } from '../tool/registry.ts';
import { PlanNodeScanner } from './node-scanner.ts';
import { extractJson, stripFence } from './plan-text.ts';
import type { ParseCompactFn } from './ports.ts';
import { hasPrompt, loadPrompt, renderPrompt } from './prompts.ts';

export type PlanSyntax = 'json' | 'compact';
export const SUBMIT_PLAN = 'submit_plan';

/** A plan the LLM wrote, before validation: an object, or text still to be parsed. */
export type PlanCandidate =
  | { form: 'object'; value: unknown }
  | { form: 'json-text'; text: string; truncated?: true }
  | { form: 'compact-text'; text: string; truncated?: true };

export interface PlanReply {
  candidate: PlanCandidate;
  /** What the LLM wrote, for events and traces. */
  text: string;
  assistant: AssistantMessage;
  /** The submit_plan call answered by the next repair or join message. */
  toolCallId?: string | undefined;
}

/** One line a tool: name, flags, description, and its schemas as compact JSON. */
export function renderToolList(registry: ToolRegistry): string {
  return registry
    .list()
    .map((r) => {
      const flags = [
        r.tool.mutating ? 'mutating' : '',
        r.tool.requires_approval ? 'requires_approval' : '',
      ].filter(Boolean);
      const head = `- ${r.name}${flags.length ? ` [${flags.join(', ')}]` : ''}: ${r.tool.description}`;
      const input = `  input: ${JSON.stringify(r.inputSchema)}`;
      const output = r.outputSchema ? `\n  output: ${JSON.stringify(r.outputSchema)}` : '';
      return `${head}\n${input}${output}`;
    })
    .join('\n');
}

export function planSystemPrompt(registry: ToolRegistry, syntax: PlanSyntax): string {
  const syntaxInstructions =
    syntax === 'json'
      ? loadPrompt('plan-syntax-json')
      : renderPrompt('plan-syntax-compact', {
          compact_syntax: hasPrompt('compact-syntax')
            ? loadPrompt('compact-syntax')
            : '(the compact syntax reference is missing from prompts/)',
        });
  return renderPrompt('plan-system', {
    syntax_instructions: syntaxInstructions,
    tools: renderToolList(registry),
    examples: loadPrompt('plan-examples'),
  });
}

export function taskMessage(task: string, input: unknown): string {
  if (input === undefined || input === null) return task;
  return `${task}\n\nThe run's input (\`input\` in expressions):\n${JSON.stringify(input)}`;
}

/** The request for a plan (first, repaired or re-planned): same shape every time. */
export function planRequest(
  messages: Message[],
  syntax: PlanSyntax,
  toolChoice: 'force' | 'auto',
  maxOutputTokens?: number,
): ModelRequest {
  const request: ModelRequest = { messages, temperature: 0 };
  if (maxOutputTokens !== undefined) request.maxOutputTokens = maxOutputTokens;
  if (syntax === 'json') {
    request.tools = [
      {
        name: SUBMIT_PLAN,
        description: 'Submit the plan (plan format version 1) for validation and execution.',
        inputSchema: planJsonSchema(),
      },
    ];
    request.toolChoice = toolChoice === 'force' ? { name: SUBMIT_PLAN } : 'auto';
  }
  return request;
}

/**
 * Watches a plan stream and reports each complete top-level node as it arrives: JSON from
 * submit_plan's argument deltas (or from text), compact syntax line by line.
 */
export class StreamedNodes {
  readonly #syntax: PlanSyntax;
  readonly #onNode: (node: unknown, index: number) => void;
  readonly #parseCompact: ParseCompactFn | undefined;
  readonly #toolScanners = new Map<number, PlanNodeScanner>();
  readonly #textScanner = new PlanNodeScanner();
  #text = '';
  #parsedUpTo = 0;
  readonly #seen = new Set<string>();
  #index = 0;

  constructor(
    syntax: PlanSyntax,
    onNode: (node: unknown, index: number) => void,
    parseCompact?: ParseCompactFn,
  ) {
    this.#syntax = syntax;
    this.#onNode = onNode;
    this.#parseCompact = parseCompact;
  }

  readonly onPart = (part: ModelStreamPart): void => {
    if (part.type === 'tool-call-delta') {
      let scanner = this.#toolScanners.get(part.index);
      if (!scanner) {
        scanner = new PlanNodeScanner();
        this.#toolScanners.set(part.index, scanner);
      }
      this.#report(scanner.push(part.argsTextDelta));
    } else if (part.type === 'text-delta') {
      if (this.#syntax === 'json') this.#report(this.#textScanner.push(part.text));
      else this.#compactText(part.text);
    }
  };

  #compactText(delta: string): void {
    this.#text += delta;
    const lastNewline = this.#text.lastIndexOf('\n');
    if (!this.#parseCompact || lastNewline < this.#parsedUpTo) return;
    this.#parsedUpTo = lastNewline + 1;
    const prefix = stripFence(this.#text.slice(0, lastNewline));
    let parsed: ReturnType<ParseCompactFn>;
    try {
      parsed = this.#parseCompact(prefix);
    } catch {
      return;
    }
    if (!parsed.ok) return;
    const nodes = (parsed.plan as { nodes?: unknown }).nodes;
    if (Array.isArray(nodes)) this.#report(nodes);
  }

  #report(nodes: unknown[]): void {
    for (const node of nodes) {
      const id = (node as { id?: unknown })?.id;
      if (typeof id !== 'string' || this.#seen.has(id)) continue;
      this.#seen.add(id);
      this.#onNode(node, this.#index++);
    }
  }
}

/** Reads a plan reply: a submit_plan call, JSON in text, or compact syntax text. */
export function readPlanReply(response: ModelResponse, syntax: PlanSyntax): PlanReply {
  const assistant: AssistantMessage = { role: 'assistant', content: response.text };
  if (response.toolCalls.length > 0) assistant.toolCalls = response.toolCalls;
  const call = response.toolCalls.find((c) => c.name === SUBMIT_PLAN);
  if (call) {
    return {
      candidate: { form: 'object', value: call.args },
      text: JSON.stringify(call.args),
      assistant,
      toolCallId: call.id,
    };
  }
  const text = response.text;
  // Cut by the output limit at a line boundary, a text plan still parses: as a shorter plan.
  const cut = response.finishReason === 'length' ? { truncated: true as const } : {};
  if (syntax === 'compact' && !/^\s*(```(json)?\s*)?\{/.test(text)) {
    return { candidate: { form: 'compact-text', text: stripFence(text), ...cut }, text, assistant };
  }
  return { candidate: { form: 'json-text', text, ...cut }, text, assistant };
}

/** The message that answers a plan reply (repair or join), in the form the reply needs. */
export function followUp(reply: PlanReply, content: string, isError: boolean): Message {
  if (reply.toolCallId !== undefined) {
    return {
      role: 'tool',
      results: [{ toolCallId: reply.toolCallId, name: SUBMIT_PLAN, content, isError }],
    };
  }
  return { role: 'user', content };
}

export type JoinDecision = { kind: 'answer'; answer: string } | { kind: 'plan'; reply: PlanReply };

/** After a join: a submit_plan call or a plan in text means re-plan; anything else answers. */
export function readJoinReply(
  response: ModelResponse,
  syntax: PlanSyntax,
  looksLikeCompact?: (text: string) => boolean,
): JoinDecision {
  if (response.toolCalls.some((c) => c.name === SUBMIT_PLAN)) {
    return { kind: 'plan', reply: readPlanReply(response, syntax) };
  }
  const text = response.text.trim();
  if (syntax === 'compact' && looksLikeCompact?.(stripFence(text))) {
    return { kind: 'plan', reply: readPlanReply(response, syntax) };
  }
  if (/^(```(json)?\s*)?\{/.test(text)) {
    const parsed = extractJson(text);
    if (parsed.ok && parsed.value && typeof parsed.value === 'object' && 'nodes' in parsed.value) {
      return { kind: 'plan', reply: readPlanReply(response, 'json') };
    }
  }
  return { kind: 'answer', answer: text };
}
