import { type ParseError, parse, printParseErrorCode } from 'jsonc-parser';
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

export function parsePlanText(
  text: string,
  issues: IssueList,
  audience: 'llm' | 'person' = 'llm',
): ParsedText {
  const person = audience === 'person';
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
        person
          ? `the plan JSON was found inside ${c.how} (from line ${lineColumn(text, c.start).line}); the file should hold the JSON object alone`
          : `the plan JSON was inside ${c.how} (from offset ${c.start}); it was extracted, but reply with the JSON object alone`,
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
    const end = lineColumn(text, text.length);
    issues.error(
      '',
      'truncated_json',
      person
        ? `the JSON ends early, at line ${end.line}, column ${end.column}, ${where}: the file looks cut off`
        : `the JSON looks truncated: it ends at offset ${text.length} ${where}. Send the complete plan; if it is too long, use fewer nodes (a map node repeats a step over a list).`,
    );
    return { ok: false };
  }
  const fault = jsonFault(target.text);
  const offset = target.start + fault.offset;
  const { line, column } = lineColumn(text, offset);
  issues.error(
    '',
    'invalid_json',
    person
      ? `not valid JSON at line ${line}, column ${column}: ${fault.what}`
      : `the text is not valid JSON: ${fault.what} at offset ${offset} (line ${line}, column ${column}). Reply with a single JSON object like {"version": 1, "nodes": [...]}.`,
  );
  return { ok: false };
}

const FAULTS: Record<string, string> = {
  InvalidSymbol: 'this is not a JSON value',
  InvalidNumberFormat: 'a badly written number',
  PropertyNameExpected: 'a property name in double quotes is expected',
  ValueExpected: 'a value is expected',
  ColonExpected: 'a colon is expected',
  CommaExpected: 'a comma is expected',
  CloseBraceExpected: 'a closing } is expected',
  CloseBracketExpected: 'a closing ] is expected',
  EndOfFileExpected: 'the JSON value has ended, but more text follows',
  InvalidCommentToken: 'JSON has no comments',
  UnexpectedEndOfComment: 'JSON has no comments',
  UnexpectedEndOfString: 'a string is not closed',
  UnexpectedEndOfNumber: 'a number is cut off',
  InvalidUnicode: 'a bad \\u escape',
  InvalidEscapeCharacter: 'a bad escape after \\',
  InvalidCharacter: 'a control character inside a string',
};

/**
 * Where JSON text first breaks, and why, in words. JSON.parse's messages give no position
 * for some faults (a trailing comma before `]`), so a real JSON scanner finds it.
 */
export function jsonFault(text: string): { offset: number; what: string } {
  const errors: ParseError[] = [];
  parse(text, errors, { allowTrailingComma: false, disallowComments: true });
  const first = errors[0];
  if (!first) return { offset: 0, what: 'not JSON' };
  const before = text.slice(0, first.offset).trimEnd();
  const closing = text[first.offset] === ']' || text[first.offset] === '}';
  if (closing && before.endsWith(',')) {
    return {
      offset: before.length - 1,
      what: `a trailing comma before "${text[first.offset]}" (JSON allows none)`,
    };
  }
  return { offset: first.offset, what: FAULTS[printParseErrorCode(first.error)] ?? 'not JSON' };
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

export function lineColumn(text: string, offset: number): { line: number; column: number } {
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
