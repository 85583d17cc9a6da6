import { isAbsolute } from 'node:path'
import { InputError } from '../../errors.ts'
import { exportFormats, type ExportFormat } from '../coordinator/index.ts'
import type { ControlHandlers } from './control-server.ts'
import type { MeshNode } from '../mesh-node.ts'

const EXPORT_FORMATS = exportFormats

/**
 * What a running peer answers on its control socket: the same reports the
 * headless commands print when no peer runs (see src/node/stored-peer.ts), so
 * `mesh status` reads alike either way. Params come from another local
 * process: checked like any input.
 */
export function controlHandlers (node: Pick<MeshNode<any>, 'status' | 'exportProject' | 'leaderboard' | 'history' | 'health' | 'volunteerStatus' | 'projects'>): ControlHandlers {
  return {
    status: async () => await node.status(),
    export: async (params) => {
      const { projectId, format, path } = params
      if (typeof projectId !== 'string' || projectId === '') throw new InputError('export: projectId must be a project id')
      if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) throw new InputError(`export: format must be one of ${EXPORT_FORMATS.join(', ')}`)
      // The peer runs in another working directory: only an absolute path means what the caller meant.
      if (typeof path !== 'string' || !isAbsolute(path)) throw new InputError('export: path must be an absolute file path')
      return await node.exportProject(projectId, format as ExportFormat, path)
    },
    leaderboard: async () => await node.leaderboard(),
    history: async () => await node.history(),
    health: async () => await node.health(),
    volunteer: async () => node.volunteerStatus(),
    projects: async () => node.projects()
  }
}
