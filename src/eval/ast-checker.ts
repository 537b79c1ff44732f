/**
 * A BFCL-style AST checker: does a set of tool calls match the expected calls? A call matches
 * when the name is equal, every required argument is present, no argument outside the
 * expectation is given, and each value is one of the accepted values. An accepted value of
 * `""` marks an argument optional. Calls are matched order-insensitively, each expected call
 * to a distinct actual call. Pure.
 */

export interface ActualCall {
  name: string;
  args: unknown;
}

export interface ExpectedCallSpec {
  name: string;
  /** Argument name → accepted values. */
  args: Record<string, unknown[]>;
  /** Arguments accepted with any value, or absent (eval cases: a list the plan computed). */
  any?: readonly string[] | undefined;
}

export interface MatchOptions {
  /** Every actual call must be matched too (BFCL: the exact set of calls). */
  exact?: boolean;
  /** Required arguments by tool name, from its schema; added to the expectation's own. */
  required?: (tool: string) => readonly string[];
}

export interface MatchResult {
  ok: boolean;
  problems: string[];
}

/** Why one actual call does not match one expected call; empty when it does. */
export function checkCall(
  actual: ActualCall,
  expected: ExpectedCallSpec,
  required: readonly string[] = [],
): string[] {
  if (actual.name !== expected.name) return [`name ${actual.name} is not ${expected.name}`];
  const args = isRecord(actual.args) ? actual.args : {};
  const problems: string[] = [];
  const mustHave = new Set(required);
  for (const [arg, accepted] of Object.entries(expected.args)) {
    if (!accepted.some((v) => v === '')) mustHave.add(arg);
  }
  for (const arg of mustHave) {
    if (!(arg in args)) problems.push(`${expected.name}: missing required argument "${arg}"`);
  }
  const anyValue = new Set(expected.any ?? []);
  for (const [arg, value] of Object.entries(args)) {
    if (anyValue.has(arg)) continue;
    const accepted = expected.args[arg];
    if (accepted === undefined) {
      problems.push(`${expected.name}: unexpected argument "${arg}"`);
      continue;
    }
    if (!accepted.some((v) => v !== '' && sameValue(value, v))) {
      if (value === '' && accepted.includes('')) continue;
      problems.push(
        `${expected.name}: argument "${arg}" is ${short(value)}, expected one of ${short(accepted.filter((v) => v !== ''))}`,
      );
    }
  }
  return problems;
}

/** Matches actual calls to expected calls, order-insensitively (a maximum bipartite matching). */
export function matchCalls(
  actual: readonly ActualCall[],
  expected: readonly ExpectedCallSpec[],
  options: MatchOptions = {},
): MatchResult {
  const fits = expected.map((e) =>
    actual.map((a) => checkCall(a, e, options.required?.(e.name) ?? []).length === 0),
  );
  const owner = new Array<number>(actual.length).fill(-1);
  const tryAssign = (e: number, seen: boolean[]): boolean => {
    for (let a = 0; a < actual.length; a++) {
      if (!fits[e]![a] || seen[a]) continue;
      seen[a] = true;
      if (owner[a] === -1 || tryAssign(owner[a]!, seen)) {
        owner[a] = e;
        return true;
      }
    }
    return false;
  };
  const problems: string[] = [];
  expected.forEach((e, i) => {
    if (tryAssign(i, new Array<boolean>(actual.length).fill(false))) return;
    const sameName = actual.filter((a) => a.name === e.name);
    if (sameName.length === 0) {
      problems.push(`expected a call of ${e.name}; calls made: ${names(actual)}`);
      return;
    }
    // Report against the closest candidate so the message says what was wrong.
    const reasons = sameName
      .map((a) => checkCall(a, e, options.required?.(e.name) ?? []))
      .sort((x, y) => x.length - y.length)[0]!;
    // No reason: the calls that fit were all matched to other expected calls.
    const why = reasons.length
      ? reasons.join('; ')
      : `each fitting call of ${e.name} already matched another expected call (${sameName.length} made)`;
    problems.push(`no call of ${e.name} matched: ${why}`);
  });
  if (options.exact) {
    const extra = actual.filter((_, a) => owner[a] === -1);
    if (extra.length > 0) problems.push(`unexpected calls: ${names(extra)}`);
  }
  return { ok: problems.length === 0, problems };
}

/**
 * BFCL's value equality: numbers compare numerically (an int is an accepted float), strings
 * compare case- and punctuation-insensitively, lists in order, objects key by key (an
 * object's accepted values may themselves be lists of accepted values, as in BFCL).
 */
export function sameValue(actual: unknown, accepted: unknown): boolean {
  if (typeof accepted === 'number' && typeof actual === 'number') return actual === accepted;
  if (typeof accepted === 'string' && typeof actual === 'string') {
    return normalise(actual) === normalise(accepted);
  }
  if (Array.isArray(accepted)) {
    return (
      Array.isArray(actual) &&
      actual.length === accepted.length &&
      accepted.every((v, i) => sameValue(actual[i], v))
    );
  }
  if (isRecord(accepted)) {
    if (!isRecord(actual)) return false;
    for (const [key, want] of Object.entries(accepted)) {
      // BFCL nests accepted-value lists inside dict arguments.
      const options = Array.isArray(want) && !Array.isArray(actual[key]) ? want : [want];
      const optional = options.includes('');
      if (!(key in actual)) {
        if (optional) continue;
        return false;
      }
      if (!options.some((v) => v !== '' && sameValue(actual[key], v))) {
        if (!(Array.isArray(want) && want.some((w) => sameValue(actual[key], w)))) return false;
      }
    }
    return Object.keys(actual).every((k) => k in accepted);
  }
  return actual === accepted;
}

function normalise(text: string): string {
  return text.toLowerCase().replace(/[\s,./\-_*^'"]/g, '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function names(calls: readonly ActualCall[]): string {
  return calls.length ? calls.map((c) => c.name).join(', ') : '(none)';
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
