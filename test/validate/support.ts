import { expect } from 'vitest';
import { ToolRegistry } from '../../src/tool/registry.ts';
import type { IssueCode, PlanIssue } from '../../src/validate/issues.ts';
import type { ValidationResult } from '../../src/validate/validate-plan.ts';
import { tools } from './fixtures/tools.ts';

export const registry = ToolRegistry.from(tools, 'fixtures/tools.ts');

export function plan(
  nodes: unknown[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { version: 1, nodes, ...extra };
}

/** Asserts an issue with this path and code, and returns it for message checks. */
export function issueAt(result: ValidationResult, path: string, code: IssueCode): PlanIssue {
  const hit = result.issues.find((i) => i.path === path && i.code === code);
  expect(hit, `no ${code} at ${path}; got ${JSON.stringify(result.issues, null, 1)}`).toBeDefined();
  return hit!;
}

export function errorsOf(result: ValidationResult): PlanIssue[] {
  return result.issues.filter((i) => i.severity === 'error');
}
