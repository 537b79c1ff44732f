import { describe, expect, it } from 'vitest';
import { type CompactError, parseCompactPlan } from '../../src/compact/index.ts';

function errorsOf(text: string): CompactError[] {
  const result = parseCompactPlan(text);
  if (result.ok) throw new Error(`expected errors, parsed ${JSON.stringify(result.plan)}`);
  return result.errors;
}

function onlyError(text: string): CompactError {
  const errors = errorsOf(text);
  expect(errors).toHaveLength(1);
  return errors[0]!;
}

describe('parseCompactPlan: errors carry line, column, what was expected and found', () => {
  it('an unclosed brace is reported where it opens', () => {
    const e = onlyError('a = f()\nb = map xs as x {\n  c = g(v: x)\n');
    expect(e).toMatchObject({ line: 2, column: 17 });
    expect(e.message).toMatch(/unclosed "\{": expected "\}"/);
  });

  it('a missing "=" after the node id', () => {
    const e = onlyError('user = get_user(id: 1)\norders get_orders(user_id: user.id)');
    expect(e).toMatchObject({ line: 2, column: 8 });
    expect(e.message).toBe('expected "=" after node id "orders", found "get_orders"');
  });

  it('bad argument lists: positional, missing colon, double comma, unclosed paren', () => {
    const positional = onlyError('a = get_user("u1")');
    expect(positional).toMatchObject({ line: 1, column: 18 });
    expect(positional.message).toMatch(/^expected ":" after argument name "u1", found "\)"/);
    expect(positional.message).toMatch(/arguments are named/);

    expect(onlyError('a = f(x 1)')).toMatchObject({ line: 1, column: 9 });
    const comma = onlyError('a = f(x: 1,, y: 2)');
    expect(comma).toMatchObject({ line: 1, column: 12 });
    expect(comma.message).toBe('expected an argument "name: value" or ")", found ","');

    const unclosed = onlyError('a = f(id: 1\nb = g()');
    expect(unclosed).toMatchObject({ line: 1, column: 12 });
    expect(unclosed.message).toBe(
      'expected "," or ")" to close the "(" at line 1 column 6, found end of line',
    );
  });

  it('an unknown keyword in kind position and an unknown option', () => {
    const kind = onlyError('x = f()\na = lop max 3 { b = f() }');
    expect(kind).toMatchObject({ line: 2, column: 5 });
    expect(kind.message).toMatch(/^unknown keyword "lop": expected a tool call/);

    const option = onlyError('a = f() retyr 3');
    expect(option).toMatchObject({ line: 1, column: 9 });
    expect(option.message).toMatch(/^unknown option "retyr" for a call: expected one of .*retry/);

    const onMap = onlyError('m = map xs retry 2 timout 5 { y = f() }');
    expect(onMap).toMatchObject({ line: 1, column: 20 });
    expect(onMap.message).toMatch(/unknown option "timout" for a map: .*or "\{"$/);
  });

  it('a loop without max or while, and a paginate without next/items/max', () => {
    const noMax = onlyError('job = loop while st.state != "done" {\n  st = status()\n}');
    expect(noMax).toMatchObject({ line: 1, column: 7 });
    expect(noMax.message).toMatch(/^a loop needs "max N"/);

    expect(onlyError('job = loop max 3 { st = status() }').message).toMatch(/needs "while COND"/);

    const pg = onlyError('x = f()\nall = paginate f(c: cursor) next page.next');
    expect(pg).toMatchObject({ line: 2, column: 7 });
    expect(pg.message).toMatch(/^a paginate needs "items EXPR" and "max N", e\.g\. paginate/);
  });

  it('reports several errors, continuing at the next line and inside blocks', () => {
    const errors = errorsOf(
      [
        'a = f() if x y',
        'b = g() timeout soon',
        'c = switch {',
        '  wen x { d = f() }',
        '  else { e = g(v: ) }',
        '}',
        'f = h()',
        '}',
      ].join('\n'),
    );
    expect(errors.map((e) => [e.line, e.column])).toEqual([
      [1, 14],
      [2, 17],
      [4, 3],
      [5, 19],
      [8, 1],
    ]);
    expect(errors[0]!.message).toMatch(/after "x", found "y"/);
    expect(errors[1]!.message).toBe(
      'expected the timeout in milliseconds (a number), found "soon"',
    );
    expect(errors[2]!.message).toMatch(/expected "when COND \{\.\.\.\}" or "else \{\.\.\.\}"/);
    expect(errors[3]!.message).toMatch(/expected a value for argument "v", found "\)"/);
    expect(errors[4]!.message).toBe('unexpected "}": no block is open here');
  });

  it('unterminated strings, unbalanced expressions, empty bodies, plan settings in bodies', () => {
    expect(onlyError('a = f(x: "abc)\n')).toMatchObject({ line: 1, column: 10 });
    const paren = onlyError('a = value (1 + 2\n');
    expect(paren).toMatchObject({ line: 1, column: 11 });
    expect(paren.message).toMatch(/unclosed "\("/);
    const mismatch = onlyError('a = value [1, 2)');
    expect(mismatch).toMatchObject({ line: 1, column: 16 });
    expect(mismatch.message).toBe('expected "]" to close "[", found ")"');
    expect(onlyError('r = race {}').message).toMatch(/^empty body/);
    expect(onlyError('t = try {\n  output "x"\n}')).toMatchObject({ line: 2, column: 3 });
    expect(onlyError('goal "a"\ngoal "b"')).toMatchObject({ line: 2, column: 1 });
  });

  it('an unclosed bracket ends at the next node line, so later lines are still checked', () => {
    const errors = errorsOf(
      'a = f(x: [1, 2\nb = g(y: {"k": 1)\nc = h()\nd = value {\n  \'k\': 1\n}',
    );
    expect(errors).toEqual([
      { line: 1, column: 10, message: 'unclosed "[": expected "]"' },
      { line: 2, column: 17, message: 'expected "}" to close "{", found ")"' },
    ]);
  });

  it('rejects positions the parser cannot start a node at', () => {
    expect(onlyError('= f()')).toMatchObject({ line: 1, column: 1 });
    expect(onlyError('a = ')).toMatchObject({ line: 1, column: 5 });
    expect(onlyError('a = wait soon').message).toMatch(/expected the milliseconds to wait/);
  });
});
