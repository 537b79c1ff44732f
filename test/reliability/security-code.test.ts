// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executePlan } from '../../src/exec/index.ts';
import type { Tool } from '../../src/tool/tool.ts';

/**
 * No string from a plan or a tool is ever run as code, end to end: plans whose expressions
 * reach for prototypes, the process, require or the file system fail with a typed error
 * or yield plain data; hostile strings a tool returns travel through args and templates as
 * inert text; and the source has no eval, Function constructor or vm.
 */

const ROOT = resolve(import.meta.dirname, '../..');
const seen: unknown[] = [];
const HOSTILE = [
  '${process.exit(1)}',
  "${constructor.constructor('return process')()}",
  "'); require('fs').rmSync('/', {recursive: true}); ('",
  '{{constructor.constructor("return this")()}}',
  '`${globalThis.process.mainModule.require("child_process").execSync("id")}`',
  '__proto__',
  '$${input}',
];

const tools: Tool[] = [
  {
    name: 'hostile_source',
    description: 'returns strings that look like code',
    inputSchema: z.object({}),
    execute: () => ({
      texts: HOSTILE,
      obj: JSON.parse(
        '{"__proto__":{"polluted":true},"meta":{"constructor":{"prototype":{"polluted":true}}}}',
      ),
    }),
  },
  {
    name: 'sink',
    description: 'records what it was given',
    inputSchema: z.object({}).passthrough(),
    execute: (args: unknown) => {
      seen.push(args);
      return args;
    },
  },
];

afterEach(() => {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  expect(typeof process.exit).toBe('function');
});

const PROBES = [
  'constructor',
  'constructor.constructor',
  "constructor.constructor('return process')()",
  "x.constructor.constructor('return process')()",
  'x.__proto__',
  "x['__proto__']",
  "x['constructor']['constructor']('return globalThis')()",
  '__proto__',
  'process',
  'process.env',
  'process.mainModule',
  'globalThis',
  'this',
  'require',
  "require('fs')",
  "require('child_process').execSync('id')",
  'import("fs")',
  'Function("return process")()',
  'eval("1+1")',
  'x.toString.call(process)',
  "'a'.constructor",
  '[].constructor.constructor("return 1")()',
  'x.valueOf()',
  'x.hasOwnProperty("a")',
  'dyn(x).__proto__',
  'size(x.__proto__)',
];

describe('plan expressions cannot reach the host', () => {
  for (const probe of PROBES) {
    it(`\${${probe}}: a typed error or plain data`, async () => {
      const r = await executePlan(
        {
          version: 1,
          nodes: [
            { id: 'x', value: { a: 1 } },
            { id: 'probe', value: `\${${probe}}` },
            { id: 'tpl', value: `before \${${probe}} after` },
          ],
        },
        { tools },
      );
      if (r.status === 'failed') {
        expect(['ExpressionError', 'ConfigError'], r.error.message).toContain(r.error.name);
      } else {
        expect(r.status).toBe('succeeded');
        const text = JSON.stringify(r.status === 'succeeded' ? r.output : null);
        expect(text).not.toMatch(/function|native code|\[object process\]/i);
      }
    });
  }

  it('hostile strings from a tool flow through args, templates and maps as data', async () => {
    seen.length = 0;
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          { id: 'src', call: 'hostile_source', args: {} },
          { id: 'direct', call: 'sink', args: { texts: '${src.texts}', obj: '${src.obj}' } },
          {
            id: 'each',
            map: '${src.texts}',
            do: [{ id: 's', call: 'sink', args: { t: '${item}', tpl: '<${item}>' } }],
          },
        ],
        output: '${ {"direct": direct, "each": each} }',
      },
      { tools },
    );
    expect(r.status, JSON.stringify(r)).toBe('succeeded');
    const out = (
      r as { output: { direct: { texts: string[] }; each: { t: string; tpl: string }[] } }
    ).output;
    expect(out.direct.texts).toEqual(HOSTILE);
    expect(out.each.map((e) => e.t)).toEqual(HOSTILE);
    expect(out.each.map((e) => e.tpl)).toEqual(HOSTILE.map((t) => `<${t}>`));
    // The __proto__ key is an own data property, not a prototype.
    const obj = (seen[0] as { obj: Record<string, unknown> }).obj;
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.hasOwn(obj, '__proto__')).toBe(true);
  });

  it('a tool result whose own key is "constructor" passes as plain data, never as a prototype', async () => {
    // cel-js picks a value's CEL type by `value.constructor`, which an own key shadows; such
    // objects are handed to CEL as Maps, so the data is usable and nothing is reachable.
    const r = await executePlan(
      {
        version: 1,
        nodes: [
          {
            id: 'src',
            call: 'sink',
            args: { constructor: { prototype: { polluted: true } }, a: 1 },
          },
          {
            id: 'use',
            call: 'sink',
            args: { v: '${src}', p: '${src.constructor.prototype.polluted}', n: '${src.a + 1}' },
          },
        ],
      },
      { tools },
    );
    expect(r).toMatchObject({
      status: 'succeeded',
      output: {
        use: { v: { constructor: { prototype: { polluted: true } }, a: 1 }, p: true, n: 2 },
      },
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the plan input is data too, even when it looks like an expression', async () => {
    const r = await executePlan(
      { version: 1, nodes: [{ id: 'echo', call: 'sink', args: { v: '${input.code}' } }] },
      { tools, input: { code: '${process.exit(1)}' } },
    );
    expect(r).toMatchObject({ status: 'succeeded', output: { echo: { v: '${process.exit(1)}' } } });
  });
});

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

describe('the source evaluates nothing', () => {
  it('src/ and tools/ have no eval, Function constructor or vm', () => {
    const files = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'tools'))];
    expect(files.length).toBeGreaterThan(50);
    const hits: string[] = [];
    const banned = [
      /\beval\s*\(/,
      /\bnew\s+Function\s*\(/,
      /\bFunction\s*\(\s*['"`]/,
      /\bvm\.\w/,
      /from\s+['"](node:)?vm['"]/,
      /require\(\s*['"](node:)?vm['"]\s*\)/,
    ];
    for (const f of files) {
      const lines = readFileSync(f, 'utf8').split('\n');
      lines.forEach((line, i) => {
        // Comments may talk about eval; code may not use it.
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
        for (const b of banned) if (b.test(code)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
