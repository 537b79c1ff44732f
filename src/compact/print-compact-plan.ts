/**
 * The JSON plan to compact text: the inverse of parseCompactPlan, for few-shot examples
 * and token measurements. Every value is written in the shortest form that the parser
 * reads back to the identical JSON; when a bare expression would read differently (an
 * option word inside it, a newline, padding spaces), it falls back to `${ raw }` or to a
 * JSON string, so `parseCompactPlan(printCompactPlan(p))` deep-equals `p`.
 */
import {
  nodeKind,
  type PlanNode,
  type PlanT,
  type RetrySpecT,
  type SwitchCase,
} from '../plan/plan-schema.ts';
import { findMissingOperator, type ScanContext, scanExpression } from './scan-expression.ts';
import {
  ARG_CONTEXT,
  BARE_ID,
  BARE_NAME,
  type CompactKind,
  classifyStart,
  headContext,
  KIND_WORDS,
  LINE_CONTEXT,
  literalOf,
  WHEN_CONTEXT,
  wholeExpression,
} from './syntax.ts';

const INDENT = '  ';
const INLINE_WIDTH = 100;
const RESERVED_CALL_NAMES: ReadonlySet<string> = new Set([...KIND_WORDS, 'call']);

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
  const needsCall = t.args === undefined || RESERVED_CALL_NAMES.has(t.call);
  return (needsCall && t.call !== 'call' ? 'call ' : '') + formatTarget(t);
}

function formatRetry(r: RetrySpecT): string {
  const keys = Object.keys(r);
  if (keys.length === 1 && keys[0] === 'attempts' && Number.isFinite(r.attempts)) {
    return String(r.attempts);
  }
  return JSON.stringify(r);
}

type AnyNode = PlanNode & Record<string, unknown>;

/** The options in a fixed order (a call reads `retry 3 fallback ...`, a map `map xs as x ...`). */
function formatOptions(node: AnyNode, kind: CompactKind): string {
  const ctx = headContext(kind);
  const out: string[] = [];
  const expr = (word: string, key: string) => {
    if (node[key] !== undefined) out.push(`${word} ${formatValue(node[key], ctx, false)}`);
  };
  const num = (word: string, key: string) => {
    if (node[key] !== undefined) out.push(`${word} ${JSON.stringify(node[key])}`);
  };
  const common = () => {
    expr('if', 'if');
    if (node.after !== undefined) out.push(`after ${(node.after as string[]).join(', ')}`);
    num('timeout', 'timeout_ms');
    if (node.retry !== undefined) out.push(`retry ${formatRetry(node.retry as RetrySpecT)}`);
  };
  if (kind === 'call') common();
  switch (kind) {
    case 'call': {
      if (node.approval !== undefined)
        out.push(node.approval === true ? 'approval' : 'approval false');
      const fb = node.fallback as Array<Record<string, unknown>> | undefined;
      if (fb !== undefined) {
        const alts = fb.map((alt) =>
          'call' in alt
            ? formatStartCall(alt as { call: string; args?: Record<string, unknown> })
            : formatStartValue(alt.value, ctx),
        );
        out.push(`fallback ${alts.join(' | ')}`);
      }
      const comp = node.compensate as { call: string; args?: Record<string, unknown> } | undefined;
      if (comp !== undefined) out.push(`compensate ${formatTarget(comp)}`);
      break;
    }
    case 'map':
      if (node.as !== undefined) out.push(`as ${node.as}`);
      num('concurrency', 'concurrency');
      num('tolerate', 'tolerate');
      break;
    case 'race':
      if (node.pick !== undefined) out.push(String(node.pick));
      expr('score', 'score');
      break;
    case 'loop':
      num('max', 'max_iterations');
      expr('while', 'while');
      break;
    case 'paginate':
      expr('next', 'next');
      expr('items', 'items');
      num('max', 'max_pages');
      break;
    case 'fail':
      if (node.error !== undefined) {
        const e = String(node.error);
        out.push(`error ${BARE_ID.test(e) ? e : JSON.stringify(e)}`);
      }
      break;
    default:
      break;
  }
  if (kind !== 'call') common();
  if (node.description !== undefined) out.push(`desc ${JSON.stringify(node.description)}`);
  return out.map((o) => ` ${o}`).join('');
}

function formatBlock(nodes: PlanNode[], indent: string): string {
  const printed = nodes.map((n) => formatNode(n, indent + INDENT));
  const only = printed[0];
  if (printed.length === 1 && only !== undefined && !only.includes('\n')) {
    const one = only.trimStart();
    if (indent.length + one.length + 4 <= INLINE_WIDTH) return `{ ${one} }`;
  }
  return `{\n${printed.join('\n')}\n${indent}}`;
}

function formatSwitch(cases: SwitchCase[], indent: string): string {
  const inner = indent + INDENT;
  const lines = cases.map((c) =>
    c.when === undefined
      ? `${inner}else ${formatBlock(c.do, inner)}`
      : `${inner}when ${formatValue(c.when, WHEN_CONTEXT, false)} ${formatBlock(c.do, inner)}`,
  );
  return `{\n${lines.join('\n')}\n${indent}}`;
}

function formatNode(plain: PlanNode, indent: string): string {
  const node = plain as AnyNode;
  const kind = nodeKind(plain);
  const head = `${indent}${node.id} = `;
  switch (kind) {
    case 'call':
      return head + formatStartCall(node as never) + formatOptions(node, 'call');
    case 'value':
      return (
        head + formatStartValue(node.value, headContext('value')) + formatOptions(node, 'value')
      );
    case 'map':
      return `${head}map ${formatValue(node.map, headContext('map'), true)}${formatOptions(node, 'map')} ${formatBlock(node.do as PlanNode[], indent)}`;
    case 'race':
      return `${head}race${formatOptions(node, 'race')} ${formatBlock(node.race as PlanNode[], indent)}`;
    case 'switch':
      return `${head}switch${formatOptions(node, 'switch')} ${formatSwitch(node.switch as SwitchCase[], indent)}`;
    case 'loop':
      return `${head}loop${formatOptions(node, 'loop')} ${formatBlock(node.loop as PlanNode[], indent)}`;
    case 'paginate':
      return `${head}paginate ${formatTarget(node.paginate as never)}${formatOptions(node, 'paginate')}`;
    case 'try': {
      let text = `${head}try${formatOptions(node, 'try')} ${formatBlock(node.try as PlanNode[], indent)}`;
      if (node.catch !== undefined)
        text += ` catch ${formatBlock(node.catch as PlanNode[], indent)}`;
      if (node.finally !== undefined)
        text += ` finally ${formatBlock(node.finally as PlanNode[], indent)}`;
      return text;
    }
    case 'wait_ms':
      return `${head}wait ${JSON.stringify(node.wait_ms)}${formatOptions(node, 'wait')}`;
    case 'emit': {
      const topic = String(node.emit);
      const t =
        BARE_NAME.test(topic) && !headContext('emit').stops.has(topic)
          ? topic
          : JSON.stringify(topic);
      const data = 'data' in node ? ` ${formatValue(node.data, headContext('emit'), true)}` : '';
      return `${head}emit ${t}${data}${formatOptions(node, 'emit')}`;
    }
    case 'fail':
      return `${head}fail ${JSON.stringify(node.fail)}${formatOptions(node, 'fail')}`;
  }
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
