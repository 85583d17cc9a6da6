import { KernelInputError } from '../../kernel.ts'
import { checkName, checkParamValue, type ParamType, type WgslParam } from './params.ts'

/**
 * The text forms of a wgsl project's shared inputs (`NAME=FILE`) and params
 * (`NAME=V`, `NAME:u32=V`, `NAME:i32=V`), read alike by `mesh publish` and
 * the UI's publish form. A name that is not allowed throws checkName's
 * KernelInputError; a malformed entry throws SpecTextError, whose message
 * the caller prefixes with where the text came from (the flag).
 */
export class SpecTextError extends KernelInputError {
  override name = 'SpecTextError'
}

/** `NAME=FILE`; `expected` says the form in the message (e.g. 'NAME=FILE, NAME=FILE' for a list). */
export function parseSharedText (text: string, expected = 'NAME=FILE'): { name: string, path: string } {
  const entry = text.trim()
  const at = entry.indexOf('=')
  if (at < 1 || at === entry.length - 1) throw new SpecTextError(`expects ${expected} (got '${entry}')`)
  const name = entry.slice(0, at).trim()
  checkName(name, 'shared input')
  return { name, path: entry.slice(at + 1).trim() }
}

/** `NAME=V` (f32), `NAME:u32=V` or `NAME:i32=V`; a value out of its type's range throws checkParamValue's error. */
export function parseParamText (text: string, expected = 'NAME=VALUE, NAME:u32=VALUE or NAME:i32=VALUE'): WgslParam {
  const match = /^([^:=]+)(?::([a-z0-9]+))?=(.+)$/.exec(text.trim())
  if (match == null) throw new SpecTextError(`expects ${expected} (got '${text.trim()}')`)
  const [, rawName, type = 'f32', rawValue] = match as unknown as [string, string, string | undefined, string]
  const name = rawName.trim()
  const valueText = rawValue.trim()
  if (type !== 'f32' && type !== 'u32' && type !== 'i32') throw new SpecTextError(`${name}: type must be f32, u32 or i32 (got '${type}')`)
  checkName(name, 'param')
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^0x[0-9a-f]+$/i.test(valueText)) throw new SpecTextError(`${name}: '${valueText}' is not a number`)
  const value = Number(valueText)
  checkParamValue(name, type as ParamType, value)
  return { name, type, value }
}
