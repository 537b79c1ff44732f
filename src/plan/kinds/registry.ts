import { z } from 'zod';
import { callKind } from './call.ts';
import { nodeSchemaSlot, type PlanNodeLike } from './common.ts';
import { emitKind } from './emit.ts';
import { failKind } from './fail.ts';
import { type AnyKindDef, FACETS } from './kind.ts';
import { loopKind } from './loop.ts';
import { mapKind } from './map.ts';
import { paginateKind } from './paginate.ts';
import { raceKind } from './race.ts';
import { switchKind } from './switch.ts';
import { tryKind } from './try.ts';
import { valueKind } from './value.ts';
import { waitKind } from './wait.ts';

/**
 * The registry of node kinds: the built-in ones, in the order the plan format lists them,
 * and any registered later (`registerNodeKind`). Every layer finds a node's kind here.
 */
export const BUILTIN_KINDS = [
  callKind,
  valueKind,
  mapKind,
  raceKind,
  switchKind,
  loopKind,
  paginateKind,
  tryKind,
  waitKind,
  emitKind,
  failKind,
] as const;

const kinds: AnyKindDef[] = [...BUILTIN_KINDS];
const byKey = new Map<string, AnyKindDef>(kinds.map((k) => [k.key, k]));
let keys: string[] = kinds.map((k) => k.key);
let version = 0;

/**
 * A node of any registered kind. One union whose options grow as kinds are registered:
 * bodies refer to this very object, so a kind registered later is accepted inside them
 * too (zod reads a union's options when it parses).
 */
export const NodeSchema = z.union(
  BUILTIN_KINDS.map((k) => k.schema) as unknown as [z.ZodType, z.ZodType],
) as unknown as z.ZodType<PlanNodeLike>;
nodeSchemaSlot.current = NodeSchema;

function unionOptions(): z.ZodType[] {
  return (NodeSchema as unknown as z.ZodUnion<z.ZodType[]>).def.options;
}

export function nodeKinds(): readonly AnyKindDef[] {
  return kinds;
}

export function kindKeys(): readonly string[] {
  return keys;
}

export function kindByKey(key: string): AnyKindDef | undefined {
  return byKey.get(key);
}

/** Changes whenever a kind is registered or removed (for caches built from the kinds). */
export function kindsVersion(): number {
  return version;
}

/** The kind of a node: the first kind key it has, in registry order. */
export function kindOfNode(node: object): AnyKindDef | undefined {
  for (let i = 0; i < kinds.length; i++) if (Object.hasOwn(node, kinds[i]!.key)) return kinds[i];
  return undefined;
}

/** Every kind key a node has (a valid node has exactly one). */
export function kindsOfNode(node: object): AnyKindDef[] {
  return kinds.filter((k) => Object.hasOwn(node, k.key));
}

/** The facets a kind lacks (none, for a kind that can be registered). */
export function missingFacets(def: Partial<AnyKindDef>): string[] {
  return FACETS.filter((f) => def[f] === undefined);
}

/**
 * Adds a node kind. Returns a function that removes it again (tests). A kind's key must
 * not collide with a kind key, a common field or another kind's compact keyword.
 */
export function registerNodeKind(def: AnyKindDef): () => void {
  const missing = missingFacets(def);
  if (missing.length > 0)
    throw new TypeError(`node kind "${def.key}" lacks ${missing.join(', ')}: declare every facet`);
  if (byKey.has(def.key)) throw new TypeError(`node kind "${def.key}" is already registered`);
  const word = def.compact.word;
  if (word && kinds.some((k) => k.compact.word === word))
    throw new TypeError(`compact keyword "${word}" of kind "${def.key}" is already taken`);
  kinds.push(def);
  byKey.set(def.key, def);
  keys = kinds.map((k) => k.key);
  unionOptions().push(def.schema);
  version += 1;
  return () => {
    const i = kinds.indexOf(def);
    if (i < 0) return;
    kinds.splice(i, 1);
    byKey.delete(def.key);
    keys = kinds.map((k) => k.key);
    const options = unionOptions();
    options.splice(options.indexOf(def.schema), 1);
    version += 1;
  };
}

/** The table of kinds for the docs: key, compact keyword, summary. */
export function kindTable(): string {
  const rows = kinds.map(
    (k) =>
      `| \`${k.key}\` | ${k.compact.word ? `\`${k.compact.word}\`` : '(a tool name)'} | ${k.summary} |`,
  );
  return ['| kind | compact | what it does |', '| --- | --- | --- |', ...rows].join('\n');
}
