import type { MeshEvents } from '../types.ts'

/** MeshEvents as a TypedEventTarget map: each name carries a CustomEvent of its detail. */
export type MeshEventMap = { [K in keyof MeshEvents]: CustomEvent<MeshEvents[K]> }

/** Where the coordinator and the volunteer loop send their events (MeshNode, or their own emitter). */
export interface MeshEventSink {
  safeDispatchEvent<Detail>(type: keyof MeshEventMap, detail?: { detail?: Detail }): boolean
}

export function emit<K extends keyof MeshEvents> (sink: MeshEventSink, type: K, detail: MeshEvents[K]): void {
  sink.safeDispatchEvent(type, { detail })
}
