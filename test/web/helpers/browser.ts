import { existsSync } from 'node:fs'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

/**
 * Debian's Chromium, driven headless by playwright-core (never a downloaded
 * browser). It ships SwiftShader, a software Vulkan, which gives WebGPU a
 * device on a machine without a GPU; `--enable-unsafe-webgpu` is what
 * makes WebGPU available headless on Linux (without it requestAdapter()
 * answers null). Playwright adds --no-sandbox itself, which root needs.
 */
export const CHROMIUM = process.env.MESH_CHROMIUM ?? '/usr/bin/chromium'
export const CHROMIUM_WEBGPU_FLAGS = ['--enable-unsafe-webgpu']

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing (): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `no Chromium at ${CHROMIUM} (scripts/setup.sh installs Debian's chromium; MESH_CHROMIUM names another)`
}

export interface LaunchOptions {
  /** false: what a browser without WebGPU shows. */
  readonly webgpu?: boolean
  /** Run the browser on a host of a test LAN: its network namespace, and a folder for the launcher script. */
  readonly host?: { readonly ns: string, readonly dir: string }
}

/** Headless Chromium with WebGPU (or without), on this machine or on a host of a test LAN. */
export async function launchChromium (options: LaunchOptions = {}): Promise<Browser> {
  let executablePath = CHROMIUM
  if (options.host != null) {
    // Playwright talks to the browser over inherited pipes, which `ip netns exec` keeps.
    executablePath = join(options.host.dir, `chromium-${options.host.ns}`)
    await writeFile(executablePath, `#!/bin/sh\nexec ip netns exec ${options.host.ns} ${CHROMIUM} "$@"\n`)
    await chmod(executablePath, 0o755)
  }
  return await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', ...(options.webgpu === false ? [] : CHROMIUM_WEBGPU_FLAGS)] })
}

/**
 * What a volunteer does at a page served with the peer's own certificate:
 * the browser refuses it (not signed by an authority it knows), and the
 * person opens "Advanced" and proceeds. Chromium's warning page is real here.
 */
export async function proceedPastCertificateWarning (page: Page, url: string): Promise<void> {
  await page.goto(url).then(() => { throw new Error(`${url} opened without a certificate warning`) }, (err: Error) => {
    if (!/ERR_CERT_AUTHORITY_INVALID/.test(err.message)) throw err
  })
  await page.click('#details-button')
  await page.click('#proceed-link')
  await page.waitForURL(url)
}

/** What a page reported while a test watched it: console errors, uncaught errors, CSP violations. */
export interface PageReport {
  readonly errors: string[]
  readonly cspViolations: string[]
  readonly console: string[]
}

/**
 * Opens `url` in a new tab of `context` (one browser profile: tabs of one
 * context share IndexedDB, as a returning volunteer's do), recording its
 * console, its errors and every Content-Security-Policy violation.
 */
export async function openVolunteerPage (context: BrowserContext, url: string, options: { pastCertificateWarning?: boolean } = {}): Promise<{ page: Page, report: PageReport }> {
  const page = await context.newPage()
  const report: PageReport = { errors: [], cspViolations: [], console: [] }
  await page.exposeFunction('meshTestCspViolation', (text: string) => { report.cspViolations.push(text) })
  // Runs before the page's own scripts (injected by the driver, so the CSP does not apply to it).
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', event => {
      window.meshTestCspViolation(event.violatedDirective + ' blocked ' + event.blockedURI + ' (' + event.sourceFile + ':' + event.lineNumber + ')')
    })`
  })
  page.on('console', message => {
    report.console.push(`${message.type()}: ${message.text()}`)
    if (message.type() === 'error') report.errors.push(message.text())
    if (/Content Security Policy/i.test(message.text())) report.cspViolations.push(message.text())
  })
  page.on('pageerror', err => { report.errors.push(`uncaught: ${err.message}`) })
  if (options.pastCertificateWarning === true) await proceedPastCertificateWarning(page, url)
  else await page.goto(url)
  return { page, report }
}

/** The tab's peer id, once the page has started its peer. */
export async function pagePeerId (page: Page, timeoutMs = 30_000): Promise<string> {
  // Selectors, not waitForFunction: the page's CSP forbids evaluating strings in its world, which waitForFunction does.
  await page.waitForSelector('#peer-id:not(:empty)', { timeout: timeoutMs })
  return (await page.textContent('#peer-id')) ?? ''
}
