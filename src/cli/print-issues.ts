import type { PlanIssue } from '../validate/issues.ts';

export function formatIssue(issue: PlanIssue): string {
  return `${issue.severity} ${issue.path || '/'} ${issue.code}: ${issue.message}`;
}

export const NO_TOOLS_HINT =
  'no --tools module was given, so no tool is registered: pass --tools MODULE (a .js or .ts module exporting `tools`, e.g. --tools ./tools/index.ts)';

/**
 * The lines a person reads for a plan's issues. With no --tools at all, every call is an
 * unknown tool: one hint to pass --tools says it once instead of once per call.
 */
export function issueLines(issues: readonly PlanIssue[], toolsGiven: boolean): string[] {
  if (toolsGiven) return issues.map(formatIssue);
  const rest = issues.filter((i) => i.code !== 'unknown_tool');
  const unknown = issues.length - rest.length;
  return unknown === 0
    ? rest.map(formatIssue)
    : [`error ${NO_TOOLS_HINT}`, ...rest.map(formatIssue)];
}
