/**
 * How numbers read on screen. Pure and locale-free so the same figure looks
 * the same in every terminal and test.
 */

/** The tail of a peer or project id: enough to tell peers apart on a LAN. */
export function shortId (id: string, length = 8): string {
  return id.length <= length ? id : id.slice(-length)
}

/** A peer's name when it has one, else its short id. */
export function peerLabel (id: string, name?: string): string {
  return name != null && name !== '' ? name : shortId(id)
}

const siPrefixes = ['', 'k', 'M', 'G', 'T', 'P', 'E']

function si (value: number, unit: string, digits = 1): string {
  let v = value
  let i = 0
  while (Math.abs(v) >= 1000 && i < siPrefixes.length - 1) {
    v /= 1000
    i++
  }
  return `${i === 0 ? String(Math.round(v)) : v.toFixed(digits)} ${siPrefixes[i]}${unit}`
}

/** An amount of work: "12.4 GFLOP". */
export function formatFlops (flops: number): string {
  return si(flops, 'FLOP')
}

/** A rate given in GFLOPS: "850.2 GFLOPS", "1.3 TFLOPS". */
export function formatGflops (gflops: number): string {
  if (gflops <= 0) return '0 GFLOPS'
  return si(gflops * 1e9, 'FLOPS')
}

export function formatBytes (bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = bytes
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return i === 0 ? `${v} B` : `${v.toFixed(1)} ${units[i]}`
}

/** A duration: "850 ms", "12.3 s", "3m 05s", "1h 02m". */
export function formatDuration (ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const seconds = ms / 1000
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const totalSeconds = Math.round(seconds)
  const h = Math.floor(totalSeconds / 3600)
  const m = Math.floor((totalSeconds % 3600) / 60)
  const s = totalSeconds % 60
  return h > 0 ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m ${String(s).padStart(2, '0')}s`
}

export function formatEta (seconds: number | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '--'
  return seconds === 0 ? 'done' : formatDuration(seconds * 1000)
}

/** Response times: "4.2 ms". */
export function formatMs (ms: number): string {
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`
}

export function formatPercent (ratio: number): string {
  return `${Math.floor(Math.max(0, Math.min(1, ratio)) * 100)}%`
}

export function formatSpeedup (factor: number): string {
  return `${factor.toFixed(1)}x`
}

export function formatRate (perSecond: number, unit: string): string {
  return `${perSecond < 10 ? perSecond.toFixed(2) : perSecond.toFixed(1)} ${unit}/s`
}

/** "just now", "12s ago", "3m ago", "2h ago". */
export function formatAgo (at: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - at) / 1000))
  if (seconds < 2) return 'just now'
  if (seconds < 60) return `${seconds}s ago`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`
  return `${Math.floor(seconds / 3600)}h ago`
}

/** Time of day, HH:MM:SS in local time. */
export function formatClock (at: number): string {
  const d = new Date(at)
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map(n => String(n).padStart(2, '0')).join(':')
}

/** Fits text into `width` columns, ending with an ellipsis when cut. */
export function truncate (text: string, width: number): string {
  if (width <= 0) return ''
  const chars = [...text]
  if (chars.length <= width) return text
  return chars.slice(0, Math.max(0, width - 1)).join('') + '…'
}

/** Word-wraps text into lines of at most `width` columns (a word longer than that is cut), at most `maxLines` (the last ends with an ellipsis when cut). */
export function wrapText (text: string, width: number, maxLines = Infinity): string[] {
  if (width <= 0) return []
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/).filter(w => w !== '')) {
    const joined = line === '' ? word : `${line} ${word}`
    if ([...joined].length <= width) line = joined
    else {
      if (line !== '') lines.push(line)
      line = truncate(word, width)
    }
  }
  if (line !== '') lines.push(line)
  if (lines.length <= maxLines) return lines
  const kept = lines.slice(0, maxLines)
  kept[maxLines - 1] = truncate(`${kept[maxLines - 1]} …`, width)
  return kept
}

/** Pads or cuts to exactly `width` columns. */
export function fit (text: string, width: number, align: 'left' | 'right' = 'left'): string {
  const cut = truncate(text, width)
  const pad = ' '.repeat(Math.max(0, width - [...cut].length))
  return align === 'left' ? cut + pad : pad + cut
}
