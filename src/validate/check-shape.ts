// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { z } from 'zod';
import { RUNTIME_ERROR_NAMES } from '../errors/runtime-errors.ts';
import {
  CallSpec,
  ID_PATTERN,
  NODE_KIND_KEYS,
  NODE_KINDS,
  type NodeKind,
  Plan,
  PlanLimits,
  RetrySpec,
} from '../plan/plan-schema.ts';
import { pointerEscape } from '../schema/check-value.ts';
import { type IssueList, preview, type ResolvedOptions } from './issues.ts';
import { didYouMean } from './suggest.ts';
import { reportZodIssues, shapeKeys } from './zod-issues.ts';

/**
 * Shape checks, before anything looks at tools or expressions: the plan object, each node's
 * kind and fields (against the per-kind zod schemas, the source of truth), ids, bodies,
 * and the numeric limits. Walks without recursion so no input can overflow the stack.
 */

const PlanTop = Plan.extend({ nodes: z.unknown() });
const PLAN_FIELDS = shapeKeys(Plan);
const CALL_SPEC_FIELDS = shapeKeys(CallSpec);
/** A body stand-in that passes the first union member at once: bodies are walked by us. */
const STUB = Object.freeze({ id: 'stub', call: 'stub' });

/** CEL type names and namespaces: an identifier with one of these names is the type, not a node. */
export const CEL_TYPE_NAMES: ReadonlySet<string> = new Set([
  'bool',
  'bytes',
  'cel',
  'double',
  'google',
  'int',
  'list',
  'map',
  'null_type',
  'optional',
  'string',
  'type',
  'uint',
]);

/** Names an expression could never reach as a node id. */
const RESERVED_IDS = new Set([
  'input',
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
  '__proto__',
  'constructor',
  'prototype',
  ...CEL_TYPE_NAMES,
]);

/** Hints for nodes with no kind: keys LLMs use for tool calls in other formats. */
const CALL_LIKE = ['tool', 'function', 'name', 'tool_name', 'action', 'fn', 'method'];

export interface ShapeResult {
  nodeCount: number;
  maxDepth: number;
  /** Error names `fail` nodes raise, for the retry.on warning. */
  failNames: Set<string>;
}

interface Frame {
  raw: unknown;
  path: string;
  depth: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function kindsOf(node: Record<string, unknown>): NodeKind[] {
  return NODE_KIND_KEYS.filter((k) => Object.hasOwn(node, k));
}

/** Body lists of a node, by pointer suffix, for every kind key it has. */
export function bodiesOf(node: Record<string, unknown>): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  const add = (key: string) => {
    if (Object.hasOwn(node, key) && Array.isArray(node[key])) out.push([key, node[key]]);
  };
  for (const kind of kindsOf(node)) {
    if (kind === 'map') add('do');
    else if (kind === 'race') add('race');
    else if (kind === 'loop') add('loop');
    else if (kind === 'try') {
      add('try');
      add('catch');
      add('finally');
    } else if (kind === 'switch' && Array.isArray(node.switch)) {
      node.switch.forEach((c, i) => {
        if (isObject(c) && Object.hasOwn(c, 'do') && Array.isArray(c.do))
          out.push([`switch/${i}/do`, c.do]);
      });
    }
  }
  return out;
}

/** Counts nodes and depth cheaply (no checks), so a huge plan is refused fast. */
export function measurePlan(nodes: unknown, depthCap: number): { count: number; depth: number } {
  let count = 0;
  let depth = 0;
  const stack: Array<[unknown, number]> = [[nodes, 1]];
  while (stack.length) {
    const [list, d] = stack.pop()!;
    if (!Array.isArray(list)) continue;
    for (const raw of list) {
      count += 1;
      if (d > depth) depth = d;
      if (d > depthCap || !isObject(raw)) continue;
      for (const [, body] of bodiesOf(raw)) stack.push([body, d + 1]);
    }
  }
  return { count, depth };
}

/** Top-level fields: version, nodes, output, limits, final, goal. False when unusable. */
export function checkPlanShape(plan: unknown, issues: IssueList): plan is Record<string, unknown> {
  if (!isObject(plan)) {
    issues.error(
      '',
      'wrong_type',
      `a plan is a JSON object like {"version": 1, "nodes": [...]}, got ${Array.isArray(plan) ? 'an array (put the nodes in "nodes")' : preview(plan)}`,
    );
    return false;
  }
  const r = PlanTop.safeParse(plan);
  if (!r.success) {
    reportZodIssues(
      r.error.issues,
      {
        base: '',
        value: plan,
        label: 'the plan',
        allowed: (p) =>
          p === '' ? PLAN_FIELDS : p === '/limits' ? shapeKeys(PlanLimits) : undefined,
      },
      issues,
    );
  }
  if (!Object.hasOwn(plan, 'nodes')) {
    issues.error('/nodes', 'missing_field', 'the plan needs "nodes": a list of nodes');
    return false;
  }
  if (!Array.isArray(plan.nodes)) {
    issues.error(
      '/nodes',
      'wrong_type',
      `"nodes" must be a list of nodes, got ${preview(plan.nodes)}`,
    );
    return false;
  }
  return true;
}

/** Checks every node's shape, depth-first in document order. */
export function checkNodes(
  nodes: unknown[],
  options: ResolvedOptions,
  issues: IssueList,
): ShapeResult {
  const result: ShapeResult = { nodeCount: 0, maxDepth: 0, failNames: new Set() };
  const retryOn: Array<[string, string]> = [];
  const stack: Frame[] = [];
  const pushList = (list: unknown[], path: string, depth: number) => {
    for (let i = list.length - 1; i >= 0; i--)
      stack.push({ raw: list[i], path: `${path}/${i}`, depth });
  };
  pushList(nodes, '/nodes', 1);
  let deepReported = false;
  while (stack.length) {
    const { raw, path, depth } = stack.pop()!;
    result.nodeCount += 1;
    result.maxDepth = Math.max(result.maxDepth, depth);
    if (depth > options.maxDepth) {
      if (!deepReported) {
        issues.error(
          path,
          'too_deep',
          `bodies are nested ${depth} deep here; at most ${options.maxDepth} levels are allowed. Flatten the plan: move inner nodes out, or split it.`,
        );
        deepReported = true;
      }
      continue;
    }
    if (!isObject(raw)) {
      issues.error(
        path,
        'wrong_type',
        `each node is an object like {"id": "x", "call": "tool", "args": {}}, got ${preview(raw)}`,
      );
      continue;
    }
    checkNode(raw, path, options, issues, result, retryOn);
    const bodies = bodiesOf(raw);
    for (let b = bodies.length - 1; b >= 0; b--) {
      const [key, body] = bodies[b]!;
      pushList(body as unknown[], `${path}/${key}`, depth + 1);
    }
  }
  for (const [path, name] of retryOn) {
    if (!KNOWN_ERRORS.has(name) && !result.failNames.has(name)) {
      issues.warn(
        path,
        'unknown_error_name',
        `retry.on names "${name}", which no fail node raises and is not a standard error (${RUNTIME_ERROR_NAMES.join(', ')}); it only matches if a tool throws an error of that name.${didYouMean(name, KNOWN_ERRORS)}`,
      );
    }
  }
  return result;
}

const KNOWN_ERRORS = new Set<string>(RUNTIME_ERROR_NAMES);

function checkNode(
  node: Record<string, unknown>,
  path: string,
  options: ResolvedOptions,
  issues: IssueList,
  result: ShapeResult,
  retryOn: Array<[string, string]>,
): void {
  checkId(node, path, issues);
  const kinds = kindsOf(node);
  if (kinds.length === 0) {
    const keys = Object.keys(node);
    const callLike = keys.find((k) => CALL_LIKE.includes(k));
    const hint = callLike
      ? ` To call a tool write "call": "<tool name>" (not "${callLike}").`
      : didYouMean(keys.find((k) => k !== 'id') ?? '', NODE_KIND_KEYS);
    issues.error(
      path,
      'no_node_kind',
      `node ${preview(node.id)} has no kind: it needs exactly one of ${NODE_KIND_KEYS.join(', ')}.${hint}`,
    );
    return;
  }
  if (kinds.length > 1) {
    issues.error(
      `${path}/${kinds[1]}`,
      'multiple_node_kinds',
      `node ${preview(node.id)} has both "${kinds[0]}" and "${kinds[1]}"${kinds.length > 2 ? ` (and ${kinds.slice(2).join(', ')})` : ''}; a node has exactly one kind: split it into separate nodes`,
    );
    return;
  }
  const kind = kinds[0]!;
  if (kind === 'fail' && typeof node.error === 'string') result.failNames.add(node.error);
  const schema = NODE_KINDS[kind];
  const r = schema.safeParse(stubbed(node, kind, path, issues));
  if (!r.success) {
    const fields = shapeKeys(schema);
    reportZodIssues(
      r.error.issues,
      {
        base: path,
        value: node,
        label: `a ${kind} node`,
        allowed: (p) =>
          p === path
            ? fields
            : p.endsWith('/retry')
              ? shapeKeys(RetrySpec)
              : p.endsWith('/compensate') || p.endsWith('/paginate')
                ? CALL_SPEC_FIELDS
                : p.includes('/switch/')
                  ? ['when', 'do']
                  : undefined,
        skip: (suffix) => suffix === '/id',
      },
      issues,
    );
  }
  checkLimits(node, kind, path, options, issues);
  const retry = node.retry;
  if (isObject(retry) && Array.isArray(retry.on)) {
    retry.on.forEach((name, i) => {
      if (typeof name === 'string') retryOn.push([`${path}/retry/on/${i}`, name]);
    });
  }
}

function checkId(node: Record<string, unknown>, path: string, issues: IssueList): void {
  if (!Object.hasOwn(node, 'id')) {
    issues.error(
      `${path}/id`,
      'missing_field',
      'every node needs an "id": a unique name like "get_user_1" (letters, digits, _)',
    );
    return;
  }
  const id = node.id;
  if (typeof id !== 'string') {
    issues.error(`${path}/id`, 'wrong_type', `"id" must be a string, got ${preview(id)}`);
    return;
  }
  if (!ID_PATTERN.test(id)) {
    const fixed = id
      .replace(/[^A-Za-z0-9_]/g, '_')
      .replace(/^([0-9])/, '_$1')
      .slice(0, 64);
    issues.error(
      `${path}/id`,
      'invalid_id',
      `id ${preview(id)} must match ${ID_PATTERN} (letters, digits and _, not starting with a digit, at most 64 characters), e.g. "${fixed || 'step_1'}"`,
    );
    return;
  }
  if (RESERVED_IDS.has(id)) {
    issues.error(
      `${path}/id`,
      'reserved_id',
      `id "${id}" is reserved (${id === 'input' ? '`input` is the run input' : 'a CEL keyword, type name or JavaScript prototype name'}); expressions could not refer to this node: rename it, e.g. "${id}_1"`,
    );
  }
}

/** A copy with non-empty bodies replaced by a stub; fallbacks are checked here. */
function stubbed(
  node: Record<string, unknown>,
  kind: NodeKind,
  path: string,
  issues: IssueList,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...node };
  const stub = (key: string) => {
    const v = copy[key];
    if (Array.isArray(v) && v.length > 0) copy[key] = [STUB];
  };
  if (kind === 'map') stub('do');
  else if (kind === 'race') stub('race');
  else if (kind === 'loop') stub('loop');
  else if (kind === 'try') ['try', 'catch', 'finally'].forEach(stub);
  else if (kind === 'switch' && Array.isArray(copy.switch)) {
    copy.switch = copy.switch.map((c) =>
      isObject(c) && Array.isArray(c.do) && c.do.length > 0 ? { ...c, do: [STUB] } : c,
    );
  } else if (kind === 'call' && Array.isArray(copy.fallback)) {
    checkFallbacks(copy.fallback, `${path}/fallback`, issues);
    copy.fallback = [];
  }
  return copy;
}

function checkFallbacks(alts: unknown[], path: string, issues: IssueList): void {
  alts.forEach((alt, i) => {
    const p = `${path}/${i}`;
    if (!isObject(alt) || (!Object.hasOwn(alt, 'call') && !Object.hasOwn(alt, 'value'))) {
      issues.error(
        p,
        isObject(alt) ? 'missing_field' : 'wrong_type',
        `a fallback alternative is {"call": "tool", "args": {...}} or {"value": ...}, got ${preview(alt)}`,
      );
      return;
    }
    if (Object.hasOwn(alt, 'call')) {
      const r = CallSpec.safeParse(alt);
      if (!r.success)
        reportZodIssues(
          r.error.issues,
          {
            base: p,
            value: alt,
            label: 'a fallback call',
            allowed: () =>
              Object.hasOwn(alt, 'value') ? ['call', 'args (or value alone)'] : CALL_SPEC_FIELDS,
          },
          issues,
        );
      return;
    }
    for (const key of Object.keys(alt)) {
      if (key !== 'value')
        issues.error(
          `${p}/${pointerEscape(key)}`,
          'unknown_field',
          `a fallback {"value": ...} alternative has only "value"; "${key}" is not allowed`,
        );
    }
  });
}

function checkLimits(
  node: Record<string, unknown>,
  kind: NodeKind,
  path: string,
  options: ResolvedOptions,
  issues: IssueList,
): void {
  const over = (field: string, value: unknown, max: number, what: string) => {
    if (typeof value === 'number' && value > max)
      issues.error(
        `${path}/${field}`,
        'limit_exceeded',
        `${field.replace('/', '.')} is ${value}; at most ${max} ${what} are allowed`,
      );
  };
  const retry = node.retry;
  if (isObject(retry)) over('retry/attempts', retry.attempts, options.maxRetryAttempts, 'attempts');
  if (kind === 'loop')
    over('max_iterations', node.max_iterations, options.maxIterations, 'iterations');
  if (kind === 'paginate') over('max_pages', node.max_pages, options.maxPages, 'pages');
  if (kind === 'switch' && Array.isArray(node.switch)) {
    const cases = node.switch;
    cases.forEach((c, i) => {
      if (isObject(c) && !Object.hasOwn(c, 'when') && i < cases.length - 1)
        issues.error(
          `${path}/switch/${i}`,
          'default_case_not_last',
          `case ${i} has no "when", so it is the default and always matches: the ${cases.length - 1 - i} case(s) after it could never be chosen. Put the default case last.`,
        );
    });
  }
  if (kind === 'race') {
    if (node.pick === 'best' && !Object.hasOwn(node, 'score'))
      issues.error(
        `${path}/score`,
        'missing_field',
        'a race with "pick": "best" needs "score": a number expression with `result` (a branch output) in scope, e.g. "${result.confidence}"',
      );
    if (node.pick !== 'best' && Object.hasOwn(node, 'score'))
      issues.warn(
        `${path}/score`,
        'unused_field',
        '"score" is only used with "pick": "best"; with "first" the first success wins',
      );
  }
}
