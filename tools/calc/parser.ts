import { InvalidArgsError } from '../../src/errors/runtime-errors.ts';

/** The syntax tree of an arithmetic expression. Pure data: evaluating it runs no code. */
export type CalcNode =
  | { type: 'num'; value: number }
  | { type: 'neg'; arg: CalcNode }
  | { type: 'bin'; op: '+' | '-' | '*' | '/' | '%' | '^'; left: CalcNode; right: CalcNode }
  | { type: 'name'; name: string }
  | { type: 'call'; name: string; args: CalcNode[] };

type Token =
  | { kind: 'num'; value: number; pos: number; text: string }
  | { kind: 'ident'; name: string; pos: number; text: string }
  | { kind: 'op'; op: string; pos: number; text: string }
  | { kind: 'end'; pos: number; text: string };

export const MAX_EXPRESSION_LENGTH = 2000;
const MAX_DEPTH = 100;

/** Bad input: the caller's (the model's) mistake, so not worth retrying. */
export function calcError(message: string, expression: string, position?: number) {
  const where = position === undefined ? '' : ` at position ${position + 1}`;
  return new InvalidArgsError(
    `cannot calculate ${JSON.stringify(expression.slice(0, 200))}: ${message}${where}`,
    {
      code: 'bad_expression',
      retryable: false,
      details: position === undefined ? {} : { position: position + 1 },
    },
  );
}

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i += 1;
      continue;
    }
    const rest = source.slice(i, i + 64);
    const num = NUMBER.exec(rest);
    if (num) {
      tokens.push({ kind: 'num', value: Number(num[0]), pos: i, text: num[0] });
      i += num[0].length;
      continue;
    }
    const ident = IDENT.exec(rest);
    if (ident) {
      tokens.push({ kind: 'ident', name: ident[0].toLowerCase(), pos: i, text: ident[0] });
      i += ident[0].length;
      continue;
    }
    if (source.startsWith('**', i)) {
      tokens.push({ kind: 'op', op: '^', pos: i, text: '**' });
      i += 2;
      continue;
    }
    if ('+-*/%^(),'.includes(ch)) {
      tokens.push({ kind: 'op', op: ch, pos: i, text: ch });
      i += 1;
      continue;
    }
    throw calcError(`unexpected character ${JSON.stringify(ch)}`, source, i);
  }
  tokens.push({ kind: 'end', pos: source.length, text: 'end of input' });
  return tokens;
}

/**
 * Recursive descent, lowest precedence first:
 *   expr    := term (('+' | '-') term)*
 *   term    := unary (('*' | '/' | '%') unary)*
 *   unary   := ('+' | '-') unary | power
 *   power   := primary ('^' unary)?          right-associative; -2^2 is -(2^2)
 *   primary := number | name | name '(' expr (',' expr)* ')' | '(' expr ')'
 */
export function parseExpression(source: string): CalcNode {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw calcError(`expression longer than ${MAX_EXPRESSION_LENGTH} characters`, source);
  }
  const tokens = tokenize(source);
  let at = 0;
  let depth = 0;
  const peek = (): Token => tokens[at]!;
  const isOp = (op: string): boolean => {
    const t = peek();
    return t.kind === 'op' && t.op === op;
  };
  const unexpected = (expected: string): never => {
    const t = peek();
    throw calcError(`expected ${expected}, found ${JSON.stringify(t.text)}`, source, t.pos);
  };
  const enter = (): void => {
    depth += 1;
    if (depth > MAX_DEPTH)
      throw calcError(`nested more than ${MAX_DEPTH} levels`, source, peek().pos);
  };

  const expr = (): CalcNode => {
    let left = term();
    while (isOp('+') || isOp('-')) {
      const op = (tokens[at++] as { op: '+' | '-' }).op;
      left = { type: 'bin', op, left, right: term() };
    }
    return left;
  };
  const term = (): CalcNode => {
    let left = unary();
    while (isOp('*') || isOp('/') || isOp('%')) {
      const op = (tokens[at++] as { op: '*' | '/' | '%' }).op;
      left = { type: 'bin', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): CalcNode => {
    enter();
    let node: CalcNode;
    if (isOp('-')) {
      at += 1;
      node = { type: 'neg', arg: unary() };
    } else if (isOp('+')) {
      at += 1;
      node = unary();
    } else {
      node = power();
    }
    depth -= 1;
    return node;
  };
  const power = (): CalcNode => {
    const base = primary();
    if (!isOp('^')) return base;
    at += 1;
    return { type: 'bin', op: '^', left: base, right: unary() };
  };
  const primary = (): CalcNode => {
    const t = peek();
    if (t.kind === 'num') {
      at += 1;
      return { type: 'num', value: t.value };
    }
    if (t.kind === 'ident') {
      at += 1;
      if (!isOp('(')) return { type: 'name', name: t.name };
      at += 1;
      const args: CalcNode[] = [];
      if (!isOp(')')) {
        args.push(expr());
        while (isOp(',')) {
          at += 1;
          args.push(expr());
        }
      }
      if (!isOp(')')) unexpected(`"," or ")" to close ${t.text}(`);
      at += 1;
      return { type: 'call', name: t.name, args };
    }
    if (isOp('(')) {
      at += 1;
      const inner = expr();
      if (!isOp(')')) unexpected('")"');
      at += 1;
      return inner;
    }
    return unexpected('a number, a name or "("');
  };

  if (peek().kind === 'end') throw calcError('the expression is empty', source);
  const tree = expr();
  if (peek().kind !== 'end') unexpected('an operator or the end');
  return tree;
}
