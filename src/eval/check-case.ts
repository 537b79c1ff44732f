import { type ActualCall, matchCalls } from './ast-checker.ts';
import type { CaseExpect } from './eval-case.ts';

/** What a case's expectations are checked against. */
export interface Observed {
  status: string;
  answer: string | undefined;
  llmCalls: number;
  toolCalls: readonly ActualCall[];
  ratio: number | undefined;
}

/**
 * Every way an observed run falls short of a case's expectations, one line each; empty when
 * it holds. The status defaults to "answered": a case that means to fail says so. Pure.
 */
export function checkExpectations(expect: CaseExpect, seen: Observed): string[] {
  const failures: string[] = [];
  const status = expect.status ?? 'answered';
  if (seen.status !== status) failures.push(`status is ${seen.status}, expected ${status}`);
  if (expect.answer) failures.push(...checkAnswer(expect.answer, seen.answer));
  if (expect.calls) {
    const result = matchCalls(seen.toolCalls, expect.calls, { exact: expect.exactCalls ?? false });
    failures.push(...result.problems);
  }
  if (expect.maxLlmCalls !== undefined && seen.llmCalls > expect.maxLlmCalls) {
    failures.push(`${seen.llmCalls} LLM calls, at most ${expect.maxLlmCalls} expected`);
  }
  if (expect.maxMakespanRatio !== undefined && seen.ratio !== undefined) {
    if (seen.ratio > expect.maxMakespanRatio) {
      failures.push(
        `makespan is ${seen.ratio.toFixed(2)}x the critical path, at most ${expect.maxMakespanRatio}x expected`,
      );
    }
  }
  return failures;
}

function checkAnswer(
  expect: NonNullable<CaseExpect['answer']>,
  answer: string | undefined,
): string[] {
  if (answer === undefined) return ['no answer was given'];
  const failures: string[] = [];
  const shown = answer.length > 200 ? `${answer.slice(0, 197)}...` : answer;
  if (expect.equals !== undefined && !equalsAnswer(answer, expect.equals)) {
    failures.push(
      `answer ${JSON.stringify(shown)} does not equal ${JSON.stringify(expect.equals)}`,
    );
  }
  const needles = expect.contains === undefined ? [] : [expect.contains].flat();
  for (const needle of needles) {
    if (!answer.toLowerCase().includes(needle.toLowerCase())) {
      failures.push(`answer ${JSON.stringify(shown)} does not contain ${JSON.stringify(needle)}`);
    }
  }
  if (expect.matches !== undefined && !new RegExp(expect.matches, 'i').test(answer)) {
    failures.push(`answer ${JSON.stringify(shown)} does not match /${expect.matches}/i`);
  }
  return failures;
}

/** A string answer equals its text; a structured expectation equals the answer parsed as JSON. */
function equalsAnswer(answer: string, expected: unknown): boolean {
  if (typeof expected === 'string') return answer.trim() === expected.trim();
  try {
    return JSON.stringify(sortDeep(JSON.parse(answer))) === JSON.stringify(sortDeep(expected));
  } catch {
    return false;
  }
}

function sortDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortDeep);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortDeep((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
