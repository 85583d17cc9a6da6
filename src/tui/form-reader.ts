import type { FieldErrors, FieldId, FormValues } from './publish-form.ts'

/** The number syntax of `mesh publish` flags (src/cli/parse-values.ts): the whole text is the number. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i

function grouped (n: number): string {
  return n.toLocaleString('en-US')
}

/**
 * Reads the form's fields as the CLI reads the same flags, so a value the
 * CLI takes the form takes too; a field that does not parse gets one
 * message (the first) in `errors`, and the read answers a placeholder.
 */
export class FieldReader {
  constructor (readonly values: FormValues, readonly errors: FieldErrors) {}

  text (id: FieldId): string {
    return this.values[id].trim()
  }

  given (id: FieldId): boolean {
    return this.text(id) !== ''
  }

  /** Text that must be there: a path, a column name. */
  required (id: FieldId, message = 'needs a file path'): string {
    if (!this.given(id)) this.fail(id, message)
    return this.text(id)
  }

  optionalText (id: FieldId): string | undefined {
    return this.given(id) ? this.text(id) : undefined
  }

  /** An integer in [min, max]; `fallback` is the CLI's default when the field is empty. */
  integer (id: FieldId, what: string, min: number, max: number, fallback?: number): number {
    if (!this.given(id) && fallback != null) return fallback
    const value = this.decimal(id)
    if (value == null || !Number.isInteger(value) || value < min || value > max) {
      this.fail(id, min === 1 ? `${what} must be a positive whole number up to ${grouped(max)}` : `${what} must be a whole number from ${grouped(min)} to ${grouped(max)}`)
    }
    return value ?? 0
  }

  optionalInteger (id: FieldId, what: string, min: number, max: number): number | undefined {
    return this.given(id) ? this.integer(id, what, min, max) : undefined
  }

  /** An optional number of at least `min`. */
  atLeast (id: FieldId, what: string, min: number): number | undefined {
    if (!this.given(id)) return undefined
    const value = this.decimal(id)
    if (value == null || !Number.isFinite(value) || value < min) this.fail(id, `${what} must be a number of at least ${min}`)
    return value ?? 0
  }

  /** An optional number above 0 and at most `max` (a learning rate, a fraction of chunks). */
  positive (id: FieldId, what: string, max: number): number | undefined {
    if (!this.given(id)) return undefined
    const value = this.decimal(id)
    if (value == null || !(value > 0) || value > max) this.fail(id, `${what} must be a number above 0, at most ${grouped(max)}`)
    return value ?? 0
  }

  private decimal (id: FieldId): number | undefined {
    return DECIMAL.test(this.text(id)) ? Number(this.text(id)) : undefined
  }

  private fail (id: FieldId, message: string): void {
    this.errors[id] ??= message
  }
}
