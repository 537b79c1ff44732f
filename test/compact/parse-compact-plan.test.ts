// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import { describe, expect, it } from 'vitest';
import { parseCompactPlan } from '../../src/compact/index.ts';
import { Plan, type PlanNode } from '../../src/plan/plan-schema.ts';

function nodesOf(text: string): PlanNode[] {
  const result = parseCompactPlan(text);
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  expect(Plan.safeParse(result.plan).success).toBe(true);
  return result.plan.nodes;
}

function nodeOf(text: string): PlanNode {
  const nodes = nodesOf(text);
  expect(nodes).toHaveLength(1);
  return nodes[0]!;
}

describe('parseCompactPlan: calls and arguments', () => {
  it('keeps JSON literals literal and turns anything else into a "${expr}" string', () => {
    expect(
      nodeOf(
        'u = get_user(id: "u1", n: 2, f: 1.5, ok: true, no: null, tags: ["a", 1], o: {"k": {"x": [1]}}, ref: user.id, calc: price * 2)',
      ),
    ).toEqual({
      id: 'u',
      call: 'get_user',
      args: {
        id: 'u1',
        n: 2,
        f: 1.5,
        ok: true,
        no: null,
        tags: ['a', 1],
        o: { k: { x: [1] } },
        ref: '${user.id}',
        calc: '${price * 2}',
      },
    });
  });

  it('scans expressions with balanced brackets and CEL strings, so commas inside do not split', () => {
    expect(
      nodeOf(
        `x = t(a: f(b, c), m: {'k': 1, 'l': [2, 3]}, s: 'a,b)', d: "x" + ')', t: cond ? 'y' : "n")`,
      ),
    ).toEqual({
      id: 'x',
      call: 't',
      args: {
        a: '${f(b, c)}',
        m: "${{'k': 1, 'l': [2, 3]}}",
        s: "${'a,b)'}",
        d: `\${"x" + ')'}`,
        t: `\${cond ? 'y' : "n"}`,
      },
    });
  });

  it('keeps templates in double-quoted strings, and `${ raw }` byte for byte', () => {
    expect(nodeOf('m = send(text: "Hi ${user.name}, $${not}", raw: ${ {\'a\': x} })')).toEqual({
      id: 'm',
      call: 'send',
      args: { text: 'Hi ${user.name}, $${not}', raw: "${ {'a': x} }" },
    });
  });

  it('reads dotted, dashed and quoted tool names, quoted argument keys and multi-line args', () => {
    expect(
      nodesOf(
        'a = github.create_issue(title: "t")\nb = get-weather(city: "Oslo")\nc = "srv/tool"("my key": 1)\nd = f(\n  x: 1,\n  y: [1,\n 2],\n)',
      ),
    ).toEqual([
      { id: 'a', call: 'github.create_issue', args: { title: 't' } },
      { id: 'b', call: 'get-weather', args: { city: 'Oslo' } },
      { id: 'c', call: 'srv/tool', args: { 'my key': 1 } },
      { id: 'd', call: 'f', args: { x: 1, y: [1, 2] } },
    ]);
  });

  it('`name()` gives empty args; `call name` gives no args key; `call` also frees keyword names', () => {
    expect(nodesOf('a = now()\nb = call now\nc = call map(x: 1)\nd = wait(seconds: 3)')).toEqual([
      { id: 'a', call: 'now', args: {} },
      { id: 'b', call: 'now' },
      { id: 'c', call: 'map', args: { x: 1 } },
      { id: 'd', call: 'wait', args: { seconds: 3 } },
    ]);
  });

  it('parses every call option and the common fields', () => {
    const text =
      'q = quote(s: "A") if user.ok after a, b timeout 5000 retry 3 approval ' +
      'fallback backup(s: "A") | call cached | value size(xs) | {"price": 0} | last_price ' +
      'compensate cancel(id: q.id) desc "get a quote"';
    expect(nodeOf(text)).toEqual({
      id: 'q',
      call: 'quote',
      args: { s: 'A' },
      if: '${user.ok}',
      after: ['a', 'b'],
      timeout_ms: 5000,
      retry: { attempts: 3 },
      approval: true,
      fallback: [
        { call: 'backup', args: { s: 'A' } },
        { call: 'cached' },
        { value: '${size(xs)}' },
        { value: { price: 0 } },
        { value: '${last_price}' },
      ],
      compensate: { call: 'cancel', args: { id: '${q.id}' } },
      description: 'get a quote',
    });
  });

  it('takes a full retry spec as JSON and `approval false`', () => {
    expect(
      nodeOf('x = t() retry {"attempts": 5, "delay_ms": 200, "on": ["Timeout"]} approval false'),
    ).toEqual({
      id: 'x',
      call: 't',
      args: {},
      retry: { attempts: 5, delay_ms: 200, on: ['Timeout'] },
      approval: false,
    });
  });
});

describe('parseCompactPlan: other kinds', () => {
  it('value: bare JSON, bare expression, `value` before a function call, templates', () => {
    expect(
      nodesOf(
        'a = 42\nb = {"k": [1, 2]}\nc = {\'n\': p.name, \'r\': size(r)}\nd = value size(xs) + 1\ne = "Total: ${t.total}"\nf = value 1 if x',
      ),
    ).toEqual([
      { id: 'a', value: 42 },
      { id: 'b', value: { k: [1, 2] } },
      { id: 'c', value: "${{'n': p.name, 'r': size(r)}}" },
      { id: 'd', value: '${size(xs) + 1}' },
      { id: 'e', value: 'Total: ${t.total}' },
      { id: 'f', value: 1, if: '${x}' },
    ]);
  });

  it('map with as, concurrency, tolerate and a multi-line body', () => {
    expect(
      nodeOf(
        'ps = map input.ids as uid concurrency 8 tolerate 0.1 {\n  p = get_profile(id: uid)\n  s = p.score * 2\n}',
      ),
    ).toEqual({
      id: 'ps',
      map: '${input.ids}',
      as: 'uid',
      concurrency: 8,
      tolerate: 0.1,
      do: [
        { id: 'p', call: 'get_profile', args: { id: '${uid}' } },
        { id: 's', value: '${p.score * 2}' },
      ],
    });
  });

  it('map over a literal list and a map literal condition before the body', () => {
    expect(nodeOf("m = map [1, 2] if x in {'a': 1} { y = f(v: item) }")).toEqual({
      id: 'm',
      map: [1, 2],
      if: "${x in {'a': 1}}",
      do: [{ id: 'y', call: 'f', args: { v: '${item}' } }],
    });
  });

  it('race: no pick, first, best with score', () => {
    expect(
      nodesOf(
        'r = race { a = ra()\n b = rb() }\ns = race first { a2 = ra() }\nt = race best score result.price * -1 { a3 = ra() }',
      ),
    ).toEqual([
      {
        id: 'r',
        race: [
          { id: 'a', call: 'ra', args: {} },
          { id: 'b', call: 'rb', args: {} },
        ],
      },
      { id: 's', pick: 'first', race: [{ id: 'a2', call: 'ra', args: {} }] },
      {
        id: 't',
        pick: 'best',
        score: '${result.price * -1}',
        race: [{ id: 'a3', call: 'ra', args: {} }],
      },
    ]);
  });

  it('switch with cases and a default, on one line or several', () => {
    const expected = {
      id: 'act',
      switch: [
        { when: '${stock.count > 0}', do: [{ id: 'o', call: 'order', args: {} }] },
        { when: "${stock.state == 'soon'}", do: [{ id: 'w', wait_ms: 10 }] },
        { do: [{ id: 'n', call: 'notify', args: {} }] },
      ],
    };
    expect(
      nodeOf(
        "act = switch {\n  when stock.count > 0 { o = order() }\n  when stock.state == 'soon' {\n    w = wait 10\n  }\n  else { n = notify() }\n}",
      ),
    ).toEqual(expected);
    expect(
      nodeOf(
        "act = switch { when stock.count > 0 { o = order() } when stock.state == 'soon' { w = wait 10 } else { n = notify() } }",
      ),
    ).toEqual(expected);
  });

  it('loop with max and while in any order', () => {
    const expected = {
      id: 'job',
      max_iterations: 30,
      while: "${st.state != 'done'}",
      loop: [{ id: 'st', call: 'job_status', args: { job: 'j1' } }],
    };
    expect(
      nodeOf('job = loop max 30 while st.state != \'done\' { st = job_status(job: "j1") }'),
    ).toEqual(expected);
    expect(
      nodeOf('job = loop while st.state != \'done\' max 30 {\nst = job_status(job: "j1")\n}'),
    ).toEqual(expected);
  });

  it('paginate with call, args, next, items, max', () => {
    expect(
      nodeOf(
        'all = paginate list_orders(cursor: cursor, n: 50) next page.next items page.items max 100',
      ),
    ).toEqual({
      id: 'all',
      paginate: { call: 'list_orders', args: { cursor: '${cursor}', n: 50 } },
      next: '${page.next}',
      items: '${page.items}',
      max_pages: 100,
    });
  });

  it('try with catch and finally, same line or next line', () => {
    const expected = {
      id: 'safe',
      timeout_ms: 900,
      try: [{ id: 'book', call: 'book_seat', args: {} }],
      catch: [{ id: 'log', call: 'log_error', args: { message: '${error.message}' } }],
      finally: [{ id: 'rel', call: 'release_lock', args: {} }],
    };
    expect(
      nodeOf(
        'safe = try timeout 900 { book = book_seat() } catch { log = log_error(message: error.message) } finally { rel = release_lock() }',
      ),
    ).toEqual(expected);
    expect(
      nodeOf(
        'safe = try timeout 900 {\n  book = book_seat()\n}\ncatch {\n  log = log_error(message: error.message)\n}\nfinally { rel = release_lock() }',
      ),
    ).toEqual(expected);
    expect(nodesOf('t = try { a = f() }\nfinally = g()')).toEqual([
      { id: 't', try: [{ id: 'a', call: 'f', args: {} }] },
      { id: 'finally', call: 'g', args: {} },
    ]);
  });

  it('wait, emit with and without data, fail with and without an error name', () => {
    expect(
      nodesOf(
        'w = wait 1000 after x\ne1 = emit progress {"pct": 50}\ne2 = emit "order created" order.id if ok\ne3 = emit done\nf1 = fail "out of stock" error OutOfStock\nf2 = fail "no"',
      ),
    ).toEqual([
      { id: 'w', wait_ms: 1000, after: ['x'] },
      { id: 'e1', emit: 'progress', data: { pct: 50 } },
      { id: 'e2', emit: 'order created', data: '${order.id}', if: '${ok}' },
      { id: 'e3', emit: 'done' },
      { id: 'f1', fail: 'out of stock', error: 'OutOfStock' },
      { id: 'f2', fail: 'no' },
    ]);
  });
});

describe('parseCompactPlan: plan settings, comments and layout', () => {
  it('reads goal, limits, output and final, ignores comments, and accepts ; and a code fence', () => {
    const text = [
      '```toolplan',
      '# fetch and sum',
      'goal "sum the orders"',
      'limits {"max_concurrency": 4, "deadline_ms": 60000}',
      'user = get_user(user_id: input.id)  # the user',
      'orders = get_orders(user_id: user.id); total = calculate_total(orders: orders)',
      'output "Ada spent ${total.total}"',
      'final',
      '```',
    ].join('\n');
    const result = parseCompactPlan(text);
    expect(result).toEqual({
      ok: true,
      plan: {
        version: 1,
        goal: 'sum the orders',
        limits: { max_concurrency: 4, deadline_ms: 60000 },
        nodes: [
          { id: 'user', call: 'get_user', args: { user_id: '${input.id}' } },
          { id: 'orders', call: 'get_orders', args: { user_id: '${user.id}' } },
          { id: 'total', call: 'calculate_total', args: { orders: '${orders}' } },
        ],
        output: 'Ada spent ${total.total}',
        final: true,
      },
    });
  });

  it('an output expression, `final false`, and node ids that are keywords', () => {
    expect(
      parseCompactPlan('output = f()\nmap = g(x: output.y)\noutput map.z\nfinal false'),
    ).toEqual({
      ok: true,
      plan: {
        version: 1,
        nodes: [
          { id: 'output', call: 'f', args: {} },
          { id: 'map', call: 'g', args: { x: '${output.y}' } },
        ],
        output: '${map.z}',
        final: false,
      },
    });
  });

  it('an empty text is an empty plan', () => {
    expect(parseCompactPlan('  \n# nothing\n')).toEqual({
      ok: true,
      plan: { version: 1, nodes: [] },
    });
  });
});
