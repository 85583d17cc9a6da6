import assert from 'node:assert/strict'
import { builtinModules } from 'node:module'
import { test } from 'node:test'
import { BROWSER_BUILTINS, BROWSER_MODULES, BROWSER_PACKAGES, buildVolunteerPage, INJECTED_GLOBALS } from '../../src/web/server/build.ts'

/**
 * The volunteer page's bundle (issue 14): built from src/ with esbuild, it
 * holds no Node built-in. Its metafile lists every module bundled; the
 * only stand-ins are the ones build.ts names, and the Node-only modules
 * they stand in for are not in it.
 */

const page = await buildVolunteerPage({ minify: false })
const inputs = Object.keys(page.metafile.inputs)
const builtins = new Set([...builtinModules, ...builtinModules.map(name => `node:${name}`)])

test('given the built page, no Node built-in is among its inputs or what its output imports', () => {
  assert.deepEqual(inputs.filter(input => input.startsWith('node:') || builtins.has(input)), [])
  for (const [name, output] of Object.entries(page.metafile.outputs)) {
    assert.deepEqual(output.imports, [], `${name} imports nothing at run time`)
  }
  // Every input is a file of ours or of a package; the polyfill packages are the named ones.
  for (const input of inputs) assert.match(input, /^(src\/|node_modules\/)/, input)
  const text = new TextDecoder().decode(page.assets.get('/app.js')!.body)
  assert.doesNotMatch(text, /\brequire\(["'](node:)?(fs|path|os|child_process|crypto|net|http|url|module)["']\)/)
  assert.doesNotMatch(text, /from ["']node:/)
  // The CSP allows no eval: nothing in the bundle may need it.
  assert.doesNotMatch(text, /new Function\(|[^\w.$]eval\(/)
})

test('given the built page, the Node-only modules are swapped for exactly the stand-ins build.ts names', () => {
  for (const [module, twin] of Object.entries(BROWSER_MODULES)) {
    assert.ok(!inputs.includes(`src/${module}`), `src/${module} is not bundled`)
    assert.ok(inputs.includes(`src/${twin}`), `src/${twin} stands in for it`)
  }
  for (const twin of Object.values(BROWSER_BUILTINS)) assert.ok(inputs.includes(`src/${twin}`))
  assert.ok(inputs.includes(`src/${INJECTED_GLOBALS}`))
  const stand = inputs.filter(input => input.startsWith('src/web/platform/') || input.endsWith('.browser.ts'))
  assert.deepEqual(stand.sort(), [...Object.values(BROWSER_MODULES), ...Object.values(BROWSER_BUILTINS), INJECTED_GLOBALS].map(path => `src/${path}`).sort())
  // Dawn's npm package, the compute child process and the Node store folder code stay out.
  for (const nodeOnly of ['node_modules/webgpu/', 'src/compute/device/process-device.ts', 'src/compute/device/select.ts', 'src/store/data-dir.ts', 'node_modules/classic-level/']) {
    assert.ok(!inputs.some(input => input.startsWith(nodeOnly)), `${nodeOnly} is not bundled`)
  }
  const packages = new Set(inputs.filter(input => input.startsWith('node_modules/')).map(input => input.split('/')[1]))
  for (const polyfill of BROWSER_PACKAGES) assert.ok(packages.has(polyfill), `${polyfill} (the browser's ${polyfill}) is bundled for browser-level`)
})

test('given the built page, it bundles the mesh\'s own protocols, kernels, volunteer loop and store rather than copies', () => {
  for (const shared of ['src/protocols/announce.ts', 'src/protocols/work/work-service.ts', 'src/protocols/blob/blob-service.ts', 'src/compute/kernels/matmul/wgsl.ts',
    'src/compute/kernels/wgsl/program.ts', 'src/compute/device/gpu-device.ts', 'src/node/volunteer/project-worker.ts', 'src/node/volunteer/auto-volunteer.ts', 'src/store/store.ts', 'src/store/blob-store.ts']) {
    assert.ok(inputs.includes(shared), `${shared} is bundled`)
  }
  assert.ok(inputs.some(input => input.startsWith('node_modules/browser-level/')), 'the store is IndexedDB (browser-level)')
  assert.ok(inputs.some(input => input.startsWith('node_modules/@libp2p/websockets/')))
})

test('given the built page, its HTML loads scripts and styles from files only (no inline script or style)', () => {
  const html = new TextDecoder().decode(page.assets.get('/')!.body)
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)]
  assert.equal(scripts.length, 1)
  assert.match(scripts[0]![1]!, /src="\/app\.js"/)
  assert.equal(scripts[0]![2]!.trim(), '')
  assert.doesNotMatch(html, /<style\b|\sstyle="|\son[a-z]+="/i)
})
