// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plan strings hold ${ } expressions on purpose
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ExprSegment,
  hasExpressionMarker,
  type ParsedString,
  parseTemplateString,
} from '../../src/expr/template.ts';

function parsed(text: string): ParsedString {
  const r = parseTemplateString(text);
  if (!r.ok) throw new Error(`expected ok for ${JSON.stringify(text)}: ${r.error.message}`);
  return r.value;
}

function failure(text: string) {
  const r = parseTemplateString(text);
  if (r.ok) throw new Error(`expected an error for ${JSON.stringify(text)}`);
  return r.error;
}

describe('parseTemplateString', () => {
  it('a string with no ${ is a literal equal to itself', () => {
    expect(parsed('hello')).toEqual({ kind: 'literal', value: 'hello' });
    expect(parsed('')).toEqual({ kind: 'literal', value: '' });
    expect(parsed('$ { x }')).toEqual({ kind: 'literal', value: '$ { x }' });
    expect(parsed('{x}')).toEqual({ kind: 'literal', value: '{x}' });
    expect(parsed('$')).toEqual({ kind: 'literal', value: '$' });
    expect(parsed('}')).toEqual({ kind: 'literal', value: '}' });
  });

  it('a string that is exactly ${ expr } is a whole expression, trimmed, with its offset', () => {
    expect(parsed('${user.name}')).toEqual({
      kind: 'expr',
      expr: { source: 'user.name', offset: 2 },
    });
    expect(parsed('${  x + 1 }')).toEqual({ kind: 'expr', expr: { source: 'x + 1', offset: 4 } });
  });

  it('text around an expression makes a template with each part in order', () => {
    expect(parsed('Hi ${user.name}!')).toEqual({
      kind: 'template',
      parts: ['Hi ', { source: 'user.name', offset: 5 }, '!'],
    });
    expect(parsed('${a}${b}')).toEqual({
      kind: 'template',
      parts: [
        { source: 'a', offset: 2 },
        { source: 'b', offset: 6 },
      ],
    });
    expect(parsed('${a} and ${ b }')).toEqual({
      kind: 'template',
      parts: [{ source: 'a', offset: 2 }, ' and ', { source: 'b', offset: 12 }],
    });
  });

  it('whitespace around a single expression makes it a template, not a whole expression', () => {
    const v = parsed(' ${x}');
    expect(v.kind).toBe('template');
    expect(parsed('${x} ')).toEqual({ kind: 'template', parts: [{ source: 'x', offset: 2 }, ' '] });
  });

  it('$${ writes a literal ${', () => {
    expect(parsed('$${x}')).toEqual({ kind: 'literal', value: '${x}' });
    expect(parsed('cost: $${price}')).toEqual({ kind: 'literal', value: 'cost: ${price}' });
    expect(parsed('$${a} ${b}')).toEqual({
      kind: 'template',
      parts: ['${a} ', { source: 'b', offset: 8 }],
    });
    // `$$${x}`: the escape eats "$${", leaving "x}" as text.
    expect(parsed('$$${x}')).toEqual({ kind: 'literal', value: '$${x}' });
  });

  it('an escaped marker before a real one keeps both', () => {
    expect(parsed('$${ and ${x}')).toEqual({
      kind: 'template',
      parts: ['${ and ', { source: 'x', offset: 10 }],
    });
  });

  it('balances braces so map literals work', () => {
    expect(parsed("${ {'a': x} }")).toEqual({
      kind: 'expr',
      expr: { source: "{'a': x}", offset: 3 },
    });
    expect(parsed("${ {'a': {'b': x}} }.")).toEqual({
      kind: 'template',
      parts: [{ source: "{'a': {'b': x}}", offset: 3 }, '.'],
    });
  });

  it('does not count braces inside CEL string literals', () => {
    expect(parsed("${ {'a': '}'} }")).toEqual({
      kind: 'expr',
      expr: { source: "{'a': '}'}", offset: 3 },
    });
    expect(parsed('${ "}" + x }')).toEqual({
      kind: 'expr',
      expr: { source: '"}" + x', offset: 3 },
    });
    expect(parsed("${ '{' }")).toEqual({ kind: 'expr', expr: { source: "'{'", offset: 3 } });
    expect(parsed("${ 'it\\'s }' }")).toEqual({
      kind: 'expr',
      expr: { source: "'it\\'s }'", offset: 3 },
    });
    expect(parsed("${ '''a}b''' }")).toEqual({
      kind: 'expr',
      expr: { source: "'''a}b'''", offset: 3 },
    });
    expect(parsed('${ """}""" }')).toEqual({
      kind: 'expr',
      expr: { source: '"""}"""', offset: 3 },
    });
  });

  it('raw strings do not treat backslash as an escape', () => {
    // r'\' is a one-character raw string; the } after it closes the expression.
    expect(parsed("${ r'\\' }")).toEqual({ kind: 'expr', expr: { source: "r'\\'", offset: 3 } });
  });

  it('reports an unclosed ${ with its offset and how to write a literal', () => {
    const e = failure('abc ${x + 1');
    expect(e.offset).toBe(4);
    expect(e.message).toContain('unclosed');
    expect(e.message).toContain('$${');
    expect(failure('${').offset).toBe(0);
    expect(failure('${ {} ').offset).toBe(0);
    expect(failure("${ 'unterminated }").offset).toBe(0);
    expect(failure('ok ${a} then ${b').offset).toBe(13);
  });

  it('reports an empty ${} with its offset', () => {
    const e = failure('x ${}');
    expect(e.offset).toBe(2);
    expect(e.message).toContain('empty expression');
    expect(failure('${   }').offset).toBe(0);
  });

  it('hasExpressionMarker detects ${ anywhere', () => {
    expect(hasExpressionMarker('a ${b}')).toBe(true);
    expect(hasExpressionMarker('$${b}')).toBe(true);
    expect(hasExpressionMarker('$ {b}')).toBe(false);
  });

  it('offsets point at the expression text inside the original string (property)', () => {
    const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/);
    const plain = fc.string({ unit: fc.constantFrom('a', ' ', '.', '-', '}', '{') });
    fc.assert(
      fc.property(fc.array(fc.tuple(plain, ident), { minLength: 1, maxLength: 5 }), (pairs) => {
        const text = pairs.map(([t, id]) => `${t}\${ ${id} }`).join('');
        const v = parsed(text);
        const segs: ExprSegment[] =
          v.kind === 'expr'
            ? [v.expr]
            : v.kind === 'template'
              ? v.parts.filter((p): p is ExprSegment => typeof p !== 'string')
              : [];
        expect(segs.map((s) => s.source)).toEqual(pairs.map(([, id]) => id));
        for (const s of segs)
          expect(text.slice(s.offset, s.offset + s.source.length)).toBe(s.source);
      }),
    );
  });

  it('joining a template back gives the original when no escapes are used (property)', () => {
    const unit = fc.constantFrom('a', 'b', ' ', '$', '{', '}', "'", '"', '\\', 'x', '.', 'r');
    fc.assert(
      fc.property(fc.string({ unit }), (text) => {
        const r = parseTemplateString(text);
        if (!r.ok || text.includes('$${')) return;
        const v = r.value;
        if (v.kind === 'literal') expect(v.value).toBe(text);
        if (v.kind === 'template') {
          for (const p of v.parts) if (typeof p === 'string') expect(text).toContain(p);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on random strings (property)', () => {
    const unit = fc.constantFrom('$', '{', '}', "'", '"', '\\', 'r', 'R', 'a', ' ', '\n');
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit }), fc.string({ unit: 'binary' })),
        (s) => {
          const r = parseTemplateString(s);
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) {
            expect(r.error.offset).toBeGreaterThanOrEqual(0);
            expect(r.error.offset).toBeLessThan(s.length);
            expect(s.slice(r.error.offset, r.error.offset + 2)).toBe('${');
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('a string with no ${ is always a literal equal to itself (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        fc.pre(!s.includes('${'));
        expect(parseTemplateString(s)).toEqual({ ok: true, value: { kind: 'literal', value: s } });
      }),
      { numRuns: 2000 },
    );
  });

  it('handles a long string with many expressions in linear-ish time without recursion', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `v${i}=\${x${i}};`).join('');
    const v = parsed(text);
    expect(v.kind).toBe('template');
    if (v.kind === 'template') expect(v.parts.length).toBe(10_001);
  });
});
