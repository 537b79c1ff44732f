import type { RunEvent } from './events.ts';

/**
 * One event as one JSON line, and back, losslessly for every value the runtime can produce:
 * plain JSON turns Infinity, -Infinity and NaN into null and -0 into 0 (a resumed run then
 * computed something else than the live one), and throws on a bigint. Those values, and byte
 * arrays, are written as `{"$t": tag, "v": text}`; a real object that has a `$t` key is
 * wrapped as `{"$t": "o", "v": object}` so that nothing a tool returns can pass for a tag.
 */
const TAG = '$t';

function encodeNumber(n: number): unknown {
  if (Number.isFinite(n)) return Object.is(n, -0) ? { [TAG]: 'n', v: '-0' } : n;
  return { [TAG]: 'n', v: String(n) };
}

/** Whether plain JSON would lose something: one walk, far cheaper than a replacer call per value. */
function needsTags(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case 'number':
      return !Number.isFinite(value) || Object.is(value, -0);
    case 'bigint':
      return true;
    case 'object': {
      if (value === null) return false;
      // Deep values take the replacer path rather than risk this walk's stack.
      if (depth > 64 || ArrayBuffer.isView(value)) return true;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (needsTags(value[i], depth + 1)) return true;
        return false;
      }
      if (Object.hasOwn(value, TAG)) return true;
      for (const k in value)
        if (needsTags((value as Record<string, unknown>)[k], depth + 1)) return true;
      return false;
    }
    default:
      return false;
  }
}

export function encodeEvent(event: RunEvent): string {
  if (!needsTags(event, 0)) return JSON.stringify(event);
  const wrapped = new WeakSet<object>();
  return JSON.stringify(event, function (this: unknown, _key: string, value: unknown) {
    switch (typeof value) {
      case 'number':
        return Number.isFinite(value) && !Object.is(value, -0) ? value : encodeNumber(value);
      case 'bigint':
        return { [TAG]: 'big', v: value.toString() };
      case 'object':
        if (value === null || Array.isArray(value)) return value;
        if (value instanceof Uint8Array)
          return { [TAG]: 'bytes', v: Buffer.from(value).toString('base64') };
        if (Object.hasOwn(value, TAG) && !wrapped.has(value)) {
          wrapped.add(value);
          return { [TAG]: 'o', v: value };
        }
        return value;
      default:
        return value;
    }
  });
}

function decodeTagged(tag: unknown, v: unknown): unknown {
  switch (tag) {
    case 'n':
      return v === '-0' ? -0 : Number(v);
    case 'big':
      return BigInt(v as string);
    case 'bytes':
      return new Uint8Array(Buffer.from(v as string, 'base64'));
    case 'o':
      return v;
    default:
      throw new SyntaxError(`unknown journal value tag ${JSON.stringify(tag)}`);
  }
}

/** Own data property, even for a `__proto__` key, and only when the value changed. */
function put(o: Record<string, unknown>, k: string, v: unknown): void {
  if (o[k] !== v)
    Object.defineProperty(o, k, { value: v, writable: true, enumerable: true, configurable: true });
}

function decodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeValue(value[i]);
    return value;
  }
  const o = value as Record<string, unknown>;
  if (Object.hasOwn(o, TAG)) {
    if (o[TAG] !== 'o') return decodeTagged(o[TAG], o.v);
    // A wrapped object: its own `$t` is data, not a tag; its values may hold tags.
    const inner = o.v as Record<string, unknown>;
    for (const k of Object.keys(inner)) put(inner, k, decodeValue(inner[k]));
    return inner;
  }
  for (const k of Object.keys(o)) put(o, k, decodeValue(o[k]));
  return o;
}

/** Throws SyntaxError on a line that is not an encoded event. */
export function decodeEvent(line: string): RunEvent {
  const raw: unknown = JSON.parse(line);
  if (
    raw === null ||
    typeof raw !== 'object' ||
    typeof (raw as { type?: unknown }).type !== 'string' ||
    typeof (raw as { seq?: unknown }).seq !== 'number'
  )
    throw new SyntaxError('not a journal event (no type or seq)');
  // Most lines have no tag at all: skip the walk for them.
  return (line.includes('"$t"') ? decodeValue(raw) : raw) as RunEvent;
}
