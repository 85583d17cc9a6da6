import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { buildVolunteerPage } from './build.ts'

/**
 * `npm run build:web [-- OUT_DIR]`: writes the volunteer page as a peer
 * serves it (index.html, app.js, app.css) and esbuild's metafile, to look
 * at or to host elsewhere (default dist/web). A peer started with `--web`
 * builds the page itself; it does not read these files.
 */
const out = resolve(process.argv[2] ?? 'dist/web')
const page = await buildVolunteerPage()
await mkdir(out, { recursive: true })
for (const [path, asset] of page.assets) await writeFile(join(out, path === '/' ? 'index.html' : path.slice(1)), asset.body)
await writeFile(join(out, 'metafile.json'), JSON.stringify(page.metafile, null, 2))
const bytes = [...page.assets.values()].reduce((sum, asset) => sum + asset.body.byteLength, 0)
console.log(`wrote the volunteer page to ${out} (${(bytes / 1024).toFixed(0)} KiB)`)
