import { test } from 'node:test'
import assert from 'node:assert/strict'
import { render } from 'ink-testing-library'
import { HealthScreen } from '../../src/tui/screens/health-screen.tsx'
import { ThemeContext } from '../../src/tui/theme.tsx'
import { diagnose } from '../../src/node/doctor/doctor.ts'
import { classifyNat } from '../../src/node/network/nat-behaviour.ts'

const RELAY = '12D3KooWRelayRelayRelayRelayRelayRelayRelayRelayRelayR3L4Y'

test('health: the doctor\'s verdicts beyond the LAN, problems first, each with its fix', () => {
  const doctor = diagnose({
    peerId: 'me',
    addresses: [],
    tcpPort: 4001,
    swarmKey: false,
    projects: [{ id: 'p1', name: 'pi', owner: 'alice', ownerName: 'Alice', own: false, status: 'running' }],
    pathTo: peer => ({ peer, state: 'no-direct-path', reason: 'hole punching through the relay failed' }),
    report: {
      reachability: 'relay',
      confirmed: false,
      listening: [],
      publicAddresses: [],
      nat: classifyNat([{ observer: 'r', observerHost: '11.0.0.1', observedHost: '11.77.0.22', observedPort: 4001, localPort: 4001, at: 1 }], []),
      upnp: { enabled: true, mapped: [] },
      reservations: [{ relay: RELAY, address: `/ip4/11.77.0.10/tcp/4001/p2p/${RELAY}/p2p-circuit` }],
      relaysConnected: [RELAY],
      relay: { serving: false, reservations: 0 },
      inboundFromPublic: 0,
      paths: []
    }
  })
  const { lastFrame, unmount } = render(<ThemeContext.Provider value={{ color: false }}><HealthScreen doctor={doctor} peers={[]} width={160} height={24} now={0} /></ThemeContext.Provider>)
  const frame = lastFrame() ?? ''
  unmount()
  const lines = frame.split('\n')
  assert.match(frame, /Reachable only through a relay\s+NAT port-preserving\s+relays 1/)
  const problem = lines.findIndex(l => l.includes('✗ no direct path to the researcher of pi (Alice)'))
  const warning = lines.findIndex(l => l.includes('! not dialable directly'))
  assert.ok(problem >= 0 && warning > problem, `the problem comes first:\n${frame}`)
  assert.match(lines[problem + 1], /^\s+fix: open TCP port 4001 on your router/)
  assert.ok(lines.some(l => l.includes('✓ this peer\'s NAT: port-preserving')))
})

test('health: before the first report the section waits, and a port without a doctor still renders', () => {
  const { lastFrame, unmount } = render(<ThemeContext.Provider value={{ color: false }}><HealthScreen peers={[]} width={100} height={24} now={0} /></ThemeContext.Provider>)
  assert.match(lastFrame() ?? '', /Beyond the LAN \(mesh doctor\)\s*\n…/)
  unmount()
})
