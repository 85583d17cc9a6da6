import { UsageError } from './errors.ts'

/**
 * Strict readers for numeric flags: the whole text must be the number
 * (`--size 12abc` is an error, not 12), with a one-line message naming the flag.
 */

function numberText (value: string, flag: string, expected: string): number {
  const text = value.trim()
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) throw new UsageError(`${flag} expects ${expected} (got '${value}')`)
  return Number(text)
}

export function parseInteger (value: string, flag: string, min: number, max: number): number {
  const expected = `an integer from ${min} to ${max}`
  const number = numberText(value, flag, expected)
  if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`${flag} expects ${expected} (got '${value}')`)
  return number
}

export function parseNumber (value: string, flag: string, min: number, max: number): number {
  const expected = `a number from ${min} to ${max}`
  const number = numberText(value, flag, expected)
  if (number < min || number > max) throw new UsageError(`${flag} expects ${expected} (got '${value}')`)
  return number
}

/** `MxKxN` -> [M, K, N], each an integer from 1 to max. */
export function parseShape (value: string, flag: string, parts: number, max: number): number[] {
  const pieces = value.trim().toLowerCase().split('x')
  const expected = `${Array.from({ length: parts }, (_, i) => 'MKNPQ'[i]).join('x')} with integers from 1 to ${max}`
  if (pieces.length !== parts || pieces.some(piece => !/^\d+$/.test(piece))) throw new UsageError(`${flag} expects ${expected} (got '${value}')`)
  const numbers = pieces.map(Number)
  if (numbers.some(n => n < 1 || n > max)) throw new UsageError(`${flag} expects ${expected} (got '${value}')`)
  return numbers
}

export function optionalString (values: Record<string, unknown>, name: string): string | undefined {
  const value = values[name]
  return typeof value === 'string' ? value : undefined
}

/** A number above 0 (a learning rate): 0 and negatives are refused, as is any upper bound passed. */
export function parsePositiveNumber (value: string, flag: string, max = Number.MAX_VALUE): number {
  const expected = 'a number above 0'
  const number = numberText(value, flag, expected)
  if (!(number > 0) || number > max) throw new UsageError(`${flag} expects ${expected}${max < Number.MAX_VALUE ? ` and at most ${max}` : ''} (got '${value}')`)
  return number
}
