import { Environment } from '@marcbachmann/cel-js';

/**
 * The CEL environment every plan expression runs in. Plans see JSON, where every number is
 * a CEL double while literals like `1` are ints: the mixed operators below make
 * `price * 2` and `count + 1.5` work the way people expect (plan format, "Numbers").
 */
const ARITHMETIC: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};
const COMPARISON: Record<string, (a: number, b: number) => boolean> = {
  '==': (a, b) => a === b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** Structural limits applied when parsing: LLM-written expressions must stay small. */
export const CEL_LIMITS = {
  maxAstNodes: 2_000,
  maxDepth: 64,
  maxListElements: 1_000,
  maxMapEntries: 1_000,
  maxCallArguments: 32,
};

function numbers(list: unknown): number[] {
  if (!Array.isArray(list)) return [];
  return list.map((v) => (typeof v === 'bigint' ? Number(v) : Number(v)));
}

function register(env: Environment): Environment {
  for (const [op, fn] of Object.entries(ARITHMETIC)) {
    env.registerOperator(`double ${op} int`, (a: number, b: bigint) => fn(a, Number(b)));
    // The result is a double: cel-js would otherwise type it as the left operand (int), and
    // the next operator on it (`1 + x + 1`, `(1 + x) == 2`) would pick an int overload.
    env.registerOperator(`int ${op} double: double`, (a: bigint, b: number) => fn(Number(a), b));
  }
  for (const [op, fn] of Object.entries(COMPARISON)) {
    // cel-js registers the mirrored overload (int op double) and `!=` by itself.
    if (op === '==') {
      env.registerOperator('double == int', (a: number, b: bigint) => fn(a, Number(b)));
      continue;
    }
    try {
      env.registerOperator(`double ${op} int`, (a: number, b: bigint) => fn(a, Number(b)));
    } catch {
      // Already built in for this operator.
    }
  }
  const listFn = (name: string, reduce: (xs: number[]) => number | null, returns = 'double') => {
    env.registerFunction(`${name}(list): ${returns}`, (xs: unknown) => reduce(numbers(xs)));
  };
  listFn('sum', (xs) => xs.reduce((s, v) => s + v, 0));
  listFn('avg', (xs) => (xs.length ? xs.reduce((s, v) => s + v, 0) / xs.length : null), 'dyn');
  // reduce, not Math.max(...xs): spreading a tool's 500k-item list overflows the stack.
  listFn('max', (xs) => (xs.length ? xs.reduce((m, v) => Math.max(m, v)) : null), 'dyn');
  listFn('min', (xs) => (xs.length ? xs.reduce((m, v) => Math.min(m, v)) : null), 'dyn');
  env.registerFunction('round(double): double', (x: number) => Math.round(x));
  env.registerFunction('round(double, int): double', (x: number, digits: bigint) => {
    const f = 10 ** Number(digits);
    return Math.round(x * f) / f;
  });
  env.registerFunction('floor(double): double', (x: number) => Math.floor(x));
  env.registerFunction('ceil(double): double', (x: number) => Math.ceil(x));
  env.registerFunction('abs(double): double', (x: number) => Math.abs(x));
  // Integer literals and `size()` are CEL ints: `abs(-3)` and `round(size(xs))` must work too.
  for (const name of ['round', 'floor', 'ceil']) {
    env.registerFunction(`${name}(int): int`, (x: bigint) => x);
  }
  env.registerFunction('round(int, int): double', (x: bigint, digits: bigint) => {
    const f = 10 ** Number(digits);
    return Math.round(Number(x) * f) / f;
  });
  env.registerFunction('abs(int): int', (x: bigint) => (x < 0n ? -x : x));
  env.registerFunction('toJson(dyn): string', (x: unknown) => JSON.stringify(fromCel(x)));
  env.registerFunction('keys(map): list<string>', (m: unknown) =>
    m instanceof Map ? [...m.keys()].map(String) : Object.keys(m as object),
  );
  return env;
}

let runtimeEnv: Environment | undefined;
let checkBase: Environment | undefined;

/** Untyped environment used to evaluate: every name is dynamic. */
export function runtimeEnvironment(): Environment {
  runtimeEnv ??= register(
    new Environment({
      unlistedVariablesAreDyn: true,
      homogeneousAggregateLiterals: false,
      limits: CEL_LIMITS,
    }),
  );
  return runtimeEnv;
}

/**
 * A frozen typed base for type-checking; clone it and register the names in scope. Cloning
 * a small environment is cheap (~10 µs); cloning one with thousands of names is not, so
 * callers register only the names an expression uses.
 */
export function checkBaseEnvironment(): Environment {
  if (!checkBase) {
    checkBase = register(
      new Environment({
        unlistedVariablesAreDyn: false,
        homogeneousAggregateLiterals: false,
        limits: CEL_LIMITS,
      }),
    );
  }
  return checkBase;
}

/** Converts a CEL value back to JSON: ints become numbers, maps become plain objects. */
export function fromCel(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  // A function a tool left inside its result must not come out of an expression as data.
  if (typeof value === 'function' || typeof value === 'symbol') return null;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(fromCel);
  // fromEntries defines own properties: a "__proto__" key from a tool result stays data
  // instead of becoming the prototype of the copy.
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), fromCel(v)]));
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    // cel-js values such as uint (`1u`), duration and type: a number or their text, not `{}`.
    const primitive = value.valueOf();
    return typeof primitive === 'bigint' ? Number(primitive) : String(value);
  }
  return Object.fromEntries(
    Object.keys(value).map((key) => [key, fromCel((value as Record<string, unknown>)[key])]),
  );
}
