/**
 * Compact plan text to the JSON plan (the same object a JSON plan would parse to; the
 * validator checks it as usual). Never throws: syntax errors come back as data with 1-based
 * line and column, several per text when the parser can resynchronise at the next line.
 */
import type { AnyKindDef, CompactOption } from '../plan/kinds/kind.ts';
import { kindByKey } from '../plan/kinds/registry.ts';
import { PLAN_VERSION, type PlanNode, type PlanT } from '../plan/plan-schema.ts';
import type { CompactError, Cursor } from './cursor.ts';
import { KindReader } from './kind-reader.ts';
import { ParserCore, TooManyErrors } from './parser-core.ts';
import type { ScanContext } from './scan-expression.ts';
import { headContext, kindOfWord, LINE_CONTEXT, optionsFor } from './syntax.ts';

export type CompactParseResult = { ok: true; plan: PlanT } | { ok: false; errors: CompactError[] };

type Fields = Record<string, unknown>;

/** "a map", "an emit": how messages name a kind. */
function kindLabel(kind: AnyKindDef): string {
  const word = kind.compact.word || kind.key;
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

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

  private parseKind(id: string): PlanNode {
    const c: Cursor = this.c;
    const kindAt = c.pos;
    const word = this.classify();
    const node: Fields = { id };
    if (word === 'expr') {
      const value = kindByKey('value')!;
      node.value = this.requireValue(headContext(value), true, 'a value', true);
      this.parseOptions(node, value);
      return node as PlanNode;
    }
    const kind = word === 'call' ? kindByKey('call')! : kindOfWord(word)!;
    if (word !== 'call') c.pos += word.length;
    const reader = new KindReader(this, kind);
    kind.compact.head(reader, node);
    this.parseOptions(node, kind);
    kind.compact.tail(reader, node, kindAt);
    return node as PlanNode;
  }

  private parseOptions(node: Fields, kind: AnyKindDef): void {
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
        c.fail(`unknown option ${what} for ${kindLabel(kind)}: expected one of ${list}, or ${end}`);
      }
      if (seen.has(w)) c.fail(`duplicate option "${w}"`, at);
      seen.add(w);
      c.pos += w.length;
      c.skipSpaces();
      const own = kind.compact.options.find((o) => o.word === w);
      if (own) this.parseKindOption(node, ctx, own);
      else this.parseCommonOption(node, ctx, w);
    }
  }

  private parseCommonOption(node: Fields, ctx: ScanContext, w: string): void {
    const c: Cursor = this.c;
    switch (w) {
      case 'if':
        node.if = this.requireValue(ctx, false, 'an expression after "if"');
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
      default: {
        const d = c.readString();
        if (d === undefined)
          c.fail(`expected a description "..." after "desc", found ${c.describe()}`);
        node.description = d;
      }
    }
  }

  private parseKindOption(node: Fields, ctx: ScanContext, o: CompactOption): void {
    const c: Cursor = this.c;
    const w = o.word;
    switch (o.form) {
      case 'expr':
        node[o.field] = this.requireValue(ctx, false, `an expression after "${w}"`);
        return;
      case 'number':
        node[o.field] = c.readNumber(o.what ?? `the ${w}`);
        return;
      case 'flag':
        node[o.field] = this.optionalBool();
        return;
      case 'name': {
        const name = c.readWord();
        if (name === undefined)
          c.fail(`expected ${o.what ?? 'a name'} after "${w}", found ${c.describe()}`);
        node[o.field] = name;
        return;
      }
      case 'word': {
        const name = c.at() === '"' ? c.readString() : c.readWord();
        if (name === undefined)
          c.fail(`expected ${o.what ?? 'a name'} after "${w}", found ${c.describe()}`);
        node[o.field] = name;
        return;
      }
      case 'call':
        node[o.field] = this.parseCallTarget();
        return;
      case 'fallbacks':
        node[o.field] = this.parseFallbacks(ctx);
        return;
      case 'pick':
        if (o.field in node)
          c.fail(`"${w}" conflicts with "${node[o.field]}": a race picks one way`);
        node[o.field] = w;
        return;
    }
  }

  private parseFallbacks(ctx: ScanContext): unknown[] {
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
