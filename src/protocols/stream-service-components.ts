import type { AbortOptions, ComponentLogger, Connection, PeerId, Stream, StreamHandler, StreamHandlerOptions } from '@libp2p/interface'

/** The libp2p components a request/response protocol service uses: handlers in, streams out, a logger. */
export interface StreamServiceComponents {
  registrar: {
    handle (protocol: string, handler: StreamHandler, options?: StreamHandlerOptions): Promise<void>
    unhandle (protocol: string): Promise<void>
  }
  connectionManager: {
    openStream (peer: PeerId, protocol: string, options?: AbortOptions): Promise<Stream>
    /** With getConnections: streams over direct connections only (direct-stream.ts). */
    openConnection (peer: PeerId, options?: AbortOptions): Promise<Connection>
    getConnections (peer?: PeerId): Connection[]
  }
  logger: ComponentLogger
}
