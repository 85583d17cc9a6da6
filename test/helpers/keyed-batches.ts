import type { BatchTarget, ChainedBatchLike } from '../../src/store/group-commit.ts'
import type { MeshStore } from '../../src/store/store.ts'

export interface KeyedBatchHooks {
  /**
   * Called as batch `number` (from 1, in the order batches were made) is
   * about to be written, with the keys put or deleted in it. It may wait
   * (hold the batch) or throw: then nothing of the batch lands, as on a
   * full disk.
   */
  readonly beforeWrite?: (keys: readonly string[], number: number) => Promise<void>
  /** Called once the batch is committed. */
  readonly afterWrite?: (keys: readonly string[], number: number) => void
}

/** The store's root db as a group-commit BatchTarget whose batches know their keys, for tests of what lands together. */
export function keyedBatchTarget (db: MeshStore['db'], hooks: KeyedBatchHooks): BatchTarget {
  let made = 0
  return {
    batch: (): ChainedBatchLike => {
      const number = ++made
      const real = db.batch()
      const keys: string[] = []
      return {
        put: (key, value, options) => { real.put(key, value, options ?? {}); keys.push(key) },
        del: (key, options) => { real.del(key, options ?? {}); keys.push(key) },
        clear: () => { real.clear(); keys.length = 0 },
        close: async () => { await real.close() },
        write: async () => {
          try {
            await hooks.beforeWrite?.(keys, number)
          } catch (err) {
            await real.close()
            throw err
          }
          await real.write()
          hooks.afterWrite?.(keys, number)
        }
      }
    }
  }
}
