import { createHash } from 'node:crypto';

/** What OpenAI accepts for a function name (Anthropic's rule is looser, so this serves both). */
export const PROVIDER_TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

export interface ToolNameMap {
  /** The wire name for a registered name (registered names not in the map are encoded too). */
  toProvider(name: string): string;
  /** The registered name for a wire name; an unknown wire name (a hallucinated tool) is returned as is. */
  fromProvider(wireName: string): string;
}

const MAX = 64;
const HASH_LENGTH = 8;

function shortHash(text: string, salt: number): string {
  return createHash('sha256').update(`${salt}:${text}`).digest('hex').slice(0, HASH_LENGTH);
}

/** Readable wire name: invalid characters become `_`, plus a hash of the original so it is unique. */
function encode(name: string, salt: number): string {
  const hash = shortHash(name, salt);
  const readable = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, MAX - HASH_LENGTH - 1);
  return `${readable}_${hash}`;
}

/**
 * A reversible, collision-free, deterministic mapping between registered tool names (which may
 * hold dots, spaces, anything) and names a provider accepts. Valid names map to themselves, so
 * the LLM sees the names people wrote wherever possible. The result depends only on the set of
 * names, not their order.
 */
export function createToolNameMap(names: Iterable<string>): ToolNameMap {
  const unique = [...new Set(names)].sort();
  const toWire = new Map<string, string>();
  const fromWire = new Map<string, string>();
  // Valid names first, so an encoded name can never take a name someone registered.
  for (const name of unique) {
    if (PROVIDER_TOOL_NAME.test(name)) {
      toWire.set(name, name);
      fromWire.set(name, name);
    }
  }
  for (const name of unique) {
    if (toWire.has(name)) continue;
    let salt = 0;
    let wire = encode(name, salt);
    while (fromWire.has(wire)) wire = encode(name, ++salt);
    toWire.set(name, wire);
    fromWire.set(wire, name);
  }
  return {
    toProvider(name) {
      const known = toWire.get(name);
      if (known !== undefined) return known;
      return PROVIDER_TOOL_NAME.test(name) ? name : encode(name, 0);
    },
    fromProvider(wireName) {
      return fromWire.get(wireName) ?? wireName;
    },
  };
}
