import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { refused } from '../support/errors.ts';
import { idempotent } from '../support/idempotency.ts';
import type { ShopState } from './shop-state.ts';

const SEAT_LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'];

function seatLabel(index: number): string {
  return `${Math.floor(index / SEAT_LETTERS.length) + 1}${SEAT_LETTERS[index % SEAT_LETTERS.length]}`;
}

/** A seat booking that takes the seat-map lock, and the release that a `finally` should run. */
export function createSeatTools(state: ShopState): Tool[] {
  const seats = state.seats;
  return [
    bundledTool({
      name: 'book_seat',
      description:
        'Book a seat on flight TP100. Takes the seat-map lock first and keeps it, even when booking fails, until release_lock is called (so call release_lock afterwards, e.g. in a finally). Changes state. Fails, not retryable, when the flight is full or the requested seat is taken.',
      inputSchema: z.object({
        seat: z.string().optional().describe('A seat like "1A"; omit to take the next free one'),
        passenger: z.string().optional().describe('Passenger name, for the record'),
      }),
      outputSchema: z.object({
        booking_id: z.string().describe('Booking id'),
        flight: z.string().describe('Flight number'),
        seat: z.string().describe('The booked seat'),
      }),
      mutating: true,
      execute: idempotent(({ seat }) => {
        seats.lockHeld = true;
        const taken = new Set(seats.bookings.map((b) => b.seat));
        if (seats.bookings.length >= seats.capacity) {
          throw refused('sold_out', `flight TP100 is full (${seats.capacity} seats, all booked)`);
        }
        const free = Array.from({ length: seats.capacity }, (_, i) => seatLabel(i)).filter(
          (s) => !taken.has(s),
        );
        const wanted = seat?.trim().toUpperCase();
        if (wanted !== undefined && !free.includes(wanted)) {
          throw refused(
            'seat_unavailable',
            `seat ${wanted} is not free; free seats: ${free.join(', ')}`,
          );
        }
        const booking = {
          booking_id: state.nextId('bk'),
          flight: 'TP100',
          seat: wanted ?? free[0]!,
        };
        seats.bookings.push(booking);
        return { ...booking };
      }),
    }),
    bundledTool({
      name: 'release_lock',
      description:
        'Release the seat-map lock that book_seat takes. Safe to call at any time; says whether the lock was held. Changes state.',
      inputSchema: z.object({}),
      outputSchema: z.object({
        released: z.literal(true).describe('Always true: the lock is free afterwards'),
        was_held: z.boolean().describe('Whether the lock was held before this call'),
      }),
      mutating: true,
      execute: idempotent(() => {
        const wasHeld = seats.lockHeld;
        seats.lockHeld = false;
        seats.releases += 1;
        return { released: true as const, was_held: wasHeld };
      }),
    }),
  ];
}
