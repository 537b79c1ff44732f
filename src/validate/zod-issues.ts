// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import type { z } from 'zod';
import { pointerEscape } from '../schema/check-value.ts';
import { type IssueList, jsonTypeName, preview } from './issues.ts';
import { didYouMean } from './suggest.ts';

/** Why a field exists, added to "missing" messages so the LLM knows what to write. */
const FIELD_HINTS: Record<string, string> = {
  id: 'a unique name like "get_user_1" (letters, digits, _)',
  nodes: 'the list of nodes',
  version: 'always 1',
  max_iterations: 'an integer >= 1: the most iterations before the loop stops',
  max_pages: 'an integer >= 1: the most pages fetched',
  while: 'a boolean expression like "${st.state != \'done\'}", checked after each iteration',
  next: 'an expression giving the next cursor from `page`, or null to stop',
  items: 'an expression giving the items of `page`, e.g. "${page.items}"',
  paginate: 'an object { "call": "tool", "args": {...} } with `cursor` in scope of args',
  do: 'a non-empty list of nodes',
  call: 'a registered tool name',
};

export interface ZodContext {
  /** Pointer of the value that was parsed. */
  base: string;
  /** The value that was parsed, to quote what was found. */
  value: unknown;
  /** "a loop node", "the plan", "limits": used in messages. */
  label: string;
  /** Allowed field names of objects by pointer, for unknown-field messages. */
  allowed: (pointer: string) => readonly string[] | undefined;
  /** Paths (as pointer suffixes) whose issues another check reports better. */
  skip?: (suffix: string) => boolean;
}

function at(value: unknown, path: readonly PropertyKey[]): unknown {
  let v = value;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    const k = typeof key === 'symbol' ? undefined : String(key);
    if (k === undefined || !Object.hasOwn(v, k)) return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

type Issue = z.core.$ZodIssue;

/** Reports zod issues as plan issues with exact pointers and repairable messages. */
export function reportZodIssues(issues: readonly Issue[], ctx: ZodContext, out: IssueList): void {
  for (const issue of issues) {
    const suffix = issue.path.map((p) => `/${pointerEscape(String(p))}`).join('');
    if (ctx.skip?.(suffix)) continue;
    const path = ctx.base + suffix;
    const field = issue.path.length ? String(issue.path[issue.path.length - 1]) : '';
    const found = at(ctx.value, issue.path);
    const name = field ? `"${field}"` : ctx.label;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = ctx.allowed(path) ?? [];
        for (const key of issue.keys) {
          out.error(
            `${path}/${pointerEscape(key)}`,
            'unknown_field',
            `"${key}" is not a field of ${issue.path.length ? `"${field}"` : ctx.label}; allowed fields: ${allowed.join(', ')}.${didYouMean(key, allowed)}`,
          );
        }
        break;
      }
      case 'invalid_type': {
        const expected =
          issue.expected === 'int' ? 'an integer' : withArticle(String(issue.expected));
        if (found === undefined && !Array.isArray(at(ctx.value, issue.path.slice(0, -1)))) {
          const hint = FIELD_HINTS[field];
          out.error(path, 'missing_field', `${ctx.label} needs ${name}: ${hint ?? expected}`);
        } else {
          out.error(
            path,
            'wrong_type',
            `${name} must be ${expected}, got ${jsonTypeName(found)} ${preview(found)}`,
          );
        }
        break;
      }
      case 'too_small':
      case 'too_big': {
        if (issue.origin === 'array' && issue.code === 'too_small') {
          out.error(
            path,
            'empty_body',
            `${name} must hold at least ${issue.minimum} node(s); it is empty`,
          );
          break;
        }
        const bound =
          issue.code === 'too_small'
            ? `${issue.inclusive ? '>=' : '>'} ${issue.minimum}`
            : `${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
        const what = issue.origin === 'string' ? 'length' : 'value';
        out.error(path, 'out_of_range', `${name} ${what} must be ${bound}, got ${preview(found)}`);
        break;
      }
      case 'invalid_value':
        if (found === undefined) {
          out.error(
            path,
            'missing_field',
            `${ctx.label} needs ${name}: ${FIELD_HINTS[field] ?? issue.values.map((v) => preview(v)).join(' or ')}`,
          );
          break;
        }
        out.error(
          path,
          field === 'version' && issue.path.length === 1 ? 'unsupported_version' : 'not_allowed',
          `${name} must be ${issue.values.map((v) => preview(v)).join(' or ')}, got ${preview(found)}`,
        );
        break;
      case 'invalid_format':
        out.error(
          path,
          'invalid_id',
          `${name} must match ${'pattern' in issue ? issue.pattern : issue.format} (letters, digits and _, not starting with a digit, at most 64 characters), got ${preview(found)}`,
        );
        break;
      default:
        out.error(path, 'wrong_type', `${name}: ${issue.message}; got ${preview(found)}`);
    }
  }
}

/** Field names of a zod object schema (the per-kind schemas are typed loosely). */
export function shapeKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape && typeof shape === 'object' ? Object.keys(shape) : [];
}

/** "a string", "an object", "an array": the article English wants before a type name. */
export function withArticle(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}
