/**
 * The approval question a person answers before a gated call runs. It must show what the
 * call will do: every argument, down to each nested value, on a line of its own (a value
 * past `foldAt` characters is folded in the middle, its length said, never cut off), and
 * the full JSON when the person asks for it ("a"). Values are printed as JSON, so a
 * newline or a terminal escape in an argument stays visible text.
 */

export interface ApprovalView {
  tool: string;
  args: unknown;
  /** The node instance, named when `showKey` is set (`exec`, `resume`). */
  key?: string;
}

const FOLD_AT = 160;
const MAX_LINES = 200;

export function approvalQuestion(
  request: ApprovalView,
  options: { showKey?: boolean; foldAt?: number } = {},
): string {
  const lines = argumentLines(request.args, options.foldAt ?? FOLD_AT);
  const key = options.showKey && request.key ? `${request.key}: call ` : '';
  const head = `approve ${key}${request.tool}`;
  if (lines.length === 0) return `${head} {}? [y/N] `;
  return `${head} with:\n${lines.map((l) => `  ${l}`).join('\n')}\n? [y/N] (a: show the full arguments) `;
}

/** The whole arguments, pretty JSON: what "a" shows. */
export function fullArguments(args: unknown): string {
  return `${JSON.stringify(args, null, 2) ?? 'null'}\n`;
}

/** "a", "all" or "full" asks to see the full arguments before answering. */
export function wantsFullArguments(answer: string | undefined): boolean {
  return /^(a|all|full)$/i.test((answer ?? '').trim());
}

/** One `path: value` line per leaf value, in order. */
export function argumentLines(args: unknown, foldAt = FOLD_AT): string[] {
  const lines: string[] = [];
  let leaves = 0;
  const visit = (value: unknown, path: string): void => {
    const isList = Array.isArray(value);
    const isObject = value !== null && typeof value === 'object' && !isList;
    const entries: [string, unknown][] = isList
      ? (value as unknown[]).map((v, i) => [`${path}[${i}]`, v])
      : isObject
        ? Object.entries(value as Record<string, unknown>).map(([k, v]) => [join(path, k), v])
        : [];
    if ((isList || isObject) && (entries.length > 0 || path === '')) {
      for (const [p, v] of entries) visit(v, p);
      return;
    }
    leaves += 1;
    if (lines.length < MAX_LINES) lines.push(`${path || '(value)'}: ${fold(json(value), foldAt)}`);
  };
  visit(args, '');
  if (leaves > lines.length)
    lines.push(`... ${leaves - lines.length} more values: answer "a" to see every argument`);
  return lines;
}

function join(path: string, key: string): string {
  const name = /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? key : JSON.stringify(key);
  return path ? `${path}.${name}` : name;
}

function json(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** A long value keeps its start and its end, and says how much of the middle is folded. */
export function fold(text: string, foldAt = FOLD_AT): string {
  if (text.length <= foldAt) return text;
  const head = Math.ceil(foldAt * 0.6);
  const tail = Math.floor(foldAt * 0.3);
  const folded = text.length - head - tail;
  return `${text.slice(0, head)} …(${folded.toLocaleString('en-US')} characters folded)… ${text.slice(-tail)}`;
}
