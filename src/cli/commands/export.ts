import { resolve } from 'node:path'
import type { Command, CommandContext } from '../command.ts'
import { UsageError } from '../errors.ts'
import { askPeer } from '../peer-reports.ts'
import { optionalString } from '../parse-values.ts'
import { exportFormats, UnknownProjectError, type ExportFormat, type ExportSummary } from '../../node/coordinator/index.ts'

const FORMATS = exportFormats

async function run (ctx: CommandContext): Promise<number> {
  const [projectId] = ctx.positionals
  const format = optionalString(ctx.options, 'format')
  const out = optionalString(ctx.options, 'out')
  if (format == null || !(FORMATS as readonly string[]).includes(format)) throw new UsageError(`export: --format must be one of ${FORMATS.join(', ')}`)
  if (out == null || out === '') throw new UsageError('export: --out FILE is required')
  // A running peer has another working directory.
  const path = resolve(out)
  const summary = await askPeer<ExportSummary>(ctx.global.dataDir, 'export', { projectId, format, path }, async peer => {
    if (peer == null) throw new UnknownProjectError(projectId)
    return await peer.exportProject(projectId, format as ExportFormat, path, { signal: ctx.signal })
  })
  if (ctx.options.json === true) ctx.out.json({ event: 'exported', projectId, format, ...summary })
  else ctx.out.line(`wrote ${summary.rows}x${summary.cols} (${summary.chunks} chunks) to ${summary.path}`)
  return 0
}

export const exportCommand: Command = {
  name: 'export',
  summary: "write a finished own project's verified result to a file",
  usage: 'PROJECT_ID --format npy|csv|json|png --out FILE [--json]',
  help: `Streams the verified result, chunk by chunk, from the peer running on this data dir
(through its control socket) or from the data dir when none runs.
  --format F   npy (2-D float32), csv (header c0,c1,...), json (array of rows), or png for an
               image project (--image WxH); a --reduce project writes its one folded row
  --out FILE   where to write it (replaced if it exists)
  --json       one JSON object: rows, cols, chunks, path
Exits 1 when the project is not done yet, 2 when it is not one of this peer's.`,
  options: {
    format: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean' }
  },
  positionals: { min: 1, max: 1, names: 'PROJECT_ID' },
  run
}
