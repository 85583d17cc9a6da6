import { readFile } from 'node:fs/promises'
import { builtinModules } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

/**
 * Builds the volunteer page (src/web/page/) into static assets, in memory:
 * one ES module bundle, its HTML and its stylesheet. The peer builds them
 * when `--web` starts it (well under a second here), so the page is always
 * the code of the running version; `npm run build:web` writes the same
 * files to a folder.
 *
 * The page reuses the mesh's own modules (protocols, kernels, volunteer
 * loop, store), and a few of those touch Node for things a tab does
 * differently. The bundle swaps exactly these, and refuses any other Node
 * built-in:
 */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const PAGE = join(SRC, 'web/page')
const PLATFORM = join(SRC, 'web/platform')

/** Modules of ours replaced in the page by a browser twin. */
export const BROWSER_MODULES: Readonly<Record<string, string>> = {
  // Opens Dawn in a child process; the page computes on the tab's device (page/gpu.ts).
  'compute/device.ts': 'web/platform/compute-device.ts',
  // Creates the data dir's folder; the page's store is an IndexedDB database.
  'store/data-dir.ts': 'store/data-dir.browser.ts'
}

/** Node built-ins replaced in the page: `node:crypto`'s sha256 and randomInt (platform/node-crypto.ts). */
export const BROWSER_BUILTINS: Readonly<Record<string, string>> = {
  'node:crypto': 'web/platform/node-crypto.ts'
}

/** npm packages that implement a Node module in browsers, which browser-level (IndexedDB) and the Buffer global need. */
export const BROWSER_PACKAGES = ['buffer', 'events'] as const

/** Node globals injected where shared modules use them: Buffer, unref-able timers (platform/node-globals.ts). */
export const INJECTED_GLOBALS = 'web/platform/node-globals.ts'

export interface PageAsset {
  readonly body: Uint8Array
  readonly contentType: string
}

export interface VolunteerPage {
  /** By URL path: `/`, `/app.js`, `/app.css`. */
  readonly assets: ReadonlyMap<string, PageAsset>
  /** esbuild's metafile of the bundle: every input module and what the output imports. */
  readonly metafile: esbuild.Metafile
}

export interface BuildOptions {
  /** Minify the bundle; default true. */
  readonly minify?: boolean
}

const NODE_BUILTINS = new Set(builtinModules.filter(name => !name.startsWith('_')))

function isNodeBuiltin (specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0]!)
}

/** Swaps the modules above and fails the build, naming the importer, on any other Node built-in. */
const browserPlatform: esbuild.Plugin = {
  name: 'mesh-browser-platform',
  setup (build) {
    build.onResolve({ filter: /.*/ }, async args => {
      if (args.pluginData === 'mesh-browser-platform') return undefined
      const builtin = BROWSER_BUILTINS[args.path]
      if (builtin != null) return { path: join(SRC, builtin) }
      if (isNodeBuiltin(args.path)) {
        const name = args.path.split('/')[0]!
        if ((BROWSER_PACKAGES as readonly string[]).includes(name) && !args.path.startsWith('node:')) return undefined
        return { errors: [{ text: `Node built-in '${args.path}' (imported by ${args.importer}) is not available in the volunteer page` }] }
      }
      if (!args.path.startsWith('.')) return undefined
      const target = resolve(args.resolveDir, args.path)
      for (const [module, twin] of Object.entries(BROWSER_MODULES)) {
        if (target === join(SRC, module)) return { path: join(SRC, twin) }
      }
      return undefined
    })
  }
}

export async function buildVolunteerPage (options: BuildOptions = {}): Promise<VolunteerPage> {
  const result = await esbuild.build({
    entryPoints: [join(PAGE, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome113', 'safari26', 'firefox141'],
    minify: options.minify ?? true,
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
    outfile: 'app.js',
    inject: [join(SRC, INJECTED_GLOBALS)],
    define: { 'process.env.NODE_ENV': '"production"' },
    plugins: [browserPlatform]
  })
  const bundle = result.outputFiles.find(file => file.path.endsWith('app.js'))
  if (bundle == null) throw new Error('the volunteer page bundle was not written')
  const [html, css] = await Promise.all([readFile(join(PAGE, 'index.html')), readFile(join(PAGE, 'style.css'))])
  const assets = new Map<string, PageAsset>([
    ['/', { body: html, contentType: 'text/html; charset=utf-8' }],
    ['/app.js', { body: bundle.contents, contentType: 'text/javascript; charset=utf-8' }],
    ['/app.css', { body: css, contentType: 'text/css; charset=utf-8' }]
  ])
  return { assets, metafile: result.metafile }
}
