import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import type { MeshStore } from '../../store/store.ts'

const IDENTITY_KEY = 'key'

/**
 * This peer's libp2p key: created on first start and kept in the store's
 * `identity` sublevel, so the peer id is the same after every restart.
 */
export async function loadOrCreateIdentity (store: Pick<MeshStore, 'identity'>): Promise<PrivateKey> {
  const stored = await store.identity.get(IDENTITY_KEY)
  if (stored != null) return privateKeyFromProtobuf(stored)
  const key = await generateKeyPair('Ed25519')
  await store.identity.put(IDENTITY_KEY, privateKeyToProtobuf(key))
  return key
}
