// biome-ignore-all lint/suspicious/noTemplateCurlyInString: plans write `${ }` expressions in plain strings
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../src/validate/validate-plan.ts';
import { registry } from './support.ts';

/**
 * Plans built only from reads the tools' output schemas allow, through every node kind
 * whose output is typed (calls, values, loops and their `last`, switch, try, race, map,
 * paginate, catch's error), are accepted; renaming any one field they read to one that
 * does not exist is exactly one no_such_field, at the pointer of the string that reads it.
 */

/** What a node's output is, as far as the generator reads it. */
type Kind = 'user' | 'status' | 'total' | 'orders';
const STRING_FIELDS: Record<Exclude<Kind, 'orders'>, string[]> = {
  user: ['id', 'name'],
  status: ['state'],
  total: [],
};
const NUMBER_FIELDS: Record<Exclude<Kind, 'orders'>, string[]> = {
  user: ['age'],
  status: [],
  total: ['total', 'count'],
};

const STEPS = [
  'user',
  'status',
  'orders',
  'total',
  'copy',
  'loop',
  'switch',
  'try',
  'race',
  'map',
  'paginate',
] as const;
type Step = { step: (typeof STEPS)[number]; pick: number };

interface Built {
  plan: { version: 1; nodes: Array<Record<string, unknown>> };
  /** Pointer of the string holding each field read, in the order they were written. */
  reads: string[];
}

/** Writes the plan; the field read number `mutate` is renamed to one no schema declares. */
function build(steps: Step[], mutate: number): Built {
  const nodes: Array<Record<string, unknown>> = [];
  const reads: string[] = [];
  const typed: Array<{ id: string; kind: Kind }> = [];
  /** A field name, recorded as a read at `pointer`. */
  const field = (name: string, pointer: string) => {
    reads.push(pointer);
    return reads.length - 1 === mutate ? `${name}_typo` : name;
  };
  /** An expression giving a string, read from an earlier node when one has a string field. */
  const stringFrom = (pick: number, pointer: string, fallback = "'s'") => {
    const sources = typed.filter((t) => t.kind !== 'orders' && STRING_FIELDS[t.kind].length);
    if (!sources.length) return `\${${fallback}}`;
    const src = sources[pick % sources.length]!;
    const names = STRING_FIELDS[src.kind as Exclude<Kind, 'orders'>];
    return `\${${src.id}.${field(names[pick % names.length]!, pointer)}}`;
  };
  const call = (id: string, kind: Exclude<Kind, 'orders'>, pick: number, at: string) => {
    if (kind === 'user')
      return { id, call: 'get_user', args: { user_id: stringFrom(pick, `${at}/args/user_id`) } };
    if (kind === 'status')
      return { id, call: 'job_status', args: { job: stringFrom(pick, `${at}/args/job`) } };
    return {
      id,
      call: 'calculate_total',
      args: { orders: [], currency: `cur ${stringFrom(pick, `${at}/args/currency`)}` },
    };
  };
  const simple = ['user', 'status', 'total'] as const;

  steps.forEach(({ step, pick }, i) => {
    const id = `n${i}`;
    const at = `/nodes/${nodes.length}`;
    const kind = simple[pick % 3]!;
    const orders = typed.filter((t) => t.kind === 'orders');
    const others = typed.filter((t) => t.kind !== 'orders');
    switch (step) {
      case 'user':
      case 'status':
      case 'total':
        nodes.push(call(id, step, pick, at));
        typed.push({ id, kind: step });
        return;
      case 'orders': {
        const users = typed.filter((t) => t.kind === 'user');
        const uid = users.length
          ? `\${${users[pick % users.length]!.id}.${field('id', `${at}/args/user_id`)}}`
          : 'u1';
        nodes.push({ id, call: 'get_orders', args: { user_id: uid, limit: 3 } });
        typed.push({ id, kind: 'orders' });
        return;
      }
      case 'copy': {
        if (!others.length) return;
        const src = others[pick % others.length]!;
        nodes.push({ id, value: `\${${src.id}}` });
        typed.push({ id, kind: src.kind });
        return;
      }
      case 'loop': {
        const body = call(`${id}_b`, 'status', pick, `${at}/loop/0`);
        const w = `\${last == null || last.${field('state', `${at}/while`)} != 'done'}`;
        const again = `\${last == null ? 'j' : last.${field('state', `${at}/loop/1/args/job`)}}`;
        nodes.push({
          id,
          loop: [body, { id: `${id}_s`, call: 'job_status', args: { job: again } }],
          while: w,
          max_iterations: 3,
        });
        typed.push({ id, kind: 'status' });
        return;
      }
      case 'switch': {
        const users = typed.filter((t) => t.kind === 'user');
        const when = users.length
          ? `\${${users[pick % users.length]!.id}.${field('verified', `${at}/switch/0/when`)}}`
          : '${true}';
        nodes.push({
          id,
          switch: [
            { when, do: [call(`${id}_a`, kind, pick, `${at}/switch/0/do/0`)] },
            { do: [call(`${id}_b`, kind, pick + 1, `${at}/switch/1/do/0`)] },
          ],
        });
        typed.push({ id, kind });
        return;
      }
      case 'try': {
        // A status catch reads the caught error instead of an earlier node.
        const c =
          kind === 'status'
            ? {
                id: `${id}_c`,
                call: 'job_status',
                args: { job: `\${error.${field('message', `${at}/catch/0/args/job`)}}` },
              }
            : call(`${id}_c`, kind, pick, `${at}/catch/0`);
        nodes.push({ id, try: [call(`${id}_t`, kind, pick, `${at}/try/0`)], catch: [c] });
        typed.push({ id, kind });
        return;
      }
      case 'race':
        nodes.push({
          id,
          race: [
            call(`${id}_a`, kind, pick, `${at}/race/0`),
            call(`${id}_b`, kind, pick + 1, `${at}/race/1`),
          ],
          pick: 'first',
        });
        typed.push({ id, kind });
        return;
      case 'map': {
        if (!orders.length) return;
        const src = orders[pick % orders.length]!;
        nodes.push({
          id,
          map: `\${${src.id}}`,
          as: 'o',
          do: [
            {
              id: `${id}_x`,
              value: `\${o.${field(pick % 2 ? 'total' : 'sku', `${at}/do/0/value`)}}`,
            },
          ],
        });
        return;
      }
      case 'paginate':
        nodes.push({
          id,
          paginate: { call: 'list_orders', args: { cursor: '${cursor}' } },
          next: `\${page.${field('next_cursor', `${at}/next`)}}`,
          items: `\${page.${field('items', `${at}/items`)}}`,
          max_pages: 2,
        });
        return;
    }
  });
  // The plan output reads a number from an earlier typed node, when there is one.
  const withNumbers = typed.filter((t) => t.kind !== 'orders' && NUMBER_FIELDS[t.kind].length);
  const plan: Built['plan'] & { output?: string } = { version: 1, nodes };
  if (withNumbers.length) {
    const src = withNumbers[withNumbers.length - 1]!;
    const name = NUMBER_FIELDS[src.kind as Exclude<Kind, 'orders'>][0]!;
    plan.output = `total: \${${src.id}.${field(name, '/output')}}`;
  }
  return { plan, reads };
}

const stepsArb = fc.array(fc.record({ step: fc.constantFrom(...STEPS), pick: fc.nat(20) }), {
  minLength: 1,
  maxLength: 14,
});

describe('typing properties', () => {
  it('plans that read only declared fields are valid', () => {
    fc.assert(
      fc.property(stepsArb, (steps) => {
        const { plan } = build(steps, -1);
        const r = validatePlan(plan, registry);
        expect(r.issues).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('one field renamed is one no_such_field, at the string that reads it', () => {
    fc.assert(
      fc.property(stepsArb, fc.nat(), (steps, n) => {
        const { reads } = build(steps, -1);
        fc.pre(reads.length > 0);
        const k = n % reads.length;
        const { plan } = build(steps, k);
        const r = validatePlan(plan, registry);
        expect(r.valid).toBe(false);
        expect(r.issues.map((i) => [i.path, i.code])).toEqual([[reads[k], 'no_such_field']]);
      }),
      { numRuns: 500 },
    );
  });
});
