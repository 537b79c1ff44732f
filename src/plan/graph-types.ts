import type { CompiledExpression } from '../expr/expression.ts';
import type { AnyKindDef, SitePart } from './kinds/kind.ts';
import type { PlanNode } from './plan-schema.ts';

/** The plan graph's data: scopes, nodes and expression sites, and what it found wrong. */
/** Where a `${ }` string sits and what it can see. */
/** Where a site sits (`args`, `when`, `output`, ...): the role its kind declares. */
export type SiteRole = string;

export interface ExprSite {
  pointer: string;
  text: string;
  role: SiteRole;
  /** What the kind declared about the field (its key, what it must give, when it is typed). */
  part: SitePart;
  /** The list whose node ids (and its ancestors') are visible here. */
  scope: ListScope;
  /** The node of `scope` the site belongs to; null when it sees the whole list (while, output). */
  from: GraphNode | null;
  /** The node that owns the site (for `while`, the loop), null for the plan output. */
  owner: GraphNode | null;
  /** Names bound here besides node ids: input, item, index, error, cursor, ... */
  locals: ReadonlySet<string>;
  /** Parsed expressions: one for a whole-string expression, several for a template. */
  exprs: CompiledExpression[];
  /** True when the whole string is one expression, so its value keeps its type. */
  whole: boolean;
  refs: ReadonlySet<string>;
}

/** What a body is to its node (`do`, `case`, `catch`, ...), or `root`. */
export type BodyRole = string;

export interface ListScope {
  pointer: string;
  role: BodyRole;
  owner: GraphNode | null;
  parent: ListScope | null;
  nodes: GraphNode[];
  byId: Map<string, GraphNode>;
  /** Names bound in this list and below (the map's `as` + index, catch's error, ...). */
  locals: ReadonlySet<string>;
}

export interface GraphNode {
  id: string;
  /** The kind key, and the kind (undefined for a node with none). */
  kind: string | undefined;
  def: AnyKindDef | undefined;
  node: PlanNode;
  pointer: string;
  list: ListScope;
  parent: GraphNode | null;
  depth: number;
  /** Position in `list.nodes`. */
  index: number;
  sites: readonly ExprSite[];
  /** Body lists owned by this node, in order (switch: one per case). */
  bodies: readonly ListScope[];
  /** Ids of siblings (same list) this node waits for: data references and `after`. */
  deps: ReadonlySet<string>;
}

/*
 * Most nodes have no sites, no bodies, or no dependencies: they share these empty values
 * until their first entry (`addSite`, `addBody`, `addDep`), so a plan of 100,000 nodes does
 * not allocate 300,000 empty containers that live as long as the graph.
 */
export type GraphProblemCode =
  | 'unresolved_reference'
  | 'unknown_after'
  | 'enclosing_reference'
  | 'expression_syntax'
  | 'duplicate_id'
  | 'dependency_cycle';

export interface GraphProblem {
  code: GraphProblemCode;
  pointer: string;
  message: string;
  ref?: string;
  cycle?: string[];
}

export interface PlanGraph {
  root: ListScope;
  /** Every node, in document order. */
  all: GraphNode[];
  /** First node with each id. */
  byId: Map<string, GraphNode>;
  sites: ExprSite[];
  output: ExprSite | undefined;
  problems: GraphProblem[];
  maxDepth: number;
}
