import { z } from 'zod';
import { ToolError } from '../../src/errors/runtime-errors.ts';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { roundMoney } from '../support/random.ts';
import { sleep } from '../support/sleep.ts';
import type { ScenarioState } from './scenario-state.ts';

const QuoteIn = z.object({
  symbol: z.string().min(1).max(16).default('ACME').describe('Ticker symbol; default ACME'),
});
const QuoteOut = z.object({
  symbol: z.string().describe('Ticker symbol'),
  price: z.number().describe('Price in dollars'),
  currency: z.literal('USD').describe('Always USD'),
  source: z.enum(['primary', 'secondary']).describe('Which service answered'),
  stale: z.boolean().describe('True when the price may be out of date'),
});

const RatesIn = z.object({
  base: z.string().length(3).default('USD').describe('Currency to convert from; default USD'),
  quote: z.string().length(3).default('EUR').describe('Currency to convert to; default EUR'),
});
const RatesOut = z.object({
  source: z.enum(['rates_a', 'rates_b']).describe('Which provider answered'),
  base: z.string().describe('From currency'),
  quote: z.string().describe('To currency'),
  rate: z.number().describe('Units of quote per unit of base'),
});

/** Quote services for retry and fallback; two rate providers of different speed for races. */
export function createQuoteTools(state: ScenarioState): Tool[] {
  const { primaryFailures, ratesLatencyMs } = state.options;
  const rateTool = (name: 'rates_a' | 'rates_b', latency: number, spread: number) =>
    bundledTool({
      name,
      description: `Exchange rate from provider ${name === 'rates_a' ? 'A' : 'B'} (takes about ${latency} ms). Read-only. Its twin ${name === 'rates_a' ? 'rates_b' : 'rates_a'} answers the same question; race them and take the first answer.`,
      inputSchema: RatesIn,
      outputSchema: RatesOut,
      execute: async ({ base, quote }, ctx) => {
        state.count(name);
        await sleep(latency, ctx.signal);
        const b = base.toUpperCase();
        const q = quote.toUpperCase();
        const rate = b === q ? 1 : Math.round((0.9 + spread + state.random() * 0.01) * 1e4) / 1e4;
        return { source: name, base: b, quote: q, rate };
      },
    });

  return [
    bundledTool({
      name: 'primary_quote',
      description:
        'Current price of a stock from the primary market-data service. Read-only. The service is unreliable: it often fails with a retryable ToolError; retry it, or fall back to secondary_quote.',
      inputSchema: QuoteIn,
      outputSchema: QuoteOut,
      execute: ({ symbol }) => {
        const n = state.count('primary_quote');
        if (primaryFailures === 'always' || n <= primaryFailures) {
          throw new ToolError(`primary quote service unavailable (call ${n}), try again later`, {
            code: 'upstream_unavailable',
            details: { call: n },
          });
        }
        const price = roundMoney(100 + state.random() * 10);
        return {
          symbol,
          price,
          currency: 'USD' as const,
          source: 'primary' as const,
          stale: false,
        };
      },
    }),
    bundledTool({
      name: 'secondary_quote',
      description:
        'Price of a stock from the backup market-data service: always answers, but the price may be up to 15 minutes old (stale: true). Read-only.',
      inputSchema: QuoteIn,
      outputSchema: QuoteOut,
      execute: ({ symbol }) => {
        state.count('secondary_quote');
        const price = roundMoney(99 + state.random() * 10);
        return {
          symbol,
          price,
          currency: 'USD' as const,
          source: 'secondary' as const,
          stale: true,
        };
      },
    }),
    rateTool('rates_a', ratesLatencyMs.a, 0),
    rateTool('rates_b', ratesLatencyMs.b, 0.002),
  ];
}
