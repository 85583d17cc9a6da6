import { useCallback, useEffect, useRef, useState } from 'react'
import type { MaybePromise, MeshEventName, MeshPort } from '../mesh-port.ts'

/** Fastest refresh after an event: coalesces bursts of events into at most 4 reads a second. */
export const DEFAULT_MIN_REFRESH_MS = 250
/** Refresh at least this often without events, so rates and ages move. */
export const DEFAULT_MAX_REFRESH_MS = 1000

export interface PortDataOptions {
  /** Events that make the data stale (every MeshNode event when absent). */
  readonly events?: readonly MeshEventName[]
  readonly minRefreshMs?: number
  readonly maxRefreshMs?: number
}

export interface PortData<T> {
  readonly data?: T
  readonly error?: string
  /** Marks the data stale after an action of this view, so the next tick reads it again. */
  refresh: () => void
}

const allEvents: readonly MeshEventName[] = [
  'peer:joined', 'peer:left', 'project:announced', 'project:updated', 'project:offline', 'chunk:leased',
  'chunk:verified', 'chunk:requeued', 'volunteer:lost', 'volunteer:banned', 'project:done', 'project:failed',
  'work:chunk-computed', 'work:status', 'rejected'
]

/** The last data read per port and key, so a screen opened again shows it at once while it refreshes. */
const lastRead = new WeakMap<MeshPort, Map<string, unknown>>()

function cacheOf (port: MeshPort): Map<string, unknown> {
  let cache = lastRead.get(port)
  if (cache == null) {
    cache = new Map()
    lastRead.set(port, cache)
  }
  return cache
}

/**
 * Reads state from the peer at a bounded rate: at once, then again at most
 * every `minRefreshMs` while events say it changed and every `maxRefreshMs`
 * regardless. One read at a time; results after unmount are dropped.
 * `key` names what `read` reads: a new key reads again at once.
 */
export function usePortData<T> (port: MeshPort, key: string, read: () => MaybePromise<T>, options: PortDataOptions = {}): PortData<T> {
  const [state, setState] = useState<{ data?: T, error?: string }>(() => ({ data: cacheOf(port).get(key) as T | undefined }))
  const markDirtyRef = useRef<() => void>(() => {})
  const readRef = useRef(read)
  readRef.current = read
  const { events = allEvents, minRefreshMs = DEFAULT_MIN_REFRESH_MS, maxRefreshMs = DEFAULT_MAX_REFRESH_MS } = options
  const eventsKey = events.join(',')

  useEffect(() => {
    let active = true
    let dirty = true
    let reading = false
    let readAt = 0
    const cache = cacheOf(port)
    setState({ data: cache.get(key) as T | undefined })
    const refresh = (): void => {
      if (!active || reading || (!dirty && Date.now() - readAt < maxRefreshMs)) return
      dirty = false
      reading = true
      readAt = Date.now()
      Promise.resolve()
        .then(() => readRef.current())
        .then(
          data => {
            cache.set(key, data)
            if (active) setState({ data })
          },
          (err: any) => {
            if (active) setState(previous => ({ data: previous.data, error: String(err?.message ?? err) }))
          })
        .finally(() => { reading = false })
    }
    const markDirty = (): void => { dirty = true }
    markDirtyRef.current = markDirty
    const names = eventsKey === '' ? [] : eventsKey.split(',') as MeshEventName[]
    for (const name of names) port.addEventListener(name, markDirty)
    const timer = setInterval(refresh, minRefreshMs)
    refresh()
    return () => {
      active = false
      clearInterval(timer)
      for (const name of names) port.removeEventListener(name, markDirty)
    }
  }, [port, key, eventsKey, minRefreshMs, maxRefreshMs])

  const refresh = useCallback(() => { markDirtyRef.current() }, [])
  return { ...state, refresh }
}
