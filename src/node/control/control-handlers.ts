import { isAbsolute } from 'node:path'
import { InputError } from '../../errors.ts'
import { exportFormats, type ExportFormat } from '../coordinator/index.ts'
import type { ControlHandlers } from './control-server.ts'
import { PolicyNotRunningError } from './errors.ts'
import { policyStateReport, volunteerReport, type VolunteerReportNode } from './volunteer-report.ts'
import type { MeshNode } from '../mesh-node.ts'

const EXPORT_FORMATS = exportFormats

/**
 * What a running peer answers on its control socket: the same reports the
 * headless commands print when no peer runs (see src/node/stored-peer.ts), so
 * `mesh status` reads alike either way. Params come from another local
 * process: checked like any input.
 */
export function controlHandlers (node: Pick<MeshNode<any>, 'status' | 'exportProject' | 'leaderboard' | 'history' | 'health' | 'updatePolicy' | 'doctor'> & VolunteerReportNode): ControlHandlers {
  return {
    status: async () => {
      const volunteer = volunteerReport(node)
      // Peers met only through a relay, with no direct path: no chunk can move between them and this peer.
      const noDirectPath = node.doctor().noDirectPath
      return { ...await node.status(), ...(volunteer != null ? { volunteer } : {}), ...(noDirectPath.length > 0 ? { noDirectPath } : {}) }
    },
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
    // `mesh doctor` while the peer runs: its live reachability, NAT, relays and paths.
    doctor: async () => node.doctor(),
    volunteer: async () => node.volunteerStatus(),
    projects: async () => node.projects(),
    // `mesh snooze`: untilMs ends the snooze then (ms since epoch); null ends it now.
    snooze: async (params) => {
      const { untilMs } = params
      const valid = untilMs === null || (typeof untilMs === 'number' && Number.isSafeInteger(untilMs) && untilMs > 0)
      if (!valid) throw new InputError('snooze: untilMs must be a time in ms since 1970, or null to end the snooze')
      if (node.policyState() == null) throw new PolicyNotRunningError()
      const state = await node.updatePolicy({ snoozeUntil: untilMs === null ? undefined : untilMs as number })
      return { untilMs, state: policyStateReport(state) }
    }
  }
}
