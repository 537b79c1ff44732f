/**
 * Splits a plan string into a literal, a whole-string expression, or a template, following
 * the plan format: `"${ expr }"` alone keeps the value's type, `${ }` inside text is written
 * as text, `$${` is a literal `${`. Pure; errors are returned, never thrown.
 */
export interface ExprSegment {
  source: string;
  /** Offset of the expression's first character in the original string. */
  offset: number;
}

export type ParsedString =
  | { kind: 'literal'; value: string }
  | { kind: 'expr'; expr: ExprSegment }
  | { kind: 'template'; parts: Array<string | ExprSegment> };

export interface TemplateError {
  message: string;
  offset: number;
}

export type ParseStringResult =
  | { ok: true; value: ParsedString }
  | { ok: false; error: TemplateError };

export function hasExpressionMarker(text: string): boolean {
  return text.includes('${');
}

export function parseTemplateString(text: string): ParseStringResult {
  if (!text.includes('${')) return { ok: true, value: { kind: 'literal', value: text } };
  const parts: Array<string | ExprSegment> = [];
  let literal = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      literal += '${';
      i += 3;
      continue;
    }
    if (text.startsWith('${', i)) {
      const end = findExpressionEnd(text, i + 2);
      if (end < 0) {
        return {
          ok: false,
          error: {
            message: `unclosed "\${" at offset ${i}: every "\${" needs a matching "}" (write "$\${" for a literal "\${")`,
            offset: i,
          },
        };
      }
      const raw = text.slice(i + 2, end);
      const source = raw.trim();
      if (source.length === 0) {
        return {
          ok: false,
          error: { message: `empty expression "\${}" at offset ${i}`, offset: i },
        };
      }
      if (literal) parts.push(literal);
      literal = '';
      parts.push({ source, offset: i + 2 + (raw.length - raw.trimStart().length) });
      i = end + 1;
      continue;
    }
    literal += text[i];
    i += 1;
  }
  if (literal) parts.push(literal);
  if (parts.length === 1 && typeof parts[0] !== 'string') {
    return { ok: true, value: { kind: 'expr', expr: parts[0]! } };
  }
  if (parts.every((p) => typeof p === 'string')) {
    return { ok: true, value: { kind: 'literal', value: parts.join('') } };
  }
  return { ok: true, value: { kind: 'template', parts } };
}

/**
 * Index of the `}` that balances an expression starting at `start`, not counting braces
 * inside CEL string literals (so map literals like `{'a': x}` work). -1 when unbalanced.
 * Shared with the compact syntax, which must read `${ }` exactly as plans are read.
 */
export function findExpressionEnd(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"' || ch === "'") {
      i = skipCelStringLiteral(text, i);
      if (i < 0) return -1;
      continue;
    }
    if (ch === '{') depth += 1;
    else if (ch === '}') {
      if (depth === 0) return i;
      depth -= 1;
    }
    i += 1;
  }
  return -1;
}

/**
 * Index just past the CEL string literal (quoted, triple-quoted, raw after `r`/`R`) that
 * opens at `start`, or -1 when it is unterminated.
 */
export function skipCelStringLiteral(text: string, start: number): number {
  const quote = text[start]!;
  const triple = text.startsWith(quote.repeat(3), start);
  const raw = start > 0 && (text[start - 1] === 'r' || text[start - 1] === 'R');
  let i = start + (triple ? 3 : 1);
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '\\' && !raw) {
      i += 2;
      continue;
    }
    if (triple) {
      if (text.startsWith(quote.repeat(3), i)) return i + 3;
    } else if (ch === quote) {
      return i + 1;
    }
    i += 1;
  }
  return -1;
}
