/**
 * Tells compact plan text from a JSON plan in an LLM's reply, so the planner can pick the
 * parser. Cheap and conservative: JSON starts with `{` or `[`; compact text starts (after
 * comments and an optional code fence) with `id =` or a plan setting.
 */
const FIRST_LINE = /^(?:[A-Za-z_][A-Za-z0-9_]*[ \t]*=(?!=)|(?:goal|output|limits|final)\b)/;

export function looksLikeCompactPlan(text: string): boolean {
  for (const raw of String(text)
    .replace(/^\uFEFF/, '')
    .split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || /^```[\w-]*$/.test(line)) continue;
    return FIRST_LINE.test(line);
  }
  return false;
}
