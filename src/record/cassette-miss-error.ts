import { ToolplanError } from '../errors/toolplan-error.ts';

export interface CassetteMissDetails extends Record<string, unknown> {
  method: string;
  path: string;
  cassettePath?: string;
  /** How the body differs from the nearest recording, or what was recorded instead. */
  summary: string[];
}

/** A replayed request has no recording: the code under test asked something new. */
export class CassetteMissError extends ToolplanError {
  declare readonly details: CassetteMissDetails;

  constructor(details: CassetteMissDetails) {
    const where = details.cassettePath ? `cassette ${details.cassettePath}` : 'the cassette';
    const summary = details.summary.map((line) => `\n  - ${line}`).join('');
    super(
      'CassetteMissError',
      `${where} has no recording for ${details.method} ${details.path}.${summary}\n` +
        'The request changed since the cassette was made (or the cassette is incomplete). ' +
        'Re-record it against a live provider with createRecordingFetch({ cassettePath }) ' +
        '(a key in OPENAI_API_KEY or ANTHROPIC_API_KEY), or edit the interaction by hand with ' +
        'the wire-format helpers of src/record.',
      { code: 'cassette_miss', blame: 'config', details, retryable: false },
    );
  }
}

/** Up to `limit` lines saying where `actual` differs from `recorded` (JSON paths). */
export function diffSummary(recorded: unknown, actual: unknown, limit = 6): string[] {
  const out: string[] = [];
  const show = (value: unknown) => {
    const text = JSON.stringify(value) ?? 'undefined';
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  };
  const walk = (a: unknown, b: unknown, path: string) => {
    if (out.length >= limit) return;
    if (a === b) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      if (a.length !== b.length) out.push(`${path}: recorded ${a.length} items, got ${b.length}`);
      for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`);
      return;
    }
    if (
      a &&
      b &&
      typeof a === 'object' &&
      typeof b === 'object' &&
      !Array.isArray(a) &&
      !Array.isArray(b)
    ) {
      const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
      for (const key of keys) {
        walk(
          (a as Record<string, unknown>)[key],
          (b as Record<string, unknown>)[key],
          `${path}.${key}`,
        );
      }
      return;
    }
    out.push(`${path}: recorded ${show(a)}, got ${show(b)}`);
  };
  walk(recorded, actual, 'body');
  return out;
}
