import { parseArgs } from 'node:util'
import type { Command, CommandContext, OptionValues, Output } from './cli/command.ts'
import { commands } from './cli/commands/index.ts'
import { EXIT_OK, EXIT_USAGE, EXIT_WORK_FAILED, UsageError, WorkError } from './cli/errors.ts'
import { InputError } from './errors.ts'
import { dataDirProblem } from './store/store.ts'
import { globalOptionSpec, globalOptionsHelp, toGlobalOptions, type GlobalOptions } from './cli/global-options.ts'
import type { MeshPortAdapter } from './node/mesh-port-adapter.ts'
import { WEB_OPTION, webOptionFrom, webOptionHelp } from './cli/node-options.ts'
import type { WebPageAddress } from './web/server/page-server.ts'
import { version } from './version.ts'

/** Options of the terminal UI (no command): it can serve the volunteer page as `mesh serve` does. */
const uiOptionSpec = { ...WEB_OPTION } as const

const consoleOutput: Output = {
  json: (value) => { process.stdout.write(JSON.stringify(value) + '\n') },
  line: (text) => { process.stdout.write(text + '\n') },
  info: (text) => { process.stderr.write(text + '\n') }
}

export function mainHelp (): string {
  const width = Math.max(...commands.map(c => c.name.length))
  return `mesh ${version}: volunteer GPU computing on your network

usage: mesh [command] [options]

With no command and a terminal, mesh opens its terminal UI; its option:
${webOptionHelp(24)}

commands:
${commands.map(c => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

${globalOptionsHelp}

Run \`mesh <command> --help\` for a command's options.`
}

export function commandHelp (command: Command): string {
  return `usage: mesh ${command.name} ${command.usage}

${command.summary}
${command.help != null ? `\n${command.help}\n` : ''}
${globalOptionsHelp}`
}

/** The first positional word is the command; global options may come before or after it. */
function findCommandName (argv: string[]): string | undefined {
  // With the UI's options, the value of `mesh --web HOST:PORT` is not taken for a command name.
  const { tokens } = parseArgs({ args: argv, options: { ...globalOptionSpec, ...uiOptionSpec }, strict: false, allowPositionals: true, tokens: true })
  return tokens.find(t => t.kind === 'positional')?.value
}

export function parseCommandLine (argv: string[]): { command?: Command, values: OptionValues, positionals: string[] } {
  const name = findCommandName(argv)
  const command = name == null ? undefined : commands.find(c => c.name === name)
  if (name != null && command == null) {
    throw new UsageError(`unknown command '${name}' (run \`mesh --help\` for the list)`)
  }
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...globalOptionSpec, ...(command == null ? uiOptionSpec : command.options) },
      strict: true,
      allowPositionals: true
    })
    return { command, values: values as OptionValues, positionals: positionals.slice(command == null ? 0 : 1) }
  } catch (err: any) {
    // node:util's messages are long and mention parseArgs; keep the part naming the flag.
    const firstLine = String(err.message).split('\n')[0]
    const ambiguous = /^Option '(--[^']+)' argument is ambiguous/.exec(firstLine)
    const message = ambiguous != null
      ? `${ambiguous[1]} takes a value; write ${ambiguous[1]}=VALUE when the value starts with '-'`
      : firstLine.replace(/\. To specify a positional argument.*$/, '').replace(/^Unknown option/, 'unknown option')
    throw new UsageError(command == null ? message : `${command.name}: ${message}`)
  }
}

export async function main (argv: string[], output: Output = consoleOutput): Promise<never | void> {
  const controller = new AbortController()
  const stop = (): void => { controller.abort() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  let code: number
  try {
    code = await run(argv, output, controller.signal)
  } catch (caught: any) {
    // A full disk or an unusable data dir, wherever the store met it, is one line naming the data dir.
    const err = dataDirProblem(caught) ?? caught
    if (err instanceof InputError) {
      output.info(`mesh: ${err.message}`)
      code = EXIT_USAGE
    } else if (err instanceof WorkError) {
      output.info(`mesh: ${err.message}`)
      code = EXIT_WORK_FAILED
    } else {
      output.info(`mesh: ${err?.stack ?? err}`)
      code = EXIT_WORK_FAILED
    }
  }
  process.exit(code)
}

/** The peer the terminal UI drives: started from the global options like every command's. */
async function startUiPeer (global: GlobalOptions, web: { web?: WebPageAddress }): Promise<MeshPortAdapter> {
  const [{ nodeOptionsFrom, startNode }, { meshPortFor }] = await Promise.all([import('./cli/node-options.ts'), import('./node/mesh-port-adapter.ts')])
  const node = await startNode({ ...await nodeOptionsFrom(global), ...web })
  try {
    return await meshPortFor(node)
  } catch (err) {
    await node.stop()
    throw err
  }
}

export async function run (argv: string[], out: Output, signal: AbortSignal): Promise<number> {
  const { command, values, positionals } = parseCommandLine(argv)
  if (values.version === true) {
    out.line(version)
    return EXIT_OK
  }
  if (values.help === true) {
    out.line(command == null ? mainHelp() : commandHelp(command))
    return EXIT_OK
  }
  const global = toGlobalOptions(values)
  if (command == null) {
    // Checked before the terminal is: a bad address is one line, before anything starts.
    const web = webOptionFrom(values, global)
    if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
      throw new UsageError('no command given and no terminal for the UI (run `mesh --help`)')
    }
    // Starting the peer and opening the GPU take seconds: say so rather than show a blank terminal.
    out.info(`mesh: starting this peer (data dir ${global.dataDir})…`)
    const { runTui } = await import('./tui/run.tsx')
    return await runTui(global, signal, async (options) => await startUiPeer(options, web))
  }
  const limits = command.positionals ?? { min: 0, max: 0, names: '' }
  if (positionals.length < limits.min) {
    throw new UsageError(`${command.name}: missing ${limits.names} (usage: mesh ${command.name} ${command.usage})`)
  }
  if (positionals.length > limits.max) {
    throw new UsageError(`${command.name}: unexpected argument '${positionals[limits.max]}'`)
  }
  const ctx: CommandContext = { options: values, positionals, global, signal, out }
  return (await command.run(ctx)) ?? EXIT_OK
}
