/**
 * Cuts a value's JSON to a character budget for the LLM. Long strings and long arrays are
 * shortened first (keeping the shape readable); if it is still too long, the text is cut
 * with a marker saying how much was left out.
 */
export function truncateForLlm(value: unknown, maxChars: number): string {
  const full = safeJson(value);
  if (full.length <= maxChars) return full;
  const shrunk = safeJson(shrink(value, Math.max(64, Math.floor(maxChars / 8)), 20, 0));
  if (shrunk.length <= maxChars) return shrunk;
  const keep = Math.max(0, maxChars - 60);
  return `${shrunk.slice(0, keep)} …[cut: ${full.length - keep} more characters]`;
}

function shrink(value: unknown, maxString: number, maxItems: number, depth: number): unknown {
  if (typeof value === 'string') {
    return value.length > maxString
      ? `${value.slice(0, maxString)}…[${value.length - maxString} more chars]`
      : value;
  }
  if (depth > 8) return '…';
  if (Array.isArray(value)) {
    const items = value.slice(0, maxItems).map((v) => shrink(v, maxString, maxItems, depth + 1));
    if (value.length > maxItems) items.push(`…[${value.length - maxItems} more items]`);
    return items;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, shrink(v, maxString, maxItems, depth + 1)]),
    );
  }
  return value;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value ?? null) ?? 'null';
  } catch {
    return String(value);
  }
}
