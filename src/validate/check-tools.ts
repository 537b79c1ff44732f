import type { GraphNode } from '../plan/plan-graph.ts';
import { checkValue, type SchemaIssue } from '../schema/check-value.ts';
import { argsAreStrict } from '../tool/check-io.ts';
import type { RegisteredTool, ToolRegistry } from '../tool/registry.ts';
import { describeSchema, schemaAt } from './arg-types.ts';
import type { IssueCode, IssueList } from './issues.ts';
import { closestNames, listNames } from './suggest.ts';

/**
 * Tool names and literal arguments: every call, fallback call, compensation and paginate
 * call names a registered tool, and its literal arguments fit the tool's input schema.
 * `${ }` strings are skipped here; their types are checked with the expressions.
 */

const ARG_CODES: Record<SchemaIssue['code'], IssueCode> = {
  missing_required: 'missing_argument',
  unknown_field: 'unknown_argument',
  wrong_type: 'arg_wrong_type',
  not_allowed: 'arg_not_allowed',
  out_of_range: 'arg_out_of_range',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export const isExpressionString = (v: unknown): boolean =>
  typeof v === 'string' && v.includes('${');

/** A call inside a node: where it is and which tool it names. */
export interface CallSite {
  node: GraphNode;
  /** Pointer of the object holding `call` and `args`. */
  pointer: string;
  tool: string;
  args: unknown;
  label: string;
}

export function callSitesOf(node: GraphNode): CallSite[] {
  const n = node.node as unknown as Record<string, unknown>;
  const out: CallSite[] = [];
  const add = (holder: unknown, pointer: string, label: string) => {
    if (isObject(holder) && typeof holder.call === 'string')
      out.push({ node, pointer, tool: holder.call, args: holder.args, label });
  };
  if (node.kind === 'call') {
    add(n, node.pointer, 'call');
    if (Array.isArray(n.fallback))
      n.fallback.forEach((alt, i) => {
        add(alt, `${node.pointer}/fallback/${i}`, 'fallback call');
      });
    add(n.compensate, `${node.pointer}/compensate`, 'compensate call');
  } else if (node.kind === 'paginate') add(n.paginate, `${node.pointer}/paginate`, 'paginate call');
  return out;
}

export class ToolChecker {
  readonly #registry: ToolRegistry;
  readonly #issues: IssueList;
  readonly #unknownMessages = new Map<string, string>();

  constructor(registry: ToolRegistry, issues: IssueList) {
    this.#registry = registry;
    this.#issues = issues;
  }

  check(site: CallSite): RegisteredTool | undefined {
    const tool = this.#registry.get(site.tool);
    if (!tool) {
      this.#issues.error(`${site.pointer}/call`, 'unknown_tool', this.#unknownMessage(site.tool));
      return undefined;
    }
    this.#checkArgs(tool, site);
    return tool;
  }

  /** Suggestions cost a pass over all tools: computed once per unknown name. */
  #unknownMessage(name: string): string {
    let msg = this.#unknownMessages.get(name);
    if (msg) return msg;
    const names = this.#registry.names();
    const close = closestNames(name, names);
    msg =
      names.length === 0
        ? `unknown tool "${name}": no tools are registered`
        : `unknown tool "${name}".${close.length ? ` Did you mean ${close.map((c) => `"${c}"`).join(' or ')}?` : ''} Known tools: ${listNames([...names].sort())}`;
    this.#unknownMessages.set(name, msg);
    return msg;
  }

  #checkArgs(tool: RegisteredTool, site: CallSite): void {
    const argsPtr = `${site.pointer}/args`;
    const args = site.args === undefined ? {} : site.args;
    if (!isObject(args)) return; // The shape check reports it.
    const found = checkValue(tool.inputSchema, args, {
      strictObjects: argsAreStrict(tool),
      skip: isExpressionString,
      maxIssues: 20,
    });
    const props = isObject(tool.inputSchema.properties) ? tool.inputSchema.properties : {};
    const allowed = Object.keys(props);
    for (const issue of found) {
      const path = argsPtr + issue.path;
      const segs = issue.path.split('/').slice(1).map(unescapeSegment);
      const name = segs[segs.length - 1] ?? '';
      const top = segs.length === 1;
      let message: string;
      switch (issue.code) {
        case 'missing_required': {
          const s = schemaAt(tool.inputSchema, segs);
          const desc = s && typeof s.description === 'string' ? `: ${s.description}` : '';
          message = `tool "${tool.name}" requires ${top ? 'argument' : 'field'} "${name}" (${s ? describeSchema(s) : 'any value'}${desc})`;
          break;
        }
        case 'unknown_field': {
          const parent = top
            ? allowed
            : Object.keys(objectProps(schemaAt(tool.inputSchema, segs.slice(0, -1))));
          const close = closestNames(name, parent);
          message = `tool "${tool.name}" has no ${top ? 'argument' : 'field'} "${name}"; allowed: ${listNames(parent)}.${close.length ? ` Did you mean "${close[0]}"?` : ''}`;
          break;
        }
        default:
          message = `${top ? 'argument' : 'field'} "${segs.join('.') || '(args)'}" of tool "${tool.name}": ${issue.message}`;
      }
      this.#issues.error(path, ARG_CODES[issue.code], message);
    }
  }
}

function objectProps(s: Record<string, unknown> | undefined): Record<string, unknown> {
  return s && isObject(s.properties) ? s.properties : {};
}

function unescapeSegment(seg: string): string {
  return seg.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Pointer segments of `pointer` below `base` (both JSON pointers). */
export function segmentsBelow(pointer: string, base: string): string[] | undefined {
  if (pointer === base) return [];
  if (!pointer.startsWith(`${base}/`)) return undefined;
  return pointer
    .slice(base.length + 1)
    .split('/')
    .map(unescapeSegment);
}
