/**
 * Validation time against plan size: `node --import tsx bench/validate.bench.ts`.
 * The validator must be linear: the per-node cost at 10,000 nodes is reported as a ratio
 * of the per-node cost at 1,000, measured in this run (target: within 1.5x).
 */
import { clearExpressionCache } from '../src/expr/expression.ts';
import { ToolRegistry } from '../src/tool/registry.ts';
import { validatePlan } from '../src/validate/validate-plan.ts';
import { tools } from '../test/validate/fixtures/tools.ts';
import { countNodes, generatePlan } from './support/plan-gen.ts';

const registry = ToolRegistry.from(tools, 'bench');
const SIZES = [100, 1_000, 10_000];
const REPS: Record<number, number> = { 100: 30, 1000: 10, 10000: 5 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

// Warm up the JIT and the caches of the shared modules once, on a mid-sized plan.
for (let i = 0; i < 3; i++) validatePlan(generatePlan(1_000), registry);

const rows: Array<{ size: number; nodes: number; ms: number; usPerNode: number }> = [];
for (const size of SIZES) {
  const plan = generatePlan(size);
  const nodes = countNodes(plan.nodes);
  const times: number[] = [];
  for (let r = 0; r < REPS[size]!; r++) {
    // A fresh copy and a cold expression cache each time: every run parses everything.
    const copy = JSON.parse(JSON.stringify(plan));
    clearExpressionCache();
    const t0 = performance.now();
    const result = validatePlan(copy, registry, { maxNodes: 20_000 });
    times.push(performance.now() - t0);
    if (!result.valid)
      throw new Error(`bench plan invalid: ${JSON.stringify(result.issues.slice(0, 3))}`);
  }
  const ms = median(times);
  rows.push({ size, nodes, ms, usPerNode: (ms * 1000) / nodes });
}

const per = (size: number) => rows.find((r) => r.size === size)!.usPerNode;
console.log('| plan size | nodes | median ms | µs per node |');
console.log('| ---: | ---: | ---: | ---: |');
for (const r of rows)
  console.log(`| ${r.size} | ${r.nodes} | ${r.ms.toFixed(1)} | ${r.usPerNode.toFixed(1)} |`);
console.log(
  `\nper-node(10,000) / per-node(1,000) = ${(per(10_000) / per(1_000)).toFixed(2)} (target <= 1.5)`,
);
