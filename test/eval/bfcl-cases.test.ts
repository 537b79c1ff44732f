import { describe, expect, it } from 'vitest';
import { loadBfclCorpus } from '../../src/eval/bfcl/bfcl-corpus.ts';
import {
  expectedCalls,
  replyPlan,
  runBfcl,
  runBfclCase,
  sampleEvenly,
} from '../../src/eval/bfcl-cases.ts';

describe('BFCL as eval cases', () => {
  const corpus = loadBfclCorpus();

  it('samples every category evenly and deterministically', () => {
    const sample = sampleEvenly(corpus, 50);
    expect(sample).toHaveLength(50);
    expect(new Set(sample.map((c) => c.category)).size).toBe(5);
    expect(sampleEvenly(corpus, 50).map((c) => c.id)).toEqual(sample.map((c) => c.id));
  });

  it('replays ground truth through the whole loop and scores a sample at 100%', async () => {
    const summary = await runBfcl({ limit: 60, concurrency: 16 });
    expect(summary.total).toBe(60);
    expect(summary.failures).toEqual([]);
    expect(summary.rejected).toEqual([]);
    expect(summary.passed).toBe(60);
    expect(summary.byCategory.irrelevance?.total).toBeGreaterThan(0);
  });

  it('scores a wrong call as a failure and an irrelevance task as "no call"', async () => {
    const parallel = corpus.find((c) => c.id === 'parallel_0')!;
    expect(expectedCalls(parallel)).toHaveLength(2);
    const reply = replyPlan(parallel) as { nodes: { args: Record<string, unknown> }[] };
    reply.nodes[0]!.args.artist = 'Adele';
    const wrong = await runBfclCase(parallel, reply);
    expect(wrong.passed).toBe(false);
    expect(wrong.reason).toMatch(/argument "artist" is "Adele"/);
    const irrelevant = corpus.find((c) => c.category === 'irrelevance')!;
    expect(replyPlan(irrelevant).nodes).toEqual([]);
    expect((await runBfclCase(irrelevant)).passed).toBe(true);
    const calling = await runBfclCase(irrelevant, {
      version: 1,
      nodes: [{ id: 'x', call: irrelevant.functions[0]!.name, args: {} }],
      final: true,
    });
    expect(calling.passed).toBe(false);
  });
});
