import type { IssueList } from './issues.ts';

/**
 * Turns an LLM's reply into a JSON value. LLMs wrap JSON in code fences, add prose around
 * it, or stop mid-way when they hit their token limit; each case gets an issue that says
 * which, so the repair prompt can ask for the right thing.
 */
export type ParsedText = { ok: true; value: unknown } | { ok: false };

interface Candidate {
  text: string;
  /** Offset of `text` in the original. */
  start: number;
  how: string;
}

const FENCE = /```[A-Za-z0-9_-]*[^\S\n]*\n([\s\S]*?)```/g;
const OPEN_FENCE = /```[A-Za-z0-9_-]*[^\S\n]*\n([\s\S]*)$/;

export function parsePlanText(text: string, issues: IssueList): ParsedText {
  if (typeof text !== 'string') {
    issues.error('', 'invalid_json', `expected the plan as JSON text, got ${typeof text}`);
    return { ok: false };
  }
  if (text.trim() === '') {
    issues.error('', 'invalid_json', 'the text is empty; expected a JSON plan object');
    return { ok: false };
  }
  const direct = tryParse(text);
  if (direct.ok) return direct;

  const candidates: Candidate[] = [];
  for (const m of text.matchAll(FENCE)) {
    candidates.push({ text: m[1]!, start: m.index! + m[0].indexOf(m[1]!), how: 'code fences' });
  }
  const firstBrace = text.indexOf('{');
  const lastBrace = text.lastIndexOf('}');
  if (firstBrace >= 0 && lastBrace > firstBrace) {
    candidates.push({
      text: text.slice(firstBrace, lastBrace + 1),
      start: firstBrace,
      how: 'surrounding prose',
    });
  }
  for (const c of candidates) {
    const parsed = tryParse(c.text);
    if (parsed.ok) {
      issues.warn(
        '',
        'extracted_json',
        `the plan JSON was inside ${c.how} (from offset ${c.start}); it was extracted, but reply with the JSON object alone`,
      );
      return parsed;
    }
  }

  // Not parseable: say where it broke, and whether it merely stopped early.
  const open = OPEN_FENCE.exec(text);
  const fenced = candidates.find((c) => c.how === 'code fences');
  const target: Candidate = fenced
    ? fenced
    : open && !text.slice(open.index + 3).includes('```')
      ? { text: open[1]!, start: open.index + open[0].length - open[1]!.length, how: 'code fence' }
      : firstBrace >= 0
        ? { text: text.slice(firstBrace), start: firstBrace, how: 'text' }
        : { text, start: 0, how: 'text' };
  const scan = scanJson(target.text);
  if (scan.truncated) {
    const where = scan.inString
      ? 'inside a string'
      : `with ${scan.open.length} unclosed ${scan.open.map((b) => `"${b}"`).join(', ')}`;
    issues.error(
      '',
      'truncated_json',
      `the JSON looks truncated: it ends at offset ${text.length} ${where}. Send the complete plan; if it is too long, use fewer nodes (a map node repeats a step over a list).`,
    );
    return { ok: false };
  }
  const error = tryParse(target.text);
  const message = error.ok ? '' : error.message;
  const pos = /position (\d+)/.exec(message);
  const offset = pos ? target.start + Number(pos[1]) : target.start;
  const { line, column } = lineColumn(text, offset);
  issues.error(
    '',
    'invalid_json',
    `the text is not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '')} at offset ${offset} (line ${line}, column ${column}). Reply with a single JSON object like {"version": 1, "nodes": [...]}.`,
  );
  return { ok: false };
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Walks JSON text: truncated when it ends inside a string or with brackets still open. */
export function scanJson(text: string): { truncated: boolean; inString: boolean; open: string[] } {
  const stack: string[] = [];
  let inString = false;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (ch === '\\') i += 1;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') {
      inString = true;
      started = true;
    } else if (ch === '{' || ch === '[') {
      stack.push(ch);
      started = true;
    } else if (ch === '}' || ch === ']') {
      const want = ch === '}' ? '{' : '[';
      if (stack.pop() !== want) return { truncated: false, inString: false, open: [] };
      if (stack.length === 0) return { truncated: false, inString: false, open: [] };
    }
  }
  return { truncated: started && (inString || stack.length > 0), inString, open: stack };
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
