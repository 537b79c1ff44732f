/**
 * Finds the plan in what an LLM wrote: a bare JSON object, one inside a code fence, or one
 * with prose around it. Pure; returns the parse error instead of throwing.
 */
export type ExtractResult = { ok: true; value: unknown } | { ok: false; message: string };

export function extractJson(text: string): ExtractResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'the reply is empty: expected a JSON plan' };
  const candidates: string[] = [trimmed];
  for (const m of trimmed.matchAll(/```[a-zA-Z0-9_-]*\s*\n([\s\S]*?)```/g)) {
    if (m[1]) candidates.push(m[1].trim());
  }
  const span = balancedObject(trimmed);
  if (span) candidates.push(span);
  let firstError = '';
  for (const c of candidates) {
    try {
      return { ok: true, value: JSON.parse(c) };
    } catch (error) {
      firstError ||= error instanceof Error ? error.message : String(error);
    }
  }
  return {
    ok: false,
    message: `the reply is not a JSON plan (${firstError}); reply with only the JSON object`,
  };
}

/** The first balanced `{...}` in the text, strings and escapes respected. */
export function balancedObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === '\\') i++;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

/** Strips one surrounding code fence, if any (for compact-syntax replies). */
export function stripFence(text: string): string {
  const m = /^\s*```[a-zA-Z0-9_-]*\s*\n([\s\S]*?)\n?```\s*$/.exec(text);
  return m?.[1] ?? text.trim();
}
