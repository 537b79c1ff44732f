// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { z } from 'zod';
import { RUNTIME_ERROR_NAMES } from '../errors/runtime-errors.ts';
import type { AnyKindDef, KindIssue } from '../plan/kinds/kind.ts';
import { kindKeys, kindsOfNode } from '../plan/kinds/registry.ts';
import { ID_PATTERN, Plan, PlanLimits, RetrySpec } from '../plan/plan-schema.ts';
import { type IssueCode, type IssueList, preview, type ResolvedOptions } from './issues.ts';
import { didYouMean } from './suggest.ts';
import { reportZodIssues, shapeKeys } from './zod-issues.ts';

/**
 * Shape checks, before anything looks at tools or expressions: the plan object, each node's
 * kind and fields (against the per-kind zod schemas, the source of truth), ids, bodies,
 * and the numeric limits. Walks without recursion so no input can overflow the stack.
 */

const PlanTop = Plan.extend({ nodes: z.unknown() });
const PLAN_FIELDS = shapeKeys(Plan);
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

interface WalkItem {
  raw: unknown;
  path: string;
  depth: number;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function kindsOf(node: Record<string, unknown>): AnyKindDef[] {
  return kindsOfNode(node);
}

/** Body lists of a node, by pointer suffix, for every kind key it has. */
export function bodiesOf(node: Record<string, unknown>): Array<[string, unknown]> {
  const out: Array<[string, unknown]> = [];
  for (const kind of kindsOfNode(node))
    for (const part of kind.parts(node))
      if (part.part === 'body' && Array.isArray(part.value)) out.push([part.key, part.value]);
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
  const stack: WalkItem[] = [];
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
      : didYouMean(keys.find((k) => k !== 'id') ?? '', kindKeys());
    issues.error(
      path,
      'no_node_kind',
      `node ${preview(node.id)} has no kind: it needs exactly one of ${kindKeys().join(', ')}.${hint}`,
    );
    return;
  }
  if (kinds.length > 1) {
    const [a, b] = kinds.map((k) => k.key);
    issues.error(
      `${path}/${b}`,
      'multiple_node_kinds',
      `node ${preview(node.id)} has both "${a}" and "${b}"${
        kinds.length > 2
          ? ` (and ${kinds
              .slice(2)
              .map((k) => k.key)
              .join(', ')})`
          : ''
      }; a node has exactly one kind: split it into separate nodes`,
    );
    return;
  }
  const kind = kinds[0]!;
  if (kind.key === 'fail' && typeof node.error === 'string') result.failNames.add(node.error);
  const schema = kind.schema;
  const r = schema.safeParse(stubbed(node, kind, path, issues));
  if (!r.success) {
    const fields = shapeKeys(schema);
    reportZodIssues(
      r.error.issues,
      {
        base: path,
        value: node,
        label: `a ${kind.key} node`,
        allowed: (p) =>
          p === path
            ? fields
            : p.endsWith('/retry')
              ? shapeKeys(RetrySpec)
              : kind.shape.fieldsAt(p.slice(path.length)),
        skip: (suffix) => suffix === '/id',
      },
      issues,
    );
  }
  checkLimits(node, path, options, issues);
  reportKindIssues(kind.shape.lint(node, options, preview), path, issues);
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

/** A copy with non-empty bodies replaced by a stub, and the kind's detached parts. */
function stubbed(
  node: Record<string, unknown>,
  kind: AnyKindDef,
  path: string,
  issues: IssueList,
): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...node };
  for (const part of kind.parts(node)) {
    if (part.part === 'body' && Array.isArray(part.value) && part.value.length > 0)
      setAt(copy, part.key.split('/'), [STUB]);
  }
  const detached = kind.shape.detach(node, preview);
  reportKindIssues(detached.issues, path, issues);
  return Object.assign(copy, detached.replace);
}

/** Sets a value at a path in `copy`, copying each object or list on the way (never the input). */
function setAt(copy: Record<string, unknown>, segs: string[], value: unknown): void {
  let at: Record<string, unknown> | unknown[] = copy;
  for (let i = 0; i < segs.length - 1; i++) {
    const key = segs[i]!;
    const next: unknown = (at as Record<string, unknown>)[key];
    const cloned: Record<string, unknown> | unknown[] = Array.isArray(next)
      ? [...next]
      : { ...(next as Record<string, unknown>) };
    (at as Record<string, unknown>)[key] = cloned;
    at = cloned;
  }
  (at as Record<string, unknown>)[segs[segs.length - 1]!] = value;
}

function reportKindIssues(found: KindIssue[], path: string, issues: IssueList): void {
  for (const issue of found) {
    const at = issue.key ? `${path}/${issue.key}` : path;
    if ('zod' in issue) {
      reportZodIssues(
        issue.zod,
        { base: at, value: issue.value, label: issue.label, allowed: () => issue.fields },
        issues,
      );
    } else {
      // A kind names its own codes (one registered later may add some).
      const code = issue.code as IssueCode;
      if (issue.severity === 'error') issues.error(at, code, issue.message);
      else issues.warn(at, code, issue.message);
    }
  }
}

function checkLimits(
  node: Record<string, unknown>,
  path: string,
  options: ResolvedOptions,
  issues: IssueList,
): void {
  const retry = node.retry;
  const attempts = isObject(retry) ? retry.attempts : undefined;
  if (typeof attempts === 'number' && attempts > options.maxRetryAttempts)
    issues.error(
      `${path}/retry/attempts`,
      'limit_exceeded',
      `retry.attempts is ${attempts}; at most ${options.maxRetryAttempts} attempts are allowed`,
    );
}
