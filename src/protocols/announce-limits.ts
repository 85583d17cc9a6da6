/** Gossipsub topic on which owners announce their projects. */
export const ANNOUNCE_TOPIC = 'mesh/projects/1'

/** Largest announcement accepted on the topic (signed manifest + progress + addresses). */
export const MAX_ANNOUNCEMENT_BYTES = 256 * 1024
/** Largest signed manifest; map projects carry their WGSL source in params. */
export const MAX_SIGNED_MANIFEST_BYTES = 192 * 1024
/** Largest params JSON (the WGSL of a map project lives here). */
export const MAX_PARAMS_BYTES = 128 * 1024
export const MAX_NAME_LENGTH = 100
export const MAX_DESCRIPTION_LENGTH = 2000
export const MAX_OWNER_NAME_LENGTH = 64
/** Rounds an announcement's chunksTotal may count (a rounds project announces every round's chunks; see rounds.ts MAX_ROUNDS). */
export const MAX_ANNOUNCED_ROUNDS = 100_000
export const MAX_INPUTS = 8
export const MAX_ADDRESSES = 16
export const MAX_ADDRESS_BYTES = 256
export const MAX_CHUNKS = 1_000_000
export const MAX_REDUNDANCY = 16
/** Largest matrix side accepted in a manifest (rows or cols). */
export const MAX_DIMENSION = 1 << 24
/** Rows of an input without columns: the items of an index-only project, up to the u32 item index. */
export const MAX_ITEM_ROWS = 2 ** 32 - 1
/** Announcements dated further ahead than this are treated as malformed. */
export const MAX_CLOCK_SKEW_MS = 10 * 60_000

/** Signatures cover a domain string plus the bytes, so one kind can never pass as another. */
export const MANIFEST_SIGNING_DOMAIN = 'mesh/manifest/1\n'
export const ANNOUNCEMENT_SIGNING_DOMAIN = 'mesh/announcement/1\n'

export const PROJECT_STATUSES = ['running', 'done', 'failed'] as const
export type AnnouncedStatus = typeof PROJECT_STATUSES[number]
