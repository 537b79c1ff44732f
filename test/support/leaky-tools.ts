import { z } from 'zod';

/** Tools that leave work behind after they answer: the CLI must exit anyway. */
export const tools = [
  {
    name: 'leaky',
    description: 'answers, and leaks an interval timer',
    inputSchema: z.object({}),
    execute: () => {
      setInterval(() => {}, 1_000);
      return { ok: true };
    },
  },
  {
    name: 'leaky_fail',
    description: 'fails, and leaks an interval timer',
    inputSchema: z.object({}),
    execute: () => {
      setInterval(() => {}, 1_000);
      throw new Error('over budget');
    },
  },
];
