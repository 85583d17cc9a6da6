import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { InputError } from '../../errors.ts'

/**
 * Pre-shared keys for private meshes, in the standard libp2p swarm-key
 * format read by @libp2p/pnet:
 *
 *   /key/swarm/psk/1.0.0/
 *   /base16/
 *   <64 hex digits>
 */

const HEADER = '/key/swarm/psk/1.0.0/'
const ENCODING = '/base16/'

export class SwarmKeyError extends InputError {
  override name = 'SwarmKeyError'
}

export function generateSwarmKey (): string {
  return `${HEADER}\n${ENCODING}\n${randomBytes(32).toString('hex')}\n`
}

/** Checks a swarm key's text and returns it in the exact form pnet decodes. */
export function parseSwarmKey (text: string, source = 'swarm key'): Uint8Array {
  const lines = text.split(/\r\n|\r|\n/).map(line => line.trim()).filter(line => line !== '')
  if (lines.length !== 3 || lines[0] !== HEADER || lines[1] !== ENCODING || !/^[0-9a-fA-F]{64}$/.test(lines[2])) {
    throw new SwarmKeyError(`${source}: not a swarm key (expected the lines '${HEADER}', '${ENCODING}' and 64 hex digits; make one with \`mesh swarm-key\`)`)
  }
  return new TextEncoder().encode(`${HEADER}\n${ENCODING}\n${lines[2].toLowerCase()}`)
}

export async function readSwarmKeyFile (path: string): Promise<Uint8Array> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err: any) {
    const why = err?.code === 'ENOENT' ? 'no such file' : err?.code === 'EISDIR' ? 'is a directory' : err?.code === 'EACCES' ? 'permission denied' : String(err?.message ?? err)
    throw new SwarmKeyError(`${path}: cannot read swarm key (${why})`)
  }
  return parseSwarmKey(text, path)
}
