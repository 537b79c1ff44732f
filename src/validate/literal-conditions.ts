// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import type { GraphNode } from '../plan/plan-graph.ts';
import { type IssueList, preview } from './issues.ts';

/** Conditions, lists and scores written as plain strings can never work. */
export function checkLiteralConditions(
  node: GraphNode,
  raw: Record<string, unknown>,
  issues: IssueList,
): void {
  const literal = (v: unknown) => typeof v === 'string' && !v.includes('${');
  if (literal(raw.if))
    issues.error(
      `${node.pointer}/if`,
      'not_boolean',
      `"if" must be a boolean expression like "\${user.verified}", got the plain string ${preview(raw.if)}`,
    );
  if (node.kind === 'loop' && literal(raw.while))
    issues.error(
      `${node.pointer}/while`,
      'not_boolean',
      `"while" must be a boolean expression like "\${st.state != 'done'}", got the plain string ${preview(raw.while)}`,
    );
  if (node.kind === 'switch' && Array.isArray(raw.switch))
    raw.switch.forEach((c, i) => {
      const when = c && typeof c === 'object' ? (c as Record<string, unknown>).when : undefined;
      if (literal(when))
        issues.error(
          `${node.pointer}/switch/${i}/when`,
          'not_boolean',
          `"when" must be a boolean expression like "\${stock.count > 0}", got the plain string ${preview(when)}`,
        );
    });
  if (
    node.kind === 'map' &&
    raw.map !== undefined &&
    !Array.isArray(raw.map) &&
    !(typeof raw.map === 'string' && raw.map.includes('${'))
  )
    issues.error(
      `${node.pointer}/map`,
      'not_a_list',
      `"map" must be a list or an expression giving one, like "\${input.user_ids}", got ${preview(raw.map)}`,
    );
  if (node.kind === 'race' && literal(raw.score))
    issues.error(
      `${node.pointer}/score`,
      'not_a_number',
      `"score" must be a number expression with \`result\` in scope, like "\${result.confidence}", got the plain string ${preview(raw.score)}`,
    );
  if (node.kind === 'paginate' && literal(raw.items))
    issues.error(
      `${node.pointer}/items`,
      'not_a_list',
      `"items" must be an expression giving the page's items, like "\${page.items}", got the plain string ${preview(raw.items)}`,
    );
}
