import Table from 'cli-table3'
import type { Command, CommandContext } from '../command.ts'
import { parseNumber, optionalString } from '../parse-values.ts'
import { nodeOptionsFrom, reportStarted, startNode, waitUntilAborted } from '../node-options.ts'
import type { ProjectSummary } from '../../node/types.ts'

export const DEFAULT_WAIT_SECONDS = 5
const MAX_WAIT_SECONDS = 3600

/** The JSON line of one project: its summary, with custom WGSL reduced to a flag (it can be long). */
export function projectLine (project: ProjectSummary): Record<string, unknown> {
  const { customWgsl, ...rest } = project
  return { ...rest, customCode: customWgsl != null }
}

function shortId (id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id
}

export function projectsTable (projects: ProjectSummary[]): string {
  const table = new Table({
    head: ['ID', 'NAME', 'OWNER', 'KERNEL', 'DIMS', 'CHUNKS', 'VOLUNTEERS', 'STATUS'],
    style: { head: [], border: [] },
    chars: { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ' }
  })
  for (const p of projects) {
    table.push([
      shortId(p.id),
      p.name,
      p.own ? 'this peer' : `${p.ownerName ?? ''} ${shortId(p.owner)}`.trim(),
      p.kernel,
      p.dims,
      `${p.chunks.done}/${p.chunks.total}`,
      String(p.volunteers),
      p.status
    ])
  }
  return table.toString().split('\n').map(line => line.trimEnd()).join('\n')
}

async function run (ctx: CommandContext): Promise<number> {
  const json = ctx.options.json === true
  const waitText = optionalString(ctx.options, 'wait')
  const waitSeconds = waitText == null ? DEFAULT_WAIT_SECONDS : parseNumber(waitText, '--wait', 0, MAX_WAIT_SECONDS)
  const node = await startNode(await nodeOptionsFrom(ctx.global))
  let projects: ProjectSummary[]
  try {
    // stdout carries only the project lines; the peer's identity goes to stderr.
    reportStarted({ ...ctx.out, json: () => {} }, node, false)
    await waitUntilAborted(ctx.signal, waitSeconds * 1000)
    projects = node.projects()
  } finally {
    await node.stop()
  }
  if (json) {
    for (const project of projects) ctx.out.json(projectLine(project))
  } else if (projects.length === 0) {
    ctx.out.line(`no projects found (listened ${waitSeconds} s)`)
  } else {
    ctx.out.line(projectsTable(projects))
  }
  return 0
}

export const projectsCommand: Command = {
  name: 'projects',
  summary: 'list the projects this peer discovers',
  usage: '[--wait SECONDS] [--json]',
  help: `options:
  --wait SECONDS   how long to listen for announcements before listing (default ${DEFAULT_WAIT_SECONDS})
  --json           one JSON object per project per line (id, name, owner, kernel, dims, chunks, volunteers, status, ...)`,
  options: {
    wait: { type: 'string' },
    json: { type: 'boolean' }
  },
  run
}
