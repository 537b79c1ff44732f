// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { executePlan } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';
import { makeTools } from '../support/exec-tools.ts';

/**
 * The plan format's expression rules, end to end through the executor: what a tool
 * receives as arguments and what the plan outputs.
 */

async function run(nodes: unknown[], extra: Record<string, unknown> = {}, input?: unknown) {
  const { tools, log } = makeTools();
  const result = await executePlan({ version: 1, nodes, ...extra }, { tools, input });
  return { result, log };
}

async function outputOf(nodes: unknown[], extra: Record<string, unknown> = {}, input?: unknown) {
  const { result } = await run(nodes, extra, input);
  expect(result.status, JSON.stringify(result)).toBe('succeeded');
  return result.status === 'succeeded' ? result.output : undefined;
}

describe('whole expressions keep their type', () => {
  it('numbers, booleans, null, lists and objects are not stringified', async () => {
    const input = { n: 3, f: 2.5, b: true, z: null, xs: [1, 'a', null], o: { k: [1, 2] } };
    const { result, log } = await run(
      [
        {
          id: 'e',
          call: 'echo',
          args: {
            n: '${input.n}',
            f: '${input.f}',
            b: '${input.b}',
            z: '${input.z}',
            xs: '${input.xs}',
            o: '${input.o}',
            spaced: '${  input.n  }',
          },
        },
      ],
      {},
      input,
    );
    expect(result.status).toBe('succeeded');
    expect(log[0]!.args).toEqual({ ...input, spaced: 3 });
    const args = log[0]!.args as Record<string, unknown>;
    expect(typeof args.n).toBe('number');
    expect(typeof args.b).toBe('boolean');
  });

  it('a map literal with braces balances inside ${ }', async () => {
    const out = await outputOf([{ id: 'v', value: "${ {'a': 1, 'b': {'c': [2]}} }" }]);
    expect(out).toEqual({ v: { a: 1, b: { c: [2] } } });
  });

  it('braces inside CEL string literals do not end the expression', async () => {
    const out = await outputOf([{ id: 'v', value: '${ \'a}b\' + "{" }' }]);
    expect(out).toEqual({ v: 'a}b{' });
  });

  it('expressions are found in nested objects and arrays of args and values', async () => {
    const { log } = await run(
      [
        {
          id: 'e',
          call: 'echo',
          args: { deep: { list: ['${input.a}', { x: '${input.a + 1}' }] } },
        },
      ],
      {},
      { a: 1 },
    );
    expect(log[0]!.args).toEqual({ deep: { list: [1, { x: 2 }] } });
  });
});

describe('templates write each value as text', () => {
  it('numbers, booleans and strings are interpolated into the surrounding text', async () => {
    const { log } = await run(
      [{ id: 'e', call: 'echo', args: { t: 'n=${input.n} b=${input.b} s=${input.s}!' } }],
      {},
      { n: 42, b: false, s: 'x' },
    );
    expect(log[0]!.args).toEqual({ t: 'n=42 b=false s=x!' });
  });

  it('a decimal in a template is written as JSON writes it', async () => {
    const { log } = await run(
      [{ id: 'e', call: 'echo', args: { t: '${input.p}€ ${input.i}' } }],
      {},
      { p: 1.5, i: 2 },
    );
    expect(log[0]!.args).toEqual({ t: '1.5€ 2' });
  });

  it('a template around a single expression is still a string', async () => {
    const out = await outputOf([{ id: 'v', value: ' ${1 + 1}' }]);
    expect(out).toEqual({ v: ' 2' });
  });

  it('the plan output can be a template', async () => {
    const out = await outputOf([{ id: 'a', call: 'add', args: { a: 2, b: 0.5 } }], {
      output: 'sum is ${a.sum}',
    });
    expect(out).toBe('sum is 2.5');
  });
});

describe('$${ is a literal ${', () => {
  it('in args, the tool receives the text unevaluated', async () => {
    const { log } = await run([
      { id: 'e', call: 'echo', args: { t: 'cost: $${price}', u: '$${a} and ${1 + 1}' } },
    ]);
    expect(log[0]!.args).toEqual({ t: 'cost: ${price}', u: '${a} and 2' });
  });

  it('a string with no ${ is a literal, even with $ and braces', async () => {
    const { log } = await run([{ id: 'e', call: 'echo', args: { t: '$x {y} $ {z}' } }]);
    expect(log[0]!.args).toEqual({ t: '$x {y} $ {z}' });
  });
});

describe('numbers behave as people expect', () => {
  it('integers and decimals mix in arithmetic and comparison, and come out as JSON numbers', async () => {
    const out = await outputOf(
      [
        {
          id: 'v',
          value: {
            times: '${input.price * 2}',
            plus: '${input.count + 1.5}',
            intPlusDouble: '${1 + input.price}',
            cmp: '${input.count > 1}',
            cmpEq: '${input.count == 2}',
            div: '${input.price / 2}',
            size: '${size(input.xs) + 1}',
            literalInt: '${7}',
          },
        },
      ],
      {},
      { price: 2.5, count: 2, xs: [1, 2, 3] },
    );
    expect(out).toEqual({
      v: {
        times: 5,
        plus: 3.5,
        intPlusDouble: 3.5,
        cmp: true,
        cmpEq: true,
        div: 1.25,
        size: 4,
        literalInt: 7,
      },
    });
    const v = (out as { v: Record<string, unknown> }).v;
    for (const k of ['times', 'plus', 'size', 'literalInt']) expect(typeof v[k]).toBe('number');
  });

  it('a mixed int/double result stays a double for the operators after it', async () => {
    // Regression: `int op double` was typed int, so `1 + x + 1` failed ("Cannot mix BigInt")
    // and `(1 + x) == 2` was silently false.
    const out = await outputOf(
      [
        {
          id: 'v',
          value: {
            chain: '${1 + input.x + 1}',
            nested: '${(3 - input.x) * 2}',
            eq: '${(1 + input.x) == 2}',
            ne: '${(1 + input.x) != 2}',
            mul: '${2 * input.x * 3}',
            div: '${1 / input.x * 4}',
            idx: '${input.xs.map(i, (10 - i) * 2)}',
          },
        },
      ],
      {},
      { x: 1, xs: [1, 2.5] },
    );
    expect(out).toEqual({
      v: { chain: 3, nested: 4, eq: true, ne: false, mul: 6, div: 4, idx: [18, 15] },
    });
  });

  it('a tool whose input schema wants a number gets a number from an int expression', async () => {
    const { result, log } = await run([{ id: 'a', call: 'add', args: { a: '${1 + 2}', b: 0 } }]);
    expect(result).toMatchObject({ status: 'succeeded', output: { a: { sum: 3 } } });
    expect(log[0]!.args).toEqual({ a: 3, b: 0 });
  });
});

describe('skipped nodes are null in output and in sink objects', () => {
  it('a skipped sink is null in the default output object', async () => {
    const out = await outputOf([
      { id: 'a', if: '${false}', call: 'echo', args: { v: 1 } },
      { id: 'b', value: 'kept' },
    ]);
    expect(out).toEqual({ a: null, b: 'kept' });
  });

  it('an output expression reads a skipped node as null', async () => {
    const out = await outputOf([{ id: 'a', if: '${false}', value: 5 }], {
      output: '${ {"a": a, "isNull": a == null} }',
    });
    expect(out).toEqual({ a: null, isNull: true });
  });

  it('a node skipped because its dependency was skipped is null too', async () => {
    const { result, log } = await run([
      { id: 'a', if: '${false}', call: 'echo', args: {} },
      { id: 'b', call: 'echo', args: { from: '${a}' } },
    ]);
    expect(result).toMatchObject({ status: 'succeeded', output: { b: null } });
    expect(log).toHaveLength(0);
  });

  it('only sinks appear in the default output', async () => {
    const out = await outputOf([
      { id: 'a', value: 1 },
      { id: 'b', value: '${a + 1}' },
      { id: 'c', after: ['a'], value: 'c' },
    ]);
    expect(out).toEqual({ b: 2, c: 'c' });
  });
});

describe('expression failures', () => {
  it('a runtime error in an expression fails the node with ExpressionError', async () => {
    const { result } = await run([{ id: 'v', value: '${input.missing.deeper}' }], {}, {});
    expect(result).toMatchObject({
      status: 'failed',
      error: { name: 'ExpressionError', node: 'v' },
    });
  });

  it('an `if` that is not a boolean fails, never treated as truthy', async () => {
    const { result, log } = await run([{ id: 'e', if: '${1}', call: 'echo', args: {} }]);
    expect(result).toMatchObject({ status: 'failed', error: { name: 'ExpressionError' } });
    expect(log).toHaveLength(0);
  });

  it('no prototype is reachable from data named like one', async () => {
    const weird: Tool = {
      name: 'weird',
      description: 'returns keys that shadow prototype names',
      inputSchema: { type: 'object' },
      execute: () => JSON.parse('{"constructor": {"name": "x"}, "__proto__": {"polluted": 1}}'),
    };
    const result = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'w', call: 'weird', args: {} },
          { id: 'v', value: '${w.constructor.name}' },
        ],
        output: '${v}',
      },
      { tools: [weird] },
    );
    expect(result).toMatchObject({ status: 'succeeded', output: 'x' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
