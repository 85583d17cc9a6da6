import { TopicValidatorResult, type Message, type TopicValidatorFn } from '@libp2p/gossipsub'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { PeerId, PrivateKey } from '@libp2p/interface'
import { Announcement, AnnouncementBody } from './manifest.ts'
import { decodeSignedManifest, ManifestError, ownBytes, signingPayload, type ProjectManifest } from './manifest-codec.ts'
import {
  ANNOUNCEMENT_SIGNING_DOMAIN, MAX_ADDRESS_BYTES, MAX_ADDRESSES, MAX_ANNOUNCEMENT_BYTES, MAX_CLOCK_SKEW_MS,
  MAX_ANNOUNCED_ROUNDS, MAX_OWNER_NAME_LENGTH, PROJECT_STATUSES, type AnnouncedStatus
} from './announce-limits.ts'

export * from './announce-limits.ts'

/**
 * Announcements on the `mesh/projects/1` gossipsub topic: a project's signed
 * manifest with its live progress and its owner's addresses, the whole signed
 * again by the owner so progress cannot be forged by anyone else.
 */

export interface AnnouncedProgress {
  readonly done: number
  readonly total: number
  readonly volunteers: number
  readonly status: AnnouncedStatus
}

export interface AnnouncementFields {
  readonly signedManifest: Uint8Array
  readonly progress: AnnouncedProgress
  readonly addresses: readonly Multiaddr[]
  readonly sequence: number
  /** ms since epoch */
  readonly timestamp: number
  readonly ownerName?: string
}

export interface DecodedAnnouncement {
  readonly manifest: ProjectManifest
  readonly progress: AnnouncedProgress
  readonly addresses: Multiaddr[]
  readonly sequence: number
  readonly timestamp: number
  readonly ownerName?: string
}

/** An announcement that is malformed, oversized, or not signed by the project's owner. */
export class AnnouncementError extends Error {
  override name = 'AnnouncementError'
}

function fail (reason: string): never {
  throw new AnnouncementError(reason)
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b)
}

export async function encodeAnnouncement (fields: AnnouncementFields, ownerKey: PrivateKey): Promise<Uint8Array> {
  const body = AnnouncementBody.encode({
    signedManifest: ownBytes(fields.signedManifest),
    chunksDone: fields.progress.done,
    chunksTotal: fields.progress.total,
    volunteers: fields.progress.volunteers,
    status: fields.progress.status,
    addresses: fields.addresses.slice(0, MAX_ADDRESSES).map(address => ownBytes(address.bytes)).filter(bytes => bytes.byteLength <= MAX_ADDRESS_BYTES),
    sequence: BigInt(fields.sequence),
    timestamp: BigInt(fields.timestamp),
    ownerName: fields.ownerName?.slice(0, MAX_OWNER_NAME_LENGTH) ?? ''
  })
  const signature = await ownerKey.sign(signingPayload(ANNOUNCEMENT_SIGNING_DOMAIN, body))
  return Announcement.encode({ body, signature: ownBytes(signature) })
}

/**
 * Decodes and checks an announcement: size, structure, the embedded signed
 * manifest, the owner's signature over the body, and that the progress fits
 * the manifest. Throws AnnouncementError naming the first problem.
 */
export async function decodeAnnouncement (bytes: Uint8Array, now = Date.now()): Promise<DecodedAnnouncement> {
  if (bytes.byteLength > MAX_ANNOUNCEMENT_BYTES) fail(`oversized: ${bytes.byteLength} bytes, more than ${MAX_ANNOUNCEMENT_BYTES}`)
  let envelope: Announcement
  let body: AnnouncementBody
  try {
    envelope = Announcement.decode(bytes)
    body = AnnouncementBody.decode(envelope.body, { limits: { addresses: MAX_ADDRESSES } })
  } catch (err: any) {
    fail(`malformed: ${err?.message ?? err}`)
  }
  // One announcement, one encoding: padding or unknown fields would give the same content other message ids.
  if (!sameBytes(Announcement.encode(envelope), bytes) || !sameBytes(AnnouncementBody.encode(body), envelope.body)) fail('malformed: not canonically encoded')
  if (envelope.signature.byteLength === 0) fail('unsigned announcement')
  let manifest: ProjectManifest
  try {
    manifest = await decodeSignedManifest(body.signedManifest)
  } catch (err: any) {
    if (err instanceof ManifestError) fail(`bad manifest: ${err.message}`)
    throw err
  }
  const signedByOwner = await manifest.ownerPublicKey.verify(signingPayload(ANNOUNCEMENT_SIGNING_DOMAIN, envelope.body), envelope.signature)
  if (!signedByOwner) fail('announcement signature does not verify with the project owner key')
  if (!(PROJECT_STATUSES as readonly string[]).includes(body.status)) fail(`unknown status '${body.status.slice(0, 20)}'`)
  // A rounds project counts the chunks of all its rounds: a whole multiple of the manifest's chunks per round.
  const rounds = body.chunksTotal / manifest.chunkCount
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > MAX_ANNOUNCED_ROUNDS) {
    fail(`chunksTotal ${body.chunksTotal} does not match the manifest's ${manifest.chunkCount} (or a whole number of rounds of it)`)
  }
  if (body.chunksDone > body.chunksTotal) fail(`chunksDone ${body.chunksDone} exceeds chunksTotal ${body.chunksTotal}`)
  if (body.ownerName.length > MAX_OWNER_NAME_LENGTH) fail('owner name is too long')
  const timestamp = Number(body.timestamp)
  if (timestamp <= 0 || timestamp > now + MAX_CLOCK_SKEW_MS) fail('timestamp is missing or in the future')
  const addresses = body.addresses.map(address => {
    if (address.byteLength > MAX_ADDRESS_BYTES) fail('an address is too long')
    try {
      return multiaddr(address)
    } catch {
      return fail('an address is not a valid multiaddr')
    }
  })
  return {
    manifest,
    progress: { done: body.chunksDone, total: body.chunksTotal, volunteers: body.volunteers, status: body.status as AnnouncedStatus },
    addresses,
    sequence: Number(body.sequence),
    timestamp,
    ownerName: body.ownerName === '' ? undefined : body.ownerName
  }
}

export interface AnnouncementValidatorHooks {
  /** A valid announcement from `from` (the gossipsub publisher). */
  accepted (announcement: DecodedAnnouncement, from: PeerId): void
  /** A rejected one, with the reason. */
  rejected (from: PeerId, reason: string): void
}

/**
 * The topic validator: Reject (so gossipsub's peer scoring punishes the
 * sender) anything unsigned, mis-signed, malformed or oversized, and any
 * announcement published by someone other than the project's owner.
 */
export function announcementValidator (hooks: AnnouncementValidatorHooks): TopicValidatorFn {
  return async (propagationSource: PeerId, message: Message): Promise<TopicValidatorResult> => {
    const sender = message.type === 'signed' ? message.from : propagationSource
    try {
      if (message.type !== 'signed') fail('unsigned gossipsub message')
      const announcement = await decodeAnnouncement(message.data)
      if (announcement.manifest.owner !== message.from.toString()) fail('announcement published by a peer other than the project owner')
      hooks.accepted(announcement, message.from)
      return TopicValidatorResult.Accept
    } catch (err: any) {
      hooks.rejected(sender, err instanceof AnnouncementError ? err.message : `validator error: ${err?.message ?? err}`)
      return TopicValidatorResult.Reject
    }
  }
}
