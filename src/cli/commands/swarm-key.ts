import type { Command, CommandContext } from '../command.ts'
import { generateSwarmKey } from '../../node/network/swarm-key.ts'

async function run (ctx: CommandContext): Promise<number> {
  ctx.out.line(generateSwarmKey().trimEnd())
  return 0
}

export const swarmKeyCommand: Command = {
  name: 'swarm-key',
  summary: 'print a new pre-shared key for a private mesh',
  usage: '> swarm.key',
  help: `Prints a new key in the standard libp2p swarm-key format. Give the file to every
peer of your private mesh with --swarm-key FILE: peers with another key (or none)
cannot connect to them.`,
  options: {},
  run
}
