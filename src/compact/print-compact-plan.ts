/**
 * The JSON plan to compact text: the inverse of parseCompactPlan, for few-shot examples
 * and token measurements. Every value is written in the shortest form that the parser
 * reads back to the identical JSON; when a bare expression would read differently (an
 * option word inside it, a newline, padding spaces), it falls back to `${ raw }` or to a
 * JSON string, so `parseCompactPlan(printCompactPlan(p))` deep-equals `p`.
 */
import type { CallTargetT, CompactContext, CompactWriter } from '../plan/kinds/compact-port.ts';
import type { AnyKindDef, CompactOption } from '../plan/kinds/kind.ts';
import { kindOfNode } from '../plan/kinds/registry.ts';
import type { PlanT, RetrySpecT } from '../plan/plan-schema.ts';
import { findMissingOperator, type ScanContext, scanExpression } from './scan-expression.ts';
import {
  ARG_CONTEXT,
  BARE_ID,
  BARE_NAME,
  classifyStart,
  headContext,
  kindWords,
  LINE_CONTEXT,
  literalOf,
  WHEN_CONTEXT,
  wholeExpression,
} from './syntax.ts';

const INDENT = '  ';
const INLINE_WIDTH = 100;

/** Whether `src` written bare reads back as exactly the expression `src` in `ctx`. */
function bareReadsBack(src: string, ctx: ScanContext, jsonField: boolean): boolean {
  if (src === '' || src !== src.trim() || /[\n\r]/.test(src) || src.startsWith('${')) return false;
  for (const follower of ctx.block ? ['\n', ' {'] : ['\n']) {
    const scan = scanExpression(src + follower, 0, ctx);
    if (!scan.ok || scan.end !== src.length) return false;
  }
  return literalOf(src, jsonField) === undefined && findMissingOperator(src) === undefined;
}

/** A value of a JSON field (args, value, map, data, output) or an expression field. */
function formatValue(v: unknown, ctx: ScanContext, jsonField: boolean): string {
  if (typeof v === 'string') {
    const inner = wholeExpression(v);
    if (inner === undefined) return JSON.stringify(v);
    return bareReadsBack(inner, ctx, jsonField) ? inner : v;
  }
  if (!jsonField)
    throw new TypeError(`cannot print ${JSON.stringify(v)}: expected an expression string`);
  if (v === undefined) throw new TypeError('cannot print undefined as a value');
  return JSON.stringify(v);
}

/** A value where a tool call could also start: `value` disambiguates when needed. */
function formatStartValue(v: unknown, ctx: ScanContext): string {
  const text = formatValue(v, ctx, true);
  return classifyStart(`${text} `, 0) === 'expr' ? text : `value ${text}`;
}

function formatName(name: string): string {
  return BARE_NAME.test(name) ? name : JSON.stringify(name);
}

function formatArgs(args: Record<string, unknown>): string {
  const parts = Object.entries(args).map(([k, v]) => {
    const key = BARE_ID.test(k) ? k : JSON.stringify(k);
    return `${key}: ${formatValue(v, ARG_CONTEXT, true)}`;
  });
  return `(${parts.join(', ')})`;
}

/** A call target after `compensate`/`paginate`, where a call is the only thing allowed. */
function formatTarget(t: { call: string; args?: Record<string, unknown> }): string {
  const prefix = t.call === 'call' ? 'call ' : '';
  return prefix + formatName(t.call) + (t.args === undefined ? '' : formatArgs(t.args));
}

/** A call where a value could also stand: without parens or with a keyword name, `call`. */
function formatStartCall(t: { call: string; args?: Record<string, unknown> }): string {
  const needsCall = t.args === undefined || t.call === 'call' || kindWords().includes(t.call);
  return (needsCall && t.call !== 'call' ? 'call ' : '') + formatTarget(t);
}

function formatRetry(r: RetrySpecT): string {
  const keys = Object.keys(r);
  if (keys.length === 1 && keys[0] === 'attempts' && Number.isFinite(r.attempts)) {
    return String(r.attempts);
  }
  return JSON.stringify(r);
}

type AnyNode = Record<string, unknown>;

function formatKindOption(w: CompactWriter, node: AnyNode, o: CompactOption): string | undefined {
  const v = node[o.field];
  if (v === undefined) return undefined;
  switch (o.form) {
    case 'expr':
      return `${o.word} ${w.value(v, 'head', false)}`;
    case 'number':
      return `${o.word} ${JSON.stringify(v)}`;
    case 'flag':
      return v === true ? o.word : `${o.word} false`;
    case 'name':
      return `${o.word} ${String(v)}`;
    case 'word':
      return `${o.word} ${w.word(String(v))}`;
    case 'call':
      return `${o.word} ${w.target(v as CallTargetT)}`;
    case 'fallbacks': {
      const alts = (v as AnyNode[]).map((alt) =>
        'call' in alt ? w.startCall(alt as CallTargetT) : w.startValue(alt.value),
      );
      return `${o.word} ${alts.join(' | ')}`;
    }
    case 'pick':
      return v === o.word ? o.word : undefined;
  }
}

/** The options in a fixed order (a call reads `retry 3 fallback ...`, a map `map xs as x ...`). */
function formatOptions(w: CompactWriter, node: AnyNode, kind: AnyKindDef): string {
  const out: string[] = [];
  const common = () => {
    if (node.if !== undefined) out.push(`if ${w.value(node.if, 'head', false)}`);
    if (node.after !== undefined) out.push(`after ${(node.after as string[]).join(', ')}`);
    if (node.timeout_ms !== undefined) out.push(`timeout ${JSON.stringify(node.timeout_ms)}`);
    if (node.retry !== undefined) out.push(`retry ${formatRetry(node.retry as RetrySpecT)}`);
  };
  if (kind.compact.commonFirst) common();
  for (const o of kind.compact.options) {
    const text = formatKindOption(w, node, o);
    if (text !== undefined) out.push(text);
  }
  if (!kind.compact.commonFirst) common();
  if (node.description !== undefined) out.push(`desc ${JSON.stringify(node.description)}`);
  return out.map((o) => ` ${o}`).join('');
}

function formatBlock(nodes: unknown[], indent: string): string {
  const printed = nodes.map((n) => formatNode(n as AnyNode, indent + INDENT));
  const only = printed[0];
  if (printed.length === 1 && only !== undefined && !only.includes('\n')) {
    const one = only.trimStart();
    if (indent.length + one.length + 4 <= INLINE_WIDTH) return `{ ${one} }`;
  }
  return `{\n${printed.join('\n')}\n${indent}}`;
}

/** The printer as one kind's compact facet writes with it, at one indent. */
class KindWriter implements CompactWriter {
  readonly #kind: AnyKindDef;
  readonly #ctx: ScanContext;
  readonly #indent: string;

  constructor(kind: AnyKindDef, indent: string) {
    this.#kind = kind;
    this.#ctx = headContext(kind);
    this.#indent = indent;
  }

  #scan(ctx: CompactContext): ScanContext {
    if (ctx === 'head') return this.#ctx;
    return ctx === 'when' ? WHEN_CONTEXT : LINE_CONTEXT;
  }

  value(v: unknown, ctx: CompactContext, jsonField: boolean): string {
    return formatValue(v, this.#scan(ctx), jsonField);
  }

  startValue(v: unknown): string {
    return formatStartValue(v, this.#ctx);
  }

  target(t: CallTargetT): string {
    return formatTarget(t);
  }

  startCall(t: CallTargetT): string {
    return formatStartCall(t);
  }

  block(nodes: unknown[]): string {
    return formatBlock(nodes, this.#indent);
  }

  clauses(write: (inner: CompactWriter) => string[]): string {
    const indent = this.#indent + INDENT;
    // Clauses sit one level in, and so do their bodies' closing braces.
    const inner = new KindWriter(this.#kind, indent);
    return `{\n${write(inner)
      .map((l) => indent + l)
      .join('\n')}\n${this.#indent}}`;
  }

  name(n: string): string {
    return BARE_NAME.test(n) && !this.#ctx.stops.has(n) ? n : JSON.stringify(n);
  }

  word(s: string): string {
    return BARE_ID.test(s) ? s : JSON.stringify(s);
  }
}

function formatNode(node: AnyNode, indent: string): string {
  const kind = kindOfNode(node);
  if (!kind) throw new TypeError(`cannot print ${JSON.stringify(node.id)}: the node has no kind`);
  const w = new KindWriter(kind, indent);
  const { head, tail } = kind.compact.print(w, node);
  return `${indent}${node.id} = ${head}${formatOptions(w, node, kind)}${tail}`;
}

/** Prints a plan (version 1) in the compact syntax. Throws TypeError on a non-plan. */
export function printCompactPlan(plan: PlanT): string {
  const lines: string[] = [];
  if (plan.goal !== undefined) lines.push(`goal ${JSON.stringify(plan.goal)}`);
  if (plan.limits !== undefined) lines.push(`limits ${JSON.stringify(plan.limits)}`);
  for (const node of plan.nodes) lines.push(formatNode(node, ''));
  if (plan.output !== undefined)
    lines.push(`output ${formatValue(plan.output, LINE_CONTEXT, true)}`);
  if (plan.final !== undefined) lines.push(plan.final ? 'final' : 'final false');
  return lines.join('\n') + '\n';
}
