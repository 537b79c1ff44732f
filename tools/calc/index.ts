import { z } from 'zod';
import { InvalidArgsError } from '../../src/errors/runtime-errors.ts';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { CONSTANT_NAMES, calculate, FUNCTION_NAMES } from './evaluate.ts';
import { MAX_EXPRESSION_LENGTH } from './parser.ts';

const ValueOut = z.object({ value: z.number().describe('The result') });
const Operand = z.number().describe('A number');

function finite(value: number, what: string): { value: number } {
  if (!Number.isFinite(value))
    throw new InvalidArgsError(`${what} overflows`, { code: 'overflow', retryable: false });
  return { value: Object.is(value, -0) ? 0 : value };
}

/** A safe calculator (a real parser, never eval) and two plain arithmetic tools. */
export function createCalc(): { tools: Tool[] } {
  return {
    tools: [
      bundledTool({
        name: 'calculate',
        description: `Evaluate an arithmetic expression exactly as written: + - * / % (remainder), ^ or ** (power, right-associative; -2^2 is -4), parentheses, unary minus, decimals and 1e3 notation, constants ${CONSTANT_NAMES.join(', ')}, functions ${FUNCTION_NAMES.join(', ')} (round(x, digits) rounds half away from zero; log(x) is natural, log(x, base) any base; trigonometry in radians). No variables. Division by zero and non-real results fail.`,
        inputSchema: z.object({
          expression: z
            .string()
            .min(1)
            .max(MAX_EXPRESSION_LENGTH)
            .describe('e.g. "(2 + 3) * 4.5 - sqrt(16) / 2"'),
        }),
        outputSchema: ValueOut,
        execute: ({ expression }) => ({ value: calculate(expression) }),
      }),
      bundledTool({
        name: 'add',
        description: 'Add two numbers: a + b.',
        inputSchema: z.object({ a: Operand, b: Operand }),
        outputSchema: ValueOut,
        execute: ({ a, b }) => finite(a + b, 'the sum'),
      }),
      bundledTool({
        name: 'multiply',
        description: 'Multiply two numbers: a * b.',
        inputSchema: z.object({ a: Operand, b: Operand }),
        outputSchema: ValueOut,
        execute: ({ a, b }) => finite(a * b, 'the product'),
      }),
    ],
  };
}
