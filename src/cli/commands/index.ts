import type { Command } from '../command.ts'
import { benchCommand } from './bench.ts'
import { gpuCommand } from './gpu.ts'
import { publishCommand } from './publish.ts'
import { projectsCommand } from './projects.ts'
import { swarmKeyCommand } from './swarm-key.ts'
import { serveCommand } from './serve.ts'
import { volunteerCommand } from './volunteer.ts'
import { snoozeCommand } from './snooze.ts'
import { statusCommand } from './status.ts'
import { exportCommand } from './export.ts'
import { leaderboardCommand } from './leaderboard.ts'
import { historyCommand } from './history.ts'
import { doctorCommand } from './doctor.ts'

/**
 * Every headless command, in the order `mesh --help` lists them.
 * Each lives in its own file beside this one.
 */
export const commands: Command[] = [
  publishCommand,
  serveCommand,
  volunteerCommand,
  snoozeCommand,
  projectsCommand,
  statusCommand,
  doctorCommand,
  exportCommand,
  leaderboardCommand,
  historyCommand,
  swarmKeyCommand,
  gpuCommand,
  benchCommand,
]
