/** Pure text helpers behind the text tools. */

const SENTENCE_END = /(?<=[.!?])\s+(?=\S)/u;

export function splitSentences(text: string): string[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  return trimmed
    .split(SENTENCE_END)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’_-]*/gu)?.length ?? 0;
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** Distinct addresses in order of first appearance; case-insensitive duplicates dropped. */
export function findEmails(text: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  // Only short chunks holding an "@" meet the regex: on one long run of letters its local
  // part would backtrack quadratically.
  const chunks = text.split(/[\s<>()[\],;:"'`]+/).filter((c) => c.includes('@') && c.length <= 512);
  for (const match of chunks.flatMap((c) => c.match(EMAIL) ?? [])) {
    const address = match.replace(/\.+$/, '');
    const key = address.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(address);
    }
  }
  return out;
}
