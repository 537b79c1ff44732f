import { type CalcNode, calcError, parseExpression } from './parser.ts';

const CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E, tau: 2 * Math.PI };

interface Fn {
  arity: [min: number, max: number];
  apply(args: number[], fail: (message: string) => never): number;
}

function roundHalfAway(x: number, digits: number): number {
  const f = 10 ** digits;
  return (Math.sign(x) * Math.round(Math.abs(x) * f)) / f;
}

const FUNCTIONS: Record<string, Fn> = {
  sqrt: { arity: [1, 1], apply: ([x]) => Math.sqrt(x!) },
  abs: { arity: [1, 1], apply: ([x]) => Math.abs(x!) },
  round: {
    arity: [1, 2],
    apply: ([x, d = 0], fail) => {
      if (!Number.isInteger(d) || d < 0 || d > 15) fail('round digits must be an integer 0..15');
      return roundHalfAway(x!, d);
    },
  },
  floor: { arity: [1, 1], apply: ([x]) => Math.floor(x!) },
  ceil: { arity: [1, 1], apply: ([x]) => Math.ceil(x!) },
  min: { arity: [1, 100], apply: (xs) => Math.min(...xs) },
  max: { arity: [1, 100], apply: (xs) => Math.max(...xs) },
  pow: { arity: [2, 2], apply: ([x, y]) => x! ** y! },
  exp: { arity: [1, 1], apply: ([x]) => Math.exp(x!) },
  ln: { arity: [1, 1], apply: ([x]) => Math.log(x!) },
  log: {
    arity: [1, 2],
    apply: ([x, base]) => (base === undefined ? Math.log(x!) : Math.log(x!) / Math.log(base)),
  },
  log10: { arity: [1, 1], apply: ([x]) => Math.log10(x!) },
  sin: { arity: [1, 1], apply: ([x]) => Math.sin(x!) },
  cos: { arity: [1, 1], apply: ([x]) => Math.cos(x!) },
  tan: { arity: [1, 1], apply: ([x]) => Math.tan(x!) },
};

export const FUNCTION_NAMES = Object.keys(FUNCTIONS);
export const CONSTANT_NAMES = Object.keys(CONSTANTS);

/** Walks the tree; every intermediate value must be a finite number. */
export function evaluateTree(node: CalcNode, source: string): number {
  const fail = (message: string): never => {
    throw calcError(message, source);
  };
  const check = (value: number, what: string): number => {
    if (Number.isNaN(value)) fail(`${what} is not a real number`);
    if (!Number.isFinite(value)) fail(`${what} overflows`);
    return value;
  };
  const visit = (n: CalcNode): number => {
    switch (n.type) {
      case 'num':
        return check(n.value, 'a number');
      case 'name': {
        const value = Object.hasOwn(CONSTANTS, n.name) ? CONSTANTS[n.name] : undefined;
        if (value === undefined) {
          return fail(
            Object.hasOwn(FUNCTIONS, n.name)
              ? `${n.name} is a function: write ${n.name}(...)`
              : `unknown name "${n.name}"; constants: ${CONSTANT_NAMES.join(', ')}`,
          );
        }
        return value;
      }
      case 'neg':
        return -visit(n.arg);
      case 'bin': {
        const a = visit(n.left);
        const b = visit(n.right);
        switch (n.op) {
          case '+':
            return check(a + b, 'the sum');
          case '-':
            return check(a - b, 'the difference');
          case '*':
            return check(a * b, 'the product');
          case '/':
            if (b === 0) fail('division by zero');
            return check(a / b, 'the quotient');
          case '%':
            if (b === 0) fail('modulo by zero');
            return check(a % b, 'the remainder');
          case '^':
            return check(a ** b, `${a}^${b}`);
        }
        return fail('unknown operator');
      }
      case 'call': {
        // hasOwn: names like "constructor" must not reach Object.prototype.
        const fn = Object.hasOwn(FUNCTIONS, n.name) ? FUNCTIONS[n.name] : undefined;
        if (!fn) fail(`unknown function "${n.name}"; functions: ${FUNCTION_NAMES.join(', ')}`);
        const [min, max] = fn!.arity;
        if (n.args.length < min || n.args.length > max) {
          fail(
            `${n.name} takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${n.args.length}`,
          );
        }
        return check(fn!.apply(n.args.map(visit), fail), `${n.name}(...)`);
      }
    }
  };
  const value = visit(node);
  return Object.is(value, -0) ? 0 : value;
}

/** Parses and evaluates arithmetic text. Throws InvalidArgs (never anything else) on bad input. */
export function calculate(source: string): number {
  return evaluateTree(parseExpression(source), source);
}
