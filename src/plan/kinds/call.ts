import { z } from 'zod';
import {
  Args,
  CALL_SPEC_FIELDS,
  CallSpec,
  type CallSpecT,
  type Common,
  common,
  isObject,
  Json,
  noLint,
} from './common.ts';
import type { CAlt, CallCompiled, Compiled } from './kind.ts';
import { defineKind, type KindIssue, type KindPart, type Preview } from './kind.ts';

export const FallbackAlt = z.union([CallSpec, z.object({ value: Json }).strict()]);

export const CallNode = z
  .object({
    ...common,
    call: z.string().min(1).describe('A registered tool name.'),
    args: Args.optional(),
    fallback: z.array(FallbackAlt).describe('Tried in order after retries are spent.').optional(),
    compensate: CallSpec.describe('Undoes this call if the run fails later (saga).').optional(),
    approval: z.boolean().describe('Wait for a person to approve before calling.').optional(),
  })
  .strict();
export type CallNodeT = z.infer<typeof CallNode>;
type CallNodeSpec = Common & CallNodeT;

/**
 * The arguments of every call that has none or `{}`: one shared value rather than one per
 * node (the executor copies const arguments per call, so sharing is safe), which also lets
 * the executor check them against a tool's schema once per tool, not once per node.
 */
export const EMPTY_ARGS: Compiled = Object.freeze({ kind: 'const', value: Object.freeze({}) });

function isEmptyObject(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  for (const k in v) if (Object.hasOwn(v, k)) return false;
  return true;
}

function parts(n: Readonly<Record<string, unknown>>): KindPart[] {
  const out: KindPart[] = [
    { part: 'site', key: 'args', role: 'args', value: n.args, expects: { args: n.call } },
  ];
  if (Array.isArray(n.fallback)) {
    n.fallback.forEach((alt, i) => {
      if (!isObject(alt)) return;
      if ('value' in alt)
        out.push({
          part: 'site',
          key: `fallback/${i}/value`,
          role: 'fallback_value',
          value: alt.value,
        });
      else
        out.push({
          part: 'site',
          key: `fallback/${i}/args`,
          role: 'fallback_args',
          value: alt.args,
          expects: { args: alt.call },
        });
    });
  }
  if (isObject(n.compensate)) {
    out.push({
      part: 'site',
      key: 'compensate/args',
      role: 'compensate_args',
      value: n.compensate.args,
      bindsSelf: true,
      expects: { args: n.compensate.call },
    });
  }
  return out;
}

/** Fallback alternatives get messages of their own: a union's issues say little. */
function checkFallbacks(alts: unknown[], preview: Preview): KindIssue[] {
  const issues: KindIssue[] = [];
  alts.forEach((alt, i) => {
    const key = `fallback/${i}`;
    if (!isObject(alt) || (!Object.hasOwn(alt, 'call') && !Object.hasOwn(alt, 'value'))) {
      issues.push({
        key,
        severity: 'error',
        code: isObject(alt) ? 'missing_field' : 'wrong_type',
        message: `a fallback alternative is {"call": "tool", "args": {...}} or {"value": ...}, got ${preview(alt)}`,
      });
      return;
    }
    if (Object.hasOwn(alt, 'call')) {
      const r = CallSpec.safeParse(alt);
      if (!r.success)
        issues.push({
          zod: r.error.issues,
          key,
          value: alt,
          label: 'a fallback call',
          fields: Object.hasOwn(alt, 'value')
            ? ['call', 'args (or value alone)']
            : CALL_SPEC_FIELDS,
        });
      return;
    }
    for (const field of Object.keys(alt)) {
      if (field !== 'value')
        issues.push({
          key: `${key}/${field.replace(/~/g, '~0').replace(/\//g, '~1')}`,
          severity: 'error',
          code: 'unknown_field',
          message: `a fallback {"value": ...} alternative has only "value"; "${field}" is not allowed`,
        });
    }
  });
  return issues;
}

/** `call`: one tool call, with approval, retries, a fallback chain and a compensation. */
export const callKind = defineKind<CallNodeSpec, CallCompiled>({
  key: 'call',
  summary: 'Calls a registered tool with `args`; `fallback`, `compensate`, `approval`.',
  schema: CallNode,
  parts,
  shape: {
    fieldsAt: (suffix) => (suffix.endsWith('/compensate') ? CALL_SPEC_FIELDS : undefined),
    detach(node, preview) {
      if (!Array.isArray(node.fallback)) return { replace: {}, issues: [] };
      return { replace: { fallback: [] }, issues: checkFallbacks(node.fallback, preview) };
    },
    lint: noLint,
  },
  types: {
    local: (name, role, t) =>
      role === 'compensate_args' && name === t.node.id ? t.tool() : undefined,
    // A fallback may produce something else than the tool's output.
    output: (t) => (t.node.fallback !== undefined ? 'dyn' : t.tool()),
  },
  compact: {
    word: '',
    block: false,
    options: [
      { word: 'approval', field: 'approval', form: 'flag' },
      { word: 'fallback', field: 'fallback', form: 'fallbacks' },
      { word: 'compensate', field: 'compensate', form: 'call' },
    ],
    commonFirst: true,
    head(r, node) {
      Object.assign(node, r.callTarget());
    },
    tail() {},
    print: (w, node) => ({ head: w.startCall(node as CallSpecT), tail: '' }),
  },
  compile(node, cx) {
    const args =
      node.args === undefined || isEmptyObject(node.args) ? EMPTY_ARGS : cx.value(node.args);
    const fallback = node.fallback?.map(
      (alt): CAlt =>
        'value' in alt
          ? { kind: 'value', value: cx.value(alt.value) }
          : { kind: 'call', call: alt.call, args: cx.value(alt.args ?? {}) },
    );
    const comp = node.compensate;
    if (comp) cx.compensate({ call: comp.call, args: cx.value(comp.args ?? {}) });
    return { args, fallback, prep: undefined };
  },
  exec: { leaf: true, toolCall: true },
  run: (rt, node, frame, key) => rt.runCall(node, frame, key),
});
