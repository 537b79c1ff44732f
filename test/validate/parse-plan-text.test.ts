import { describe, expect, it } from 'vitest';
import { jsonFault } from '../../src/validate/parse-plan-text.ts';
import { closestNames, editDistance } from '../../src/validate/suggest.ts';
import { validatePlanText } from '../../src/validate/validate-plan.ts';
import { issueAt, registry } from './support.ts';

const good = '{"version": 1, "nodes": [{"id": "u", "call": "get_user", "args": {"user_id": "1"}}]}';

describe('validatePlanText', () => {
  it('accepts plain JSON', () => {
    const r = validatePlanText(good, registry);
    expect(r.valid).toBe(true);
    expect(r.issues).toEqual([]);
  });
  it('extracts JSON from code fences, with a warning', () => {
    const r = validatePlanText(`Here you go:\n\`\`\`json\n${good}\n\`\`\`\nThanks`, registry);
    expect(r.valid).toBe(true);
    expect(issueAt(r, '', 'extracted_json').severity).toBe('warning');
  });
  it('extracts JSON from prose, with a warning', () => {
    const r = validatePlanText(`The plan is ${good} as requested.`, registry);
    expect(r.valid).toBe(true);
    expect(issueAt(r, '', 'extracted_json').message).toContain('prose');
  });
  it('says truncated JSON looks truncated, with the offset', () => {
    const text = good.slice(0, 50);
    const r = validatePlanText(text, registry);
    expect(r.valid).toBe(false);
    expect(issueAt(r, '', 'truncated_json').message).toContain(`offset ${text.length}`);
  });
  it('spots truncation inside an unclosed code fence', () => {
    const r = validatePlanText(`\`\`\`json\n${good.slice(0, 40)}`, registry);
    issueAt(r, '', 'truncated_json');
  });
  it('reports text that is not JSON with line and column', () => {
    const r = validatePlanText('{"version": 1,\n nodes: []}', registry);
    expect(issueAt(r, '', 'invalid_json').message).toMatch(/line 2, column 2/);
    issueAt(validatePlanText('I cannot help with that.', registry), '', 'invalid_json');
    issueAt(validatePlanText('', registry), '', 'invalid_json');
  });
  it('validates the extracted plan', () => {
    const r = validatePlanText(
      '```\n{"version": 1, "nodes": [{"id": "u", "call": "nope"}]}\n```',
      registry,
    );
    issueAt(r, '/nodes/0/call', 'unknown_tool');
  });
});

describe('suggestions', () => {
  it('edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('abc', 'xyz123', 1)).toBe(2);
  });
  it('closest names by distance, containment and word order', () => {
    const names = ['get_user', 'get_orders', 'user_get', 'calculate_total'];
    expect(closestNames('get_usr', names)[0]).toBe('get_user');
    expect(closestNames('total', names)).toContain('calculate_total');
    expect(closestNames('getUser', names)).toContain('get_user');
    expect(closestNames('zzzzzz', names)).toEqual([]);
  });
});

describe('where JSON text breaks', () => {
  const message = (text: string, audience?: 'llm' | 'person') =>
    validatePlanText(text, registry, audience ? { audience } : {}).issues[0]!.message;

  it('finds a trailing comma before ] or } at its real line and column (JSON.parse gives no position)', () => {
    const text = '{\n  "version": 1,\n  "nodes": [\n    {"id": "a", "value": 1},\n  ]\n}';
    expect(message(text, 'person')).toBe(
      'not valid JSON at line 4, column 28: a trailing comma before "]" (JSON allows none)',
    );
    expect(jsonFault('{"a": 1,}')).toEqual({
      offset: 7,
      what: 'a trailing comma before "}" (JSON allows none)',
    });
  });

  it('words the message for the LLM by default and for a person on request', () => {
    const text = '{"version": 1 "nodes": []}';
    expect(message(text)).toMatch(/Reply with a single JSON object/);
    expect(message(text, 'person')).toBe(
      'not valid JSON at line 1, column 15: a comma is expected',
    );
  });
});
