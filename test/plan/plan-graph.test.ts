// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plan strings hold ${ } expressions on purpose
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildPlanGraph,
  type GraphProblem,
  lookupNode,
  type PlanGraph,
} from '../../src/plan/plan-graph.ts';

const seeds = JSON.parse(
  readFileSync(new URL('../fixtures/plans/seed-patterns.json', import.meta.url), 'utf8'),
) as Record<string, { nodes: unknown[]; output?: unknown }>;

const graphOf = (nodes: unknown[], output?: unknown) => buildPlanGraph({ nodes, output });
const deps = (g: PlanGraph, id: string) => [...g.byId.get(id)!.deps].sort();
const problems = (g: PlanGraph, code?: GraphProblem['code']) =>
  g.problems.filter((p) => !code || p.code === code);

describe('dependencies', () => {
  it('a sequential chain depends in order', () => {
    const g = buildPlanGraph(seeds.sequential_chain!);
    expect(g.problems).toEqual([]);
    expect(deps(g, 'user')).toEqual([]);
    expect(deps(g, 'orders')).toEqual(['user']);
    expect(deps(g, 'total')).toEqual(['orders']);
  });

  it('fork-join: the join depends on every branch; branches on nothing', () => {
    const g = buildPlanGraph(seeds.fork_join!);
    expect(g.problems).toEqual([]);
    expect(deps(g, 'summary')).toEqual(['profile', 'reviews']);
    expect(deps(g, 'profile')).toEqual([]);
  });

  it('every seed pattern analyses cleanly except the guard on an undefined user', () => {
    for (const [name, plan] of Object.entries(seeds)) {
      const g = buildPlanGraph(plan);
      if (name === 'switch_guard') {
        expect(g.problems.map((p) => [p.code, p.ref, p.pointer])).toEqual([
          ['unresolved_reference', 'user', '/nodes/2/if'],
        ]);
      } else expect(g.problems, name).toEqual([]);
    }
  });

  it('deps are lifted to siblings: a map body reading an outer node makes the map depend on it', () => {
    const g = graphOf([
      { id: 'cfg', value: 1 },
      { id: 'list', value: [1, 2] },
      {
        id: 'm',
        map: '${list}',
        do: [{ id: 'inner', call: 't', args: { c: '${cfg}', i: '${item}' } }],
      },
    ]);
    expect(g.problems).toEqual([]);
    expect(deps(g, 'm')).toEqual(['cfg', 'list']);
    expect(deps(g, 'inner')).toEqual([]);
  });

  it('deps are lifted through several levels to the right list', () => {
    const g = graphOf([
      { id: 'top', value: 1 },
      {
        id: 'outer',
        try: [
          { id: 'mid', value: 2 },
          {
            id: 'loop1',
            loop: [{ id: 'deep', value: '${top + mid}' }],
            while: '${false}',
            max_iterations: 2,
          },
        ],
      },
    ]);
    expect(g.problems).toEqual([]);
    expect(deps(g, 'outer')).toEqual(['top']);
    expect(deps(g, 'loop1')).toEqual(['mid']);
    expect(deps(g, 'deep')).toEqual([]);
  });

  it('a node in a body can depend on a sibling in the same body', () => {
    const g = graphOf([
      {
        id: 'm',
        map: [1],
        do: [
          { id: 'a', value: '${item}' },
          { id: 'b', value: '${a}' },
        ],
      },
    ]);
    expect(deps(g, 'b')).toEqual(['a']);
  });

  it('after adds an ordering with no data, lifted the same way', () => {
    const g = graphOf([
      { id: 'a', value: 1 },
      { id: 'b', value: 2, after: ['a'] },
      { id: 'c', try: [{ id: 'd', value: 3, after: ['a'] }] },
      { id: 'e', value: 4, after: ['nope'] },
    ]);
    expect(deps(g, 'b')).toEqual(['a']);
    expect(deps(g, 'c')).toEqual(['a']);
    expect(problems(g)).toEqual([
      {
        code: 'unknown_after',
        pointer: '/nodes/3/after/0',
        ref: 'nope',
        message: '"after" names "nope", which is not a node in scope here',
      },
    ]);
  });

  it('after naming an enclosing node is an enclosing reference', () => {
    const g = graphOf([{ id: 'outer', try: [{ id: 'inner', value: 1, after: ['outer'] }] }]);
    expect(problems(g).map((p) => [p.code, p.pointer])).toEqual([
      ['enclosing_reference', '/nodes/0/try/0/after/0'],
    ]);
  });

  it('the plan output sees root nodes and creates no deps', () => {
    const g = graphOf([{ id: 'a', value: 1 }], 'a=${a} in=${input.x}');
    expect(g.problems).toEqual([]);
    expect(g.output?.role).toBe('output');
    expect(g.output?.whole).toBe(false);
    expect([...g.output!.refs].sort()).toEqual(['a', 'input']);
    expect(g.output?.owner).toBe(null);
    const bad = graphOf([{ id: 'm', map: [1], do: [{ id: 'inner', value: 1 }] }], '${inner}');
    expect(problems(bad).map((p) => [p.code, p.pointer])).toEqual([
      ['unresolved_reference', '/output'],
    ]);
  });

  it('every site kind is found, with the role and pointer of its string', () => {
    const g = buildPlanGraph(seeds.retry_fallback_saga_try!);
    const sites = g.sites.map((s) => [s.role, s.pointer]);
    expect(sites).toEqual([
      ['fallback_value', '/nodes/0/fallback/1/value'],
      ['args', '/nodes/1/args/amount'],
      ['compensate_args', '/nodes/1/compensate/args/charge_id'],
      ['args', '/nodes/2/catch/0/args/message'],
    ]);
    expect(g.byId.get('charge')!.sites.map((s) => s.role)).toEqual(['args', 'compensate_args']);
  });

  it('site pointers escape ~ and / in keys', () => {
    const g = graphOf([
      { id: 'a', value: 1 },
      { id: 'b', call: 't', args: { 'x/y': { 'm~n': '${a}' } } },
    ]);
    expect(g.sites[0]!.pointer).toBe('/nodes/1/args/x~1y/m~0n');
  });
});

describe('locals per scope', () => {
  it('map: the as name and index are in scope in the body only', () => {
    const g = graphOf([
      { id: 'm', map: '${input.ids}', as: 'uid', do: [{ id: 'p', value: '${uid + index}' }] },
      { id: 'after_map', value: '${uid}' },
    ]);
    expect(problems(g).map((p) => [p.code, p.ref, p.pointer])).toEqual([
      ['unresolved_reference', 'uid', '/nodes/1/value'],
    ]);
  });

  it('map: the default name is item', () => {
    const g = graphOf([{ id: 'm', map: [1], do: [{ id: 'p', value: '${item}' }] }]);
    expect(g.problems).toEqual([]);
    const withAs = graphOf([{ id: 'm', map: [1], as: 'x', do: [{ id: 'p', value: '${item}' }] }]);
    expect(problems(withAs).map((p) => p.ref)).toEqual(['item']);
  });

  it('the map expression itself does not see the item', () => {
    const g = graphOf([{ id: 'm', map: '${item}', do: [{ id: 'p', value: 1 }] }]);
    expect(problems(g).map((p) => [p.ref, p.pointer])).toEqual([['item', '/nodes/0/map']]);
  });

  it('catch sees error; try and finally do not', () => {
    const g = graphOf([
      {
        id: 't',
        try: [{ id: 'a', value: '${error}' }],
        catch: [{ id: 'b', value: '${error.message}' }],
        finally: [{ id: 'c', value: '${error}' }],
      },
    ]);
    expect(problems(g).map((p) => p.pointer)).toEqual([
      '/nodes/0/try/0/value',
      '/nodes/0/finally/0/value',
    ]);
  });

  it('loop: iteration and last in the body, and while sees body nodes', () => {
    const g = buildPlanGraph(seeds.loop_paginate!);
    expect(g.problems).toEqual([]);
    const w = graphOf([
      {
        id: 'l',
        loop: [{ id: 'st', value: '${iteration + size(last)}' }],
        while: '${st.state != "done" && iteration < 3 && last != null}',
        max_iterations: 5,
      },
    ]);
    expect(w.problems).toEqual([]);
    const whileSite = w.sites.find((s) => s.role === 'while')!;
    expect(whileSite.from).toBe(null);
    expect(whileSite.owner?.id).toBe('l');
    // A while reading a body node does not make the loop depend on it.
    expect(deps(w, 'l')).toEqual([]);
  });

  it('loop: iteration is not in scope outside the loop', () => {
    const g = graphOf([
      { id: 'l', loop: [{ id: 'st', value: 1 }], while: '${false}', max_iterations: 5 },
      { id: 'x', value: '${iteration}' },
    ]);
    expect(problems(g).map((p) => p.ref)).toEqual(['iteration']);
  });

  it('paginate: cursor in args only; page in next and items only', () => {
    const good = buildPlanGraph(seeds.loop_paginate!);
    expect(good.problems).toEqual([]);
    const bad = graphOf([
      {
        id: 'p',
        paginate: { call: 't', args: { c: '${page}' } },
        next: '${cursor}',
        items: '${page.items}',
        max_pages: 3,
      },
    ]);
    expect(problems(bad).map((p) => [p.ref, p.pointer])).toEqual([
      ['page', '/nodes/0/paginate/args/c'],
      ['cursor', '/nodes/0/next'],
    ]);
    expect(bad.sites.map((s) => s.role)).toEqual(['paginate_args', 'next', 'items']);
  });

  it('race: result is in scope of score only', () => {
    const g = graphOf([
      {
        id: 'r',
        race: [
          { id: 'a', value: '${result}' },
          { id: 'b', value: 2 },
        ],
        pick: 'best',
        score: '${result.price}',
      },
    ]);
    expect(problems(g).map((p) => [p.ref, p.pointer])).toEqual([
      ['result', '/nodes/0/race/0/value'],
    ]);
  });

  it('compensate sees its own node id; the node args do not', () => {
    const g = graphOf([
      {
        id: 'charge',
        call: 'c',
        args: { x: '${charge}' },
        compensate: { call: 'r', args: { id: '${charge.id}' } },
      },
    ]);
    expect(problems(g).map((p) => [p.code, p.pointer])).toEqual([
      ['enclosing_reference', '/nodes/0/args/x'],
    ]);
    expect(deps(g, 'charge')).toEqual([]);
  });

  it('input is in scope everywhere', () => {
    const g = graphOf([
      { id: 'm', map: '${input.xs}', do: [{ id: 't', try: [{ id: 'v', value: '${input.a}' }] }] },
    ]);
    expect(g.problems).toEqual([]);
  });

  it('switch cases: when sees siblings, bodies see outer nodes', () => {
    const g = buildPlanGraph(seeds.switch_guard!);
    expect(deps(g, 'act')).toEqual(['stock']);
    const node = g.byId.get('act')!;
    expect(node.bodies.map((b) => [b.role, b.pointer])).toEqual([
      ['case', '/nodes/1/switch/0/do'],
      ['case', '/nodes/1/switch/1/do'],
    ]);
  });
});

describe('references', () => {
  it('an unknown name gives a helpful message listing what is in scope', () => {
    const g = graphOf([{ id: 'm', map: [1], as: 'uid', do: [{ id: 'p', value: '${usr.name}' }] }]);
    const [p] = problems(g);
    expect(p!.code).toBe('unresolved_reference');
    expect(p!.ref).toBe('usr');
    expect(p!.pointer).toBe('/nodes/0/do/0/value');
    expect(p!.message).toBe(
      '"usr" is not a node id or a name in scope here; in scope: node ids of this list and enclosing lists, and index, input, uid',
    );
  });

  it('a node inside another body cannot be seen, and the message says where it is', () => {
    const g = graphOf([
      { id: 't', try: [{ id: 'hidden', value: 1 }] },
      { id: 'x', value: '${hidden}' },
    ]);
    const [p] = problems(g);
    expect(p!.code).toBe('unresolved_reference');
    expect(p!.message).toContain('"hidden" (at /nodes/0/try/0)');
    expect(p!.message).toContain('inside another node');
  });

  it('a node reading its own output is an enclosing reference', () => {
    const g = graphOf([{ id: 'a', value: '${a}' }]);
    expect(problems(g).map((p) => [p.code, p.ref])).toEqual([['enclosing_reference', 'a']]);
    expect(deps(g, 'a')).toEqual([]);
  });

  it('a body node reading the node that encloses it is an enclosing reference', () => {
    const g = graphOf([{ id: 'm', map: [1], do: [{ id: 'p', value: '${m}' }] }]);
    expect(problems(g).map((p) => [p.code, p.pointer])).toEqual([
      ['enclosing_reference', '/nodes/0/do/0/value'],
    ]);
  });

  it('a local name shadows a node id of the same name', () => {
    const g = graphOf([
      { id: 'item', value: 1 },
      { id: 'm', map: [1], do: [{ id: 'p', value: '${item}' }] },
    ]);
    expect(g.problems).toEqual([]);
    expect(deps(g, 'm')).toEqual([]);
  });

  it('names bound by macros are not references', () => {
    const g = graphOf([
      { id: 'xs', value: [1] },
      { id: 'y', value: '${xs.map(v, v * 2).filter(w, w > 1)}' },
    ]);
    expect(g.problems).toEqual([]);
    expect(deps(g, 'y')).toEqual(['xs']);
  });

  it('lookupNode searches the scope chain outwards', () => {
    const g = graphOf([
      { id: 'a', value: 1 },
      { id: 't', try: [{ id: 'b', value: 1 }] },
    ]);
    const body = g.byId.get('t')!.bodies[0]!;
    expect(lookupNode(body, 'a')?.id).toBe('a');
    expect(lookupNode(body, 'b')?.id).toBe('b');
    expect(lookupNode(g.root, 'b')).toBe(undefined);
  });

  it('bad syntax and broken templates are reported as problems, not thrown', () => {
    const g = graphOf([
      { id: 'a', value: '${1 +}' },
      { id: 'b', value: 'x ${ y' },
      { id: 'c', value: '${}' },
    ]);
    expect(problems(g).map((p) => [p.code, p.pointer])).toEqual([
      ['expression_syntax', '/nodes/0/value'],
      ['expression_syntax', '/nodes/1/value'],
      ['expression_syntax', '/nodes/2/value'],
    ]);
    expect(problems(g)[0]!.message).toMatch(/^cannot parse expression/);
    expect(problems(g)[1]!.message).toContain('unclosed');
  });
});

describe('duplicate ids', () => {
  it('are reported at the second use, anywhere in the plan', () => {
    const g = graphOf([
      { id: 'a', value: 1 },
      { id: 't', try: [{ id: 'a', value: 2 }] },
      { id: 'a', value: 3 },
    ]);
    const dups = problems(g, 'duplicate_id');
    expect(dups.map((p) => p.pointer)).toEqual(['/nodes/1/try/0/id', '/nodes/2/id']);
    expect(dups[0]!.message).toBe(
      'id "a" is already used at /nodes/0; ids must be unique in the whole plan',
    );
    expect(g.byId.get('a')!.pointer).toBe('/nodes/0');
    expect(g.all).toHaveLength(4);
  });
});

describe('cycles', () => {
  it('a 2-cycle is reported once, naming the nodes in order', () => {
    const g = graphOf([
      { id: 'a', value: '${b}' },
      { id: 'b', value: '${a}' },
    ]);
    const cycles = problems(g, 'dependency_cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.cycle).toEqual(['a', 'b']);
    expect(cycles[0]!.message).toBe(
      'dependency cycle: a -> b -> a; break it by removing one of these references',
    );
  });

  it('a 3-cycle names all three in dependency order', () => {
    const g = graphOf([
      { id: 'a', value: '${c}' },
      { id: 'b', value: '${a}' },
      { id: 'c', value: '${b}' },
      { id: 'd', value: '${a}' },
    ]);
    const cycles = problems(g, 'dependency_cycle');
    expect(cycles).toHaveLength(1);
    expect(cycles[0]!.cycle).toEqual(['a', 'c', 'b']);
    expect(cycles[0]!.message).toContain('a -> c -> b -> a');
  });

  it('a self-reference a -> ${a} is an enclosing reference, not a silent pass', () => {
    const g = graphOf([{ id: 'a', call: 't', args: { x: '${a.id}' } }]);
    expect(g.problems.map((p) => p.code)).toEqual(['enclosing_reference']);
  });

  it('a self-wait through after is a cycle of one', () => {
    const g = graphOf([{ id: 'a', value: 1, after: ['a'] }]);
    expect(g.problems.map((p) => p.code)).toEqual(['enclosing_reference']);
  });

  it('cycles inside bodies are found in their own list', () => {
    const g = graphOf([
      {
        id: 'm',
        map: [1],
        do: [
          { id: 'x', value: '${y}' },
          { id: 'y', value: '${x}' },
        ],
      },
    ]);
    const [c] = problems(g, 'dependency_cycle');
    expect(c!.cycle).toEqual(['x', 'y']);
  });

  it('a cycle through lifted deps is found among siblings', () => {
    const g = graphOf([
      { id: 'a', value: '${b}' },
      { id: 'b', try: [{ id: 'inner', value: '${a}' }] },
    ]);
    expect(problems(g, 'dependency_cycle')[0]!.cycle).toEqual(['a', 'b']);
  });

  it('a cycle via after is found', () => {
    const g = graphOf([
      { id: 'a', value: 1, after: ['b'] },
      { id: 'b', value: 2, after: ['a'] },
    ]);
    expect(problems(g, 'dependency_cycle')[0]!.cycle).toEqual(['a', 'b']);
  });

  it('a diamond is not a cycle', () => {
    const g = graphOf([
      { id: 'a', value: 1 },
      { id: 'b', value: '${a}' },
      { id: 'c', value: '${a}' },
      { id: 'd', value: '${b + c}' },
    ]);
    expect(g.problems).toEqual([]);
  });

  it('acyclic random DAGs never report cycles; back edges always do (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 60 }),
        fc.boolean(),
        (n, edges, addBack) => {
          const depsOf = Array.from({ length: n }, () => new Set<number>());
          for (const [x, y] of edges) {
            const from = Math.max(x % n, y % n);
            const to = Math.min(x % n, y % n);
            if (from !== to) depsOf[from]!.add(to);
          }
          if (addBack) depsOf[0]!.add(n - 1);
          if (addBack) depsOf[n - 1]!.add(0);
          const nodes = depsOf.map((ds, i) => ({
            id: `n${i}`,
            value: ds.size ? `\${[${[...ds].map((d) => `n${d}`).join(', ')}]}` : 1,
          }));
          const g = graphOf(nodes);
          const cycles = problems(g, 'dependency_cycle');
          if (addBack) expect(cycles.length).toBeGreaterThan(0);
          else expect(cycles).toEqual([]);
          for (const c of cycles) {
            // Each named cycle is real: every node depends on the next one, the last on the first.
            c.cycle!.forEach((id, i) => {
              const next = c.cycle![(i + 1) % c.cycle!.length]!;
              expect(g.byId.get(id)!.deps.has(next)).toBe(true);
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('scale and tolerance', () => {
  it('a 10,000-node chain is analysed without a stack overflow', () => {
    const nodes = Array.from({ length: 10_000 }, (_, i) =>
      i === 0 ? { id: 'n0', value: 0 } : { id: `n${i}`, value: `\${n${i - 1} + 1}` },
    );
    const g = graphOf(nodes);
    expect(g.problems).toEqual([]);
    expect(g.all).toHaveLength(10_000);
    expect(deps(g, 'n9999')).toEqual(['n9998']);
  });

  it('a 10,000-node cycle is found without a stack overflow', () => {
    const n = 10_000;
    const nodes = Array.from({ length: n }, (_, i) => ({
      id: `n${i}`,
      value: `\${n${(i + 1) % n}}`,
    }));
    const g = graphOf(nodes);
    const [c] = problems(g, 'dependency_cycle');
    expect(c!.cycle).toHaveLength(n);
  });

  it('records depth of nesting', () => {
    const g = graphOf([{ id: 'a', try: [{ id: 'b', try: [{ id: 'c', value: 1 }] }] }]);
    expect(g.maxDepth).toBe(3);
    expect(g.byId.get('c')!.parent?.id).toBe('b');
    expect(g.byId.get('c')!.depth).toBe(3);
  });

  it('malformed nodes are skipped and left to the shape checks', () => {
    const g = buildPlanGraph({
      nodes: [
        null,
        42,
        'x',
        [],
        { call: 'no_id' },
        { id: 7, value: 1 },
        { id: 'ok', value: 1 },
        { id: 'nokind' },
        { id: 'm', map: 5, do: 'not a list' },
        {
          id: 's',
          switch: [null, 3, { do: null }, { when: '${ok}', do: [{ id: 'in', value: 1 }] }],
        },
        { id: 'c', call: 't', fallback: [null, 'x', { args: { a: '${ok}' } }], compensate: 'no' },
        { id: 'p', paginate: 'not an object', next: 3, items: null },
      ],
    });
    expect(g.all.map((n) => n.id)).toEqual(['ok', 'nokind', 'm', 's', 'in', 'c', 'p']);
    expect(g.byId.get('nokind')!.kind).toBe(undefined);
    expect(deps(g, 's')).toEqual(['ok']);
    expect(deps(g, 'c')).toEqual(['ok']);
    expect(g.problems).toEqual([]);
  });

  it('missing or non-list nodes give an empty graph', () => {
    for (const nodes of [undefined, null, {}, 'x', 3]) {
      const g = buildPlanGraph({ nodes });
      expect(g.all).toEqual([]);
      expect(g.problems).toEqual([]);
    }
  });

  it('kind detection ignores inherited keys', () => {
    const node = Object.create({ call: 'inherited' }) as Record<string, unknown>;
    node.id = 'a';
    const g = buildPlanGraph({ nodes: [node] });
    expect(g.byId.get('a')!.kind).toBe(undefined);
  });

  it('never throws on random JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (nodes, output) => {
        const g = buildPlanGraph({ nodes, output });
        expect(Array.isArray(g.problems)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws on random plan-like node trees (property)', () => {
    const ids = fc.constantFrom('a', 'b', 'c', 'd', 'item', 'error', 1);
    const exprs = fc.constantFrom(
      '${a}',
      '${b + c}',
      '${',
      '${}',
      '${x.map(v, a)}',
      '${d}',
      'lit',
      '${item}',
    );
    const tree = fc.letrec((tie) => ({
      node: fc.record(
        {
          id: ids,
          call: fc.constantFrom('t'),
          value: fc.oneof(exprs, fc.jsonValue()),
          map: exprs,
          as: fc.constantFrom('x', 'item', 3),
          do: tie('list'),
          loop: tie('list'),
          while: exprs,
          try: tie('list'),
          catch: tie('list'),
          finally: tie('list'),
          race: tie('list'),
          score: exprs,
          after: fc.array(fc.oneof(ids, fc.constant('zz'))),
          if: exprs,
          switch: fc.oneof(
            fc.constant(null),
            fc.array(fc.record({ when: exprs, do: tie('list') }, { requiredKeys: [] }), {
              maxLength: 2,
            }),
          ),
          fallback: fc.array(
            fc.oneof(
              fc.constant(null),
              fc.record({ value: exprs }),
              fc.record({ call: fc.constant('x'), args: fc.jsonValue() }),
            ),
          ),
          compensate: fc.oneof(
            fc.constant(null),
            fc.record({ call: fc.constant('x'), args: fc.dictionary(fc.string(), exprs) }),
          ),
          paginate: fc.oneof(
            fc.constant(1),
            fc.record({ call: fc.constant('x'), args: fc.dictionary(fc.string(), exprs) }),
          ),
          next: exprs,
          items: exprs,
          emit: fc.constant('topic'),
          data: exprs,
        },
        { requiredKeys: ['id'] },
      ),
      list: fc.oneof(
        { maxDepth: 3, depthIdentifier: 'list' },
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 4 }),
      ),
    }));
    fc.assert(
      fc.property(tree.list, exprs, (nodes, output) => {
        const g = buildPlanGraph({ nodes, output });
        for (const p of g.problems) {
          expect(typeof p.message).toBe('string');
          expect(p.pointer.startsWith('/')).toBe(true);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
