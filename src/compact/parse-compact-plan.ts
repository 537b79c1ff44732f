/**
 * Compact plan text to the JSON plan (the same object a JSON plan would parse to; the
 * validator checks it as usual). Never throws: syntax errors come back as data with 1-based
 * line and column, several per text when the parser can resynchronise at the next line.
 */
import { PLAN_VERSION, type PlanNode, type PlanT, type SwitchCase } from '../plan/plan-schema.ts';
import type { CompactError, Cursor } from './cursor.ts';
import { ParserCore, TooManyErrors } from './parser-core.ts';
import { type CompactKind, headContext, LINE_CONTEXT, optionsFor, WHEN_CONTEXT } from './syntax.ts';

export type CompactParseResult = { ok: true; plan: PlanT } | { ok: false; errors: CompactError[] };

type Fields = Record<string, unknown>;

const KIND_LABEL: Record<CompactKind, string> = {
  call: 'a call',
  value: 'a value',
  map: 'a map',
  race: 'a race',
  switch: 'a switch',
  loop: 'a loop',
  paginate: 'a paginate',
  try: 'a try',
  wait: 'a wait',
  emit: 'an emit',
  fail: 'a fail',
};

class Parser extends ParserCore {
  readonly plan: Fields = {};

  protected parseStatement(top: boolean): PlanNode | undefined {
    const c: Cursor = this.c;
    if (this.isPlanStatement()) {
      if (!top)
        c.fail(`"${c.peekWord()}" is a plan setting: write it at top level, not inside a body`);
      this.parsePlanSetting();
      return undefined;
    }
    const idAt = c.pos;
    const id = c.readWord();
    if (id === undefined) c.fail(`expected a node "id = ...", found ${c.describe()}`);
    if (id.length > 64) c.fail(`node id "${id}" is longer than 64 characters`, idAt);
    c.skipSpaces();
    if (c.at() !== '=' || c.at(1) === '=') {
      c.fail(`expected "=" after node id "${id}", found ${c.describe()}`);
    }
    c.pos += 1;
    c.skipSpaces();
    return this.parseKind(id);
  }

  private parsePlanSetting(): void {
    const c: Cursor = this.c;
    const at = c.pos;
    const word = c.readWord()!;
    const key = word === 'limits' ? 'limits' : word;
    if (key in this.plan) c.fail(`duplicate "${word}"`, at);
    c.skipSpaces();
    if (word === 'goal') {
      const goal = c.readString();
      if (goal === undefined) c.fail(`expected the goal as a string "...", found ${c.describe()}`);
      this.plan.goal = goal;
    } else if (word === 'output') {
      this.plan.output = this.requireValue(LINE_CONTEXT, true, 'the output value or expression');
    } else if (word === 'final') {
      this.plan.final = this.optionalBool();
    } else {
      this.plan.limits = c.readJsonObject('limits');
    }
  }

  private optionalBool(): boolean {
    const c: Cursor = this.c;
    c.skipSpaces();
    const w = c.peekWord();
    if (w === 'true' || w === 'false') {
      c.pos += w.length;
      return w === 'true';
    }
    return true;
  }

  private parseKind(id: string): PlanNode {
    const c: Cursor = this.c;
    const kindAt = c.pos;
    const kind = this.classify();
    const node: Fields = { id };
    if (kind === 'call') {
      Object.assign(node, this.parseCallTarget());
      this.parseOptions(node, 'call');
      return node as PlanNode;
    }
    if (kind === 'expr') {
      node.value = this.requireValue(headContext('value'), true, 'a value', true);
      this.parseOptions(node, 'value');
      return node as PlanNode;
    }
    c.pos += kind.length;
    const ctx = headContext(kind);
    switch (kind) {
      case 'value':
        node.value = this.requireValue(ctx, true, 'a value or expression after "value"');
        break;
      case 'map':
        node.map = this.requireValue(ctx, true, 'the list to map over (map LIST as NAME {...})');
        break;
      case 'paginate':
        node.paginate = this.parseCallTarget();
        break;
      case 'wait':
        c.skipSpaces();
        node.wait_ms = c.readNumber('the milliseconds to wait');
        break;
      case 'emit': {
        c.skipSpaces();
        const topic = c.at() === '"' ? c.readString() : c.readName();
        if (topic === undefined) c.fail(`expected the emit topic, found ${c.describe()}`);
        node.emit = topic;
        const data = this.parseValue(ctx, true);
        if (data) node.data = data.value;
        break;
      }
      case 'fail': {
        c.skipSpaces();
        const message = c.readString();
        if (message === undefined)
          c.fail(`expected the failure message "...", found ${c.describe()}`);
        node.fail = message;
        break;
      }
      default:
        break;
    }
    this.parseOptions(node, kind);
    switch (kind) {
      case 'map':
        node.do = this.parseBlock('the map body');
        break;
      case 'race':
        node.race = this.parseBlock('the race branches');
        break;
      case 'loop':
        this.requireAll(node, kindAt, 'a loop', 'loop max 10 while COND {...}', [
          ['max_iterations', '"max N"'],
          ['while', '"while COND"'],
        ]);
        node.loop = this.parseBlock('the loop body');
        break;
      case 'try':
        this.parseTry(node);
        break;
      case 'switch':
        node.switch = this.parseSwitch();
        break;
      case 'paginate':
        this.requireAll(
          node,
          kindAt,
          'a paginate',
          'paginate tool(cursor: cursor) next page.next items page.items max 50',
          [
            ['next', '"next EXPR"'],
            ['items', '"items EXPR"'],
            ['max_pages', '"max N"'],
          ],
        );
        break;
      default:
        break;
    }
    return node as PlanNode;
  }

  private requireAll(
    node: Fields,
    at: number,
    label: string,
    example: string,
    parts: Array<[string, string]>,
  ): void {
    const missing = parts.filter(([key]) => !(key in node)).map(([, words]) => words);
    if (missing.length > 0)
      this.report(at, `${label} needs ${missing.join(' and ')}, e.g. ${example}`);
  }

  private parseTry(node: Fields): void {
    const c: Cursor = this.c;
    node.try = this.parseBlock('the try body');
    for (const part of ['catch', 'finally'] as const) {
      const save = c.pos;
      c.skipBlank();
      const w = c.peekWord();
      const p = c.pos + part.length;
      if (w === part && /^[ \t]*\{/.test(c.text.slice(p, p + 40))) {
        c.pos = p;
        node[part] = this.parseBlock(`the ${part} body`);
      } else {
        c.pos = save;
      }
    }
  }

  private parseSwitch(): SwitchCase[] {
    const c: Cursor = this.c;
    c.skipSpaces();
    if (c.at() !== '{') c.fail(`expected "{" to open the switch cases, found ${c.describe()}`);
    const open = c.pos;
    c.pos += 1;
    const cases: SwitchCase[] = [];
    for (;;) {
      c.skipBlank();
      if (c.atEnd()) {
        this.report(open, 'unclosed "{": expected "}" to end the switch');
        break;
      }
      if (c.at() === '}') {
        c.pos += 1;
        break;
      }
      try {
        const w = c.peekWord();
        if (w === 'when') {
          c.pos += 4;
          const when = this.requireValue(WHEN_CONTEXT, false, 'a condition after "when"');
          cases.push({ when: when as string, do: this.parseBlock('the when body') });
        } else if (w === 'else') {
          c.pos += 4;
          cases.push({ do: this.parseBlock('the else body') });
        } else {
          c.fail(`expected "when COND {...}" or "else {...}" in a switch, found ${c.describe()}`);
        }
      } catch (err) {
        this.recover(err);
      }
    }
    if (cases.length === 0) this.report(open, 'a switch needs at least one "when COND {...}"');
    return cases;
  }

  private parseOptions(node: Fields, kind: CompactKind): void {
    const c: Cursor = this.c;
    const allowed = optionsFor(kind);
    const ctx = headContext(kind);
    const seen = new Set<string>();
    for (;;) {
      if (c.atStatementEnd()) return;
      if (ctx.block && c.at() === '{') return;
      const at = c.pos;
      const w = c.peekWord();
      if (w === undefined || !allowed.has(w)) {
        const list = [...allowed].join(', ');
        const end = ctx.block ? '"{"' : 'the end of the line';
        const what = w === undefined ? c.describe() : `"${w}"`;
        c.fail(
          `unknown option ${what} for ${KIND_LABEL[kind]}: expected one of ${list}, or ${end}`,
        );
      }
      if (seen.has(w)) c.fail(`duplicate option "${w}"`, at);
      seen.add(w);
      c.pos += w.length;
      c.skipSpaces();
      this.parseOption(node, kind, w);
    }
  }

  private parseOption(node: Fields, kind: CompactKind, w: string): void {
    const c: Cursor = this.c;
    const ctx = headContext(kind);
    switch (w) {
      case 'if':
      case 'while':
      case 'score':
      case 'next':
      case 'items':
        node[w] = this.requireValue(ctx, false, `an expression after "${w}"`);
        return;
      case 'after': {
        const ids: string[] = [];
        do {
          c.skipSpacesAndNewlines();
          const id = c.readWord();
          if (id === undefined) c.fail(`expected a node id after "after", found ${c.describe()}`);
          ids.push(id);
          c.skipSpaces();
        } while (c.at() === ',' && ++c.pos);
        node.after = ids;
        return;
      }
      case 'timeout':
        node.timeout_ms = c.readNumber('the timeout in milliseconds');
        return;
      case 'retry':
        node.retry =
          c.at() === '{' ? c.readJsonObject('retry') : { attempts: c.readNumber('the attempts') };
        return;
      case 'desc': {
        const d = c.readString();
        if (d === undefined)
          c.fail(`expected a description "..." after "desc", found ${c.describe()}`);
        node.description = d;
        return;
      }
      case 'approval':
        node.approval = this.optionalBool();
        return;
      case 'compensate':
        node.compensate = this.parseCallTarget();
        return;
      case 'fallback':
        node.fallback = this.parseFallbacks(ctx);
        return;
      case 'as': {
        const name = c.readWord();
        if (name === undefined) c.fail(`expected the item name after "as", found ${c.describe()}`);
        node.as = name;
        return;
      }
      case 'concurrency':
        node.concurrency = c.readNumber('the concurrency');
        return;
      case 'tolerate':
        node.tolerate = c.readNumber('the tolerated failure fraction');
        return;
      case 'first':
      case 'best':
        if ('pick' in node) c.fail(`"${w}" conflicts with "${node.pick}": a race picks one way`);
        node.pick = w;
        return;
      case 'max':
        node[kind === 'loop' ? 'max_iterations' : 'max_pages'] = c.readNumber('the maximum');
        return;
      case 'error': {
        const name = c.at() === '"' ? c.readString() : c.readWord();
        if (name === undefined)
          c.fail(`expected an error name after "error", found ${c.describe()}`);
        node.error = name;
        return;
      }
      default:
        c.fail(`unknown option "${w}"`);
    }
  }

  private parseFallbacks(ctx: ReturnType<typeof headContext>): unknown[] {
    const c: Cursor = this.c;
    const alts: unknown[] = [];
    for (;;) {
      c.skipSpaces();
      const kind = this.classify();
      if (kind === 'call') alts.push(this.parseCallTarget());
      else {
        if (kind === 'value') c.pos += 5;
        const v = this.requireValue(ctx, true, 'a fallback: a tool call name(...) or a value');
        alts.push({ value: v });
      }
      c.skipSpaces();
      if (c.at() === '|' && c.at(1) !== '|') c.pos += 1;
      else return alts;
    }
  }
}

/** Parses compact plan text (a code fence around it is allowed) into the JSON plan. */
export function parseCompactPlan(text: string): CompactParseResult {
  let parser: Parser | undefined;
  try {
    parser = new Parser(blankCodeFence(String(text)));
    const nodes = parser.parseBody(undefined, true);
    if (parser.errors.length > 0) return { ok: false, errors: parser.errors };
    const { goal, output, limits, final } = parser.plan;
    const plan: Fields = { version: PLAN_VERSION };
    if (goal !== undefined) plan.goal = goal;
    plan.nodes = nodes;
    if (output !== undefined) plan.output = output;
    if (limits !== undefined) plan.limits = limits;
    if (final !== undefined) plan.final = final;
    return { ok: true, plan: plan as PlanT };
  } catch (err) {
    if (err instanceof TooManyErrors && parser) return { ok: false, errors: parser.errors };
    const message = `internal error in the compact parser: ${(err as Error)?.message ?? String(err)}`;
    return { ok: false, errors: [...(parser?.errors ?? []), { line: 1, column: 1, message }] };
  }
}

/** Blanks a surrounding ``` fence (keeping line numbers) so a fenced plan parses as is. */
function blankCodeFence(text: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0 || !/^\s*```[\w-]*\s*$/.test(lines[first]!)) return text;
  lines[first] = '';
  for (let i = lines.length - 1; i > first; i -= 1) {
    if (lines[i]!.trim() === '') continue;
    if (/^\s*```\s*$/.test(lines[i]!)) lines[i] = '';
    break;
  }
  return lines.join('\n');
}
