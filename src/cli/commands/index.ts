import type { Command } from '../command.ts'
import { benchCommand } from './bench.ts'
import { gpuCommand } from './gpu.ts'
import { publishCommand } from './publish.ts'
import { projectsCommand } from './projects.ts'
import { swarmKeyCommand } from './swarm-key.ts'

/**
 * Every headless command, in the order `mesh --help` lists them.
 * Each lives in its own file beside this one.
 */
export const commands: Command[] = [
  publishCommand,
  projectsCommand,
  swarmKeyCommand,
  gpuCommand,
  benchCommand,
]
