// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
/**
 * What the validator reports. Codes are stable: programs (the repair loop, the eval suite)
 * match on them, and the LLM reads the message. Every message says what is wrong and what
 * is allowed, so a plan can be repaired from the issue alone.
 */
export const ISSUE_CODES = {
  // The text and the top-level shape.
  invalid_json: 'the text is not JSON (position given)',
  truncated_json: 'the JSON text ends early: it looks cut off (offset given)',
  extracted_json: 'warning: the JSON was found inside code fences or prose and extracted',
  unsupported_version: '"version" is not 1',
  missing_field: 'a required field is missing (nodes, id, max_iterations, ...)',
  unknown_field: 'a field that this object does not have (allowed fields are listed)',
  unused_field: 'warning: a field that has no effect here (e.g. score without pick "best")',
  wrong_type: 'a plan field has the wrong JSON type',
  out_of_range: 'a plan number is outside its allowed range',
  not_allowed: 'a plan value is not one of the allowed values',
  // Nodes.
  invalid_id: 'an id (or `as` name) does not match ^[A-Za-z_][A-Za-z0-9_]{0,63}$',
  duplicate_id: 'an id is used twice; both places are named',
  reserved_id: 'an id that expressions could never reference (input, CEL keywords, ...)',
  no_node_kind: 'a node has none of the kind keys (call, value, map, ...)',
  multiple_node_kinds: 'a node has two or more kind keys; both are named',
  empty_body: 'a body (do, try, catch, finally, loop, race) has no nodes',
  default_case_not_last: 'a switch case without "when" is followed by other cases',
  unknown_error_name: 'warning: retry.on names an error no tool or node is known to raise',
  // Tools and arguments.
  unknown_tool: 'a call names no registered tool (close names are suggested)',
  missing_argument: 'a required tool argument is missing',
  unknown_argument: 'an argument the tool does not take (allowed arguments are listed)',
  arg_wrong_type: 'an argument, literal or expression, has a type the tool does not accept',
  arg_not_allowed: 'an argument value is outside the enum, const or pattern of the tool',
  arg_out_of_range: 'an argument is outside the bounds of the tool schema',
  // Expressions and references.
  expression_syntax: 'a ${ } string or a CEL expression does not parse',
  expression_type: 'a CEL expression does not type-check in its scope',
  no_such_field: 'an expression reads a field that the output schema does not declare',
  unresolved_reference: 'an expression names no node or variable in scope',
  unknown_after: '"after" names no node in scope',
  enclosing_reference: 'a node references itself or a node that encloses it',
  dependency_cycle: 'nodes depend on each other in a cycle (named in order)',
  shadowed_name: 'warning: a name means a local (item, error, ...) here, not the node of that id',
  not_boolean: 'if, when or while is not a boolean expression',
  not_a_list: 'map is not a list or an expression giving a list',
  not_a_number: 'a race score is not a number',
  // Limits.
  too_many_nodes: 'the plan has more nodes (nested ones included) than allowed',
  too_deep: 'bodies are nested deeper than allowed',
  too_many_items:
    'a map over a literal list longer than max_items (an error past the plan limit, a warning past the default)',
  limit_exceeded: 'retry.attempts, max_iterations or max_pages is above the allowed maximum',
  too_many_issues: 'warning: more issues were found than are listed',
  value_too_deep: 'a plan value nests arrays and objects deeper than allowed (64 levels)',
  comprehension_too_nested:
    'an expression nests comprehensions (map, filter, ...) deeper than allowed',
  expression_too_costly:
    'an expression visibly takes more steps or builds more than one evaluation may',
  invalid_regex: 'a matches() pattern is not RE2 syntax (no backreferences or lookaround)',
  // Ourselves.
  internal: 'the validator failed on this input: a bug in toolplan, not in the plan',
} as const;

export type IssueCode = keyof typeof ISSUE_CODES;
export const ISSUE_CODE_LIST = Object.keys(ISSUE_CODES) as IssueCode[];

export type Severity = 'error' | 'warning';

export interface PlanIssue {
  /** JSON pointer into the plan, e.g. `/nodes/2/args/user_id`; `""` is the whole plan. */
  path: string;
  code: IssueCode;
  message: string;
  severity: Severity;
}

export interface ValidateOptions {
  /** Nodes in the whole plan, nested ones included. */
  maxNodes?: number;
  /** Nesting of bodies: a top-level node is at depth 1. */
  maxDepth?: number;
  maxRetryAttempts?: number;
  maxIterations?: number;
  maxPages?: number;
  /** JSON Schema of the run's input: types `input` in expressions (else dyn). */
  inputSchema?: Record<string, unknown>;
  /** Issues listed at most; the rest are counted in a `too_many_issues` warning. */
  maxIssues?: number;
  /**
   * Who reads the messages about the text (`validatePlanText`): the LLM being asked to
   * repair its reply (default), or a person at a terminal, who is told about a file.
   */
  audience?: 'llm' | 'person';
}

export const DEFAULT_LIMITS = {
  maxNodes: 10_000,
  maxDepth: 16,
  maxRetryAttempts: 10,
  maxIterations: 1_000,
  maxPages: 1_000,
  maxIssues: 200,
} as const;

export type ResolvedOptions = Required<Omit<ValidateOptions, 'inputSchema' | 'audience'>> &
  Pick<ValidateOptions, 'inputSchema'>;

/** A sink the checks report into. */
export class IssueList {
  readonly items: PlanIssue[] = [];

  error(path: string, code: IssueCode, message: string): void {
    this.items.push({ path, code, message, severity: 'error' });
  }

  warn(path: string, code: IssueCode, message: string): void {
    this.items.push({ path, code, message, severity: 'warning' });
  }

  get hasErrors(): boolean {
    return this.items.some((i) => i.severity === 'error');
  }
}

/** A short rendering of a value for messages. */
export function preview(value: unknown, max = 60): string {
  let text: string;
  try {
    text =
      typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') return 'object';
  return typeof value;
}
