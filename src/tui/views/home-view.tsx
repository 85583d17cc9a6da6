import { useMemo, type ReactNode } from 'react'
import { qrLines, urlToShare } from '../../cli/qr-text.ts'
import { bodyHeight } from '../components/frame.tsx'
import { useAction } from '../hooks/use-action.ts'
import { useKeys } from '../hooks/use-keys.ts'
import { usePortData } from '../hooks/use-port-data.ts'
import { useSelection } from '../hooks/use-selection.ts'
import { HomeScreen, homeKeys, type HomePage } from '../screens/home-screen.tsx'
import { useUi } from '../ui-context.tsx'
import { openProject } from './join-project.ts'
import { ScreenFrame } from './screen-frame.tsx'

export function HomeView (): ReactNode {
  const ui = useUi()
  const { port } = ui
  const { data } = usePortData(port, 'home', async () => ({ peers: await port.peers(), projects: await port.projects() }))
  const projects = data?.projects
  const selection = useSelection(projects?.length ?? 0, { store: ui.selections, key: 'home' })
  const { move } = selection
  const action = useAction(ui.notify)
  // The page's URLs are fixed once the peer started: encode the QR code once, not on every redraw.
  const page = useMemo((): HomePage | undefined => {
    const url = urlToShare(port.webPageUrls())
    const fingerprint = port.webPageFingerprint()
    return url != null ? { url, qr: qrLines(url), ...(fingerprint != null ? { fingerprint } : {}) } : undefined
  }, [port])

  useKeys((_input, key) => {
    if (key.upArrow) move(-1)
    else if (key.downArrow) move(1)
    else if (key.pageUp) move(-10)
    else if (key.pageDown) move(10)
    else if (key.return && projects?.[selection.current()] != null) openProject(projects[selection.current()], ui, action)
    else return false
    return true
  })

  return (
    <ScreenFrame keys={homeKeys}>
      <HomeScreen self={{ peerId: port.peerId, name: port.name, device: port.device }} page={page} peers={data?.peers} projects={projects}
        selected={selection.index} width={ui.width} height={bodyHeight(ui.height)} now={Date.now()} />
    </ScreenFrame>
  )
}
