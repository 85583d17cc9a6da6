import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { fileURLToPath } from 'node:url'

/**
 * scripts/setup.sh on each platform it knows, with the platform faked: a
 * `uname` stand-in first on PATH and an os-release fixture
 * (MESH_SETUP_OS_RELEASE). apt-get, dpkg-query, sudo, dnf, pacman, zypper,
 * apk and npm are stand-ins too, each writing its command line to a log, so
 * nothing is installed on this machine and the test sees what would have been.
 */

const setup = fileURLToPath(new URL('../../scripts/setup.sh', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'mesh-setup-'))
after(() => { rmSync(dir, { recursive: true, force: true }) })
const bin = join(dir, 'bin')
const log = join(dir, 'calls.log')

function standIn (name: string, body: string): void {
  const path = join(bin, name)
  writeFileSync(path, `#!/bin/sh\necho "${name} $*" >> "$MESH_TEST_LOG"\n${body}\n`)
  chmodSync(path, 0o755)
}

spawnSync('mkdir', ['-p', bin])
standIn('uname', 'echo "$FAKE_UNAME"')
standIn('apt-get', 'exit 0')
standIn('sudo', 'exec "$@"')
for (const manager of ['dnf', 'pacman', 'zypper', 'apk']) standIn(manager, 'exit 0')
// dpkg-query -W [-f=FORMAT] PACKAGES: "ii" for each package not in FAKE_MISSING; -W PACKAGE fails for a missing one.
standIn('dpkg-query', `shift
case "$1" in -f=*) shift; for p in "$@"; do case " $FAKE_MISSING " in *" $p "*) ;; *) echo "ii  $p" ;; esac; done; exit 0 ;; esac
case " $FAKE_MISSING " in *" $1 "*) exit 1 ;; esac
exit 0`)
// npm: a screen of engine warnings, one line worth reading, and FAKE_NPM_CODE as its exit status.
standIn('npm', `for i in 1 2 3; do echo "npm warn EBADENGINE Unsupported engine {" >&2; echo "npm warn EBADENGINE   package: 'p$i@1.0.0'," >&2; done
echo "added 269 packages in 16s"
[ "\${FAKE_NPM_CODE:-0}" = 0 ] || echo "npm error code E404" >&2
exit "\${FAKE_NPM_CODE:-0}"`)

interface Run { code: number | null, out: string, calls: string[] }

function runSetup (uname: string, osRelease: string | undefined, env: Record<string, string> = {}): Run {
  writeFileSync(log, '')
  const fixture = join(dir, 'os-release')
  if (osRelease != null) writeFileSync(fixture, osRelease)
  const result = spawnSync('bash', [setup], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: dir,
      MESH_TEST_LOG: log,
      FAKE_UNAME: uname,
      MESH_SETUP_SKIP_NPM: '1',
      ...(osRelease != null ? { MESH_SETUP_OS_RELEASE: fixture } : {}),
      ...env
    }
  })
  const calls = readFileSync(log, 'utf8').split('\n').filter(line => line !== '')
  return { code: result.status, out: result.stdout + result.stderr, calls }
}

const asRoot = process.getuid?.() === 0
const sudo = asRoot ? '' : 'sudo '
const noSystemCalls = (calls: string[]): string[] => calls.filter(c => /^(apt-get|dpkg-query|sudo|dnf|pacman|zypper|apk) /.test(c))

test('on macOS: no apt or other package manager is called, npm ci runs, and its EBADENGINE screen is dropped', () => {
  const run = runSetup('Darwin', undefined, { MESH_SETUP_SKIP_NPM: '' })
  assert.equal(run.code, 0, run.out)
  assert.deepEqual(noSystemCalls(run.calls), [])
  assert.deepEqual(run.calls.filter(c => c.startsWith('npm ')), ['npm ci --no-audit --no-fund'])
  assert.match(run.out, /no system packages are needed for mesh on macOS \(WebGPU runs on Metal/)
  assert.match(run.out, /tmux and network-namespace tests need Linux; they are skipped here/)
  assert.match(run.out, /added 269 packages/)
  assert.doesNotMatch(run.out, /EBADENGINE/)
})

test('on Windows (Git Bash, MSYS2, Cygwin): no system packages, D3D12 named', () => {
  for (const uname of ['MINGW64_NT-10.0-19045', 'MSYS_NT-10.0-22631', 'CYGWIN_NT-10.0']) {
    const run = runSetup(uname, undefined)
    assert.equal(run.code, 0, run.out)
    assert.deepEqual(noSystemCalls(run.calls), [], uname)
    assert.match(run.out, /no system packages are needed for mesh on Windows \(WebGPU runs on D3D12/, uname)
    assert.match(run.out, /npm ci left out \(MESH_SETUP_SKIP_NPM=1\)/)
  }
})

test('a failing npm ci fails the set-up, and its error stays visible', () => {
  const run = runSetup('Darwin', undefined, { MESH_SETUP_SKIP_NPM: '', FAKE_NPM_CODE: '1' })
  assert.notEqual(run.code, 0)
  assert.match(run.out, /npm error code E404/)
  assert.doesNotMatch(run.out, /EBADENGINE/)
})

const distributions: Array<{ name: string, osRelease: string, command: RegExp }> = [
  { name: 'Fedora', osRelease: 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=41\n', command: /^ {4}(sudo )?dnf install -y mesa-libEGL mesa-libGLES mesa-dri-drivers tmux iproute procps-ng util-linux$/m },
  { name: 'Rocky (ID_LIKE)', osRelease: 'ID="rocky"\nID_LIKE="rhel centos fedora"\n', command: /^ {4}(sudo )?dnf install -y mesa-libEGL /m },
  { name: 'Arch', osRelease: 'NAME="Arch Linux"\nID=arch\nBUILD_ID=rolling\n', command: /^ {4}(sudo )?pacman -S --needed --noconfirm mesa tmux iproute2 procps-ng util-linux$/m },
  { name: 'Manjaro (ID_LIKE)', osRelease: 'ID=manjaro\nID_LIKE=arch\n', command: /^ {4}(sudo )?pacman -S --needed --noconfirm mesa /m },
  { name: 'openSUSE', osRelease: 'ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n', command: /^ {4}(sudo )?zypper install -y Mesa-libEGL1 Mesa-libGLESv2-2 Mesa-dri tmux iproute2 procps util-linux$/m },
  { name: 'Alpine', osRelease: 'NAME="Alpine Linux"\nID=alpine\n', command: /^ {4}(sudo )?apk add mesa-egl mesa-gles mesa-dri-gallium tmux iproute2 procps util-linux$/m }
]

for (const { name, osRelease, command } of distributions) {
  test(`on ${name}: the distribution's install command is named, and nothing is installed`, () => {
    const run = runSetup('Linux', osRelease)
    assert.equal(run.code, 0, run.out)
    assert.match(run.out, command)
    assert.ok(run.out.includes(`    ${sudo}`), `sudo ${asRoot ? 'not ' : ''}expected: ${run.out}`)
    assert.deepEqual(noSystemCalls(run.calls), [], 'printed, not run')
  })
}

test('on a Linux distribution it does not know: a generic list, no apt', () => {
  const run = runSetup('Linux', 'NAME=NixOS\nID=nixos\n')
  assert.equal(run.code, 0, run.out)
  assert.match(run.out, /not one setup\.sh knows/)
  assert.match(run.out, /Mesa's EGL and GLES drivers/)
  assert.deepEqual(noSystemCalls(run.calls), [])
})

test('on Debian/Ubuntu as before: apt installs just the missing packages; nothing when all are there', () => {
  const ubuntu = 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n'
  const missing = runSetup('Linux', ubuntu, { FAKE_MISSING: 'tmux chromium' })
  assert.equal(missing.code, 0, missing.out)
  const apt = missing.calls.filter(c => c.startsWith('apt-get '))
  assert.deepEqual(apt, ['apt-get update -qq', 'apt-get install -y -qq --no-install-recommends chromium tmux'])
  assert.equal(missing.calls.some(c => c.startsWith('sudo ')), !asRoot)

  const complete = runSetup('Linux', 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')
  assert.equal(complete.code, 0, complete.out)
  assert.ok(complete.calls.some(c => c.startsWith('dpkg-query ')), 'asked dpkg what is installed')
  assert.deepEqual(complete.calls.filter(c => c.startsWith('apt-get ')), [])
})
