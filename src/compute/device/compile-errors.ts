/// <reference types="@webgpu/types" />
import { WgslCompileError } from '../errors.ts'
import type { GpuProgramSource } from '../gpu-program.ts'

/**
 * A compile failure as the researcher should read it: lines and columns
 * in their own source, not in the wrapped shader. Errors in the engine's own
 * programs are bugs, not input, and stay plain Errors.
 */
export function compileError (program: GpuProgramSource, message: GPUCompilationMessage | undefined, fallback: string | undefined): Error {
  const text = firstLine(message?.message ?? fallback ?? 'unknown WGSL error')
  const user = program.userCode
  if (user == null) return new Error(`internal WGSL program ${program.key} failed to compile: ${text}`)
  if (message != null && message.lineNum >= user.firstLine && message.lineNum < user.firstLine + user.lineCount) {
    const line = message.lineNum - user.firstLine + 1
    return new WgslCompileError(`WGSL error at line ${line}, column ${message.linePos}: ${text}`, line, message.linePos)
  }
  return new WgslCompileError(`WGSL error: ${text} (${user.hint})`, 0, 0)
}

function firstLine (text: string): string {
  const parsed = /error: (.*)/.exec(text)
  return (parsed?.[1] ?? text).split('\n')[0]!.trim()
}
