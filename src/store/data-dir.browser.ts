/**
 * The volunteer page's twin of data-dir.ts: in a browser the "data dir" is
 * the name of an IndexedDB database (the `level` package opens browser-level
 * there), which needs no preparing.
 */
export async function prepareDatabaseLocation (dataDir: string): Promise<string> {
  return dataDir
}
