import Table from 'cli-table3'

const BORDERLESS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  '
}

/** Columns separated by two spaces, no borders, no colour: readable in a terminal and in a log. */
export function plainTable (head: string[], rows: string[][]): string {
  const table = new Table({ head, style: { head: [], border: [] }, chars: BORDERLESS })
  table.push(...rows)
  return table.toString().split('\n').map(line => line.trimEnd()).join('\n')
}

export function shortId (id: string): string {
  return id.length > 12 ? `${id.slice(0, 12)}…` : id
}

export function seconds (ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s` : `${(ms / 1000).toFixed(1)}s`
}
