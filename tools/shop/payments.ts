import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { notFound, refused } from '../support/errors.ts';
import { idempotent } from '../support/idempotency.ts';
import { roundMoney } from '../support/random.ts';
import { findUser, UserIdArg } from './shop-data.ts';
import type { Charge, ShopState } from './shop-state.ts';

export function createPaymentTools(state: ShopState): Tool[] {
  return [
    bundledTool({
      name: 'charge_card',
      description:
        "Charge the user's card on file. Moves money (changes state): undo it with refund {charge_id}. Fails, not retryable, when the card is declined.",
      inputSchema: z.object({
        amount: z.number().min(0).max(1_000_000).describe('Amount in dollars'),
        user_id: UserIdArg.default('u1').describe('Whose card to charge; defaults to u1'),
      }),
      outputSchema: z.object({
        id: z.string().describe('Charge id, e.g. "ch_1"; pass it to refund'),
        user_id: z.string().describe('Charged user'),
        amount: z.number().describe('Amount charged, in dollars'),
        status: z.literal('succeeded').describe('Always "succeeded" (a decline is an error)'),
      }),
      mutating: true,
      execute: idempotent(({ amount, user_id }) => {
        const user = findUser(state.users, user_id);
        const cents = roundMoney(amount);
        if (cents > state.declineAbove) {
          throw refused('card_declined', `card declined: ${cents} is above the card limit`, {
            amount: cents,
          });
        }
        const charge: Charge = {
          id: state.nextId('ch'),
          user_id: user.id,
          amount: cents,
          status: 'succeeded',
          refund_id: null,
        };
        state.charges.set(charge.id, charge);
        return { id: charge.id, user_id: user.id, amount: cents, status: 'succeeded' as const };
      }),
    }),
    bundledTool({
      name: 'refund',
      description:
        'Refund a card charge in full (the compensation for charge_card). Changes state. Refunding an already refunded charge returns the same refund and moves no money.',
      inputSchema: z.object({
        charge_id: z.string().min(1).describe('The charge id returned by charge_card'),
      }),
      outputSchema: z.object({
        id: z.string().describe('The refunded charge id'),
        refund_id: z.string().describe('Refund id'),
        amount: z.number().describe('Amount refunded, in dollars'),
        refunded: z.literal(true).describe('Always true'),
      }),
      mutating: true,
      execute: idempotent(({ charge_id }) => {
        const charge = state.charges.get(charge_id.trim());
        if (!charge) throw notFound('charge', charge_id, [...state.charges.keys()]);
        if (charge.refund_id === null) {
          charge.refund_id = state.nextId('re');
          charge.status = 'refunded';
        }
        return {
          id: charge.id,
          refund_id: charge.refund_id,
          amount: charge.amount,
          refunded: true as const,
        };
      }),
    }),
  ];
}
