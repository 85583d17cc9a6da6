import { getKernel } from '../../compute/kernels/index.ts'
import { volunteerUntil } from '../../node/volunteer/auto-volunteer.ts'
import { formatBytes, formatFlops, peerLabel, shortId } from '../../tui/format.ts'
import { BrowserPeer } from './browser-peer.ts'
import { byId, h, page, type PageElement, type PageInput } from './dom.ts'
import { fetchPageConfig } from './page-config.ts'
import { openTabGpu, type TabAdapterInfo } from './tab-gpu.ts'
import type { VolunteerRunSummary } from '../../node/volunteer/index.ts'
import type { ProjectSummary } from '../../node/types.ts'

/*
 * The volunteer page: opens the tab's GPU, starts the tab's peer, and shows
 * the projects, the current chunk, progress, credits, pause/stop, the duty
 * cycle and the GPU. `?auto=1` joins the first running project with a
 * built-in kernel, as `mesh volunteer --auto` does; researcher-written WGSL
 * runs only after its source was shown and Accept clicked, per project.
 */

const params = new URLSearchParams(page.location.search)

interface PageState {
  peer?: BrowserPeer
  /** Aborts the run started from this page (auto mode or a project's Join). */
  run?: AbortController
  auto: boolean
  reviewing?: string
  note?: string
  computed: number
  receipts: { count: number, flops: number }
}

const state: PageState = { auto: false, computed: 0, receipts: { count: 0, flops: 0 } }

async function main (): Promise<void> {
  const gpu = await openTabGpu()
  if (!gpu.ok) {
    byId('no-gpu-problem').textContent = gpu.problem
    byId('no-gpu-remedy').textContent = gpu.remedy
    byId('no-gpu').hidden = false
    setConnection('no-gpu', 'no WebGPU')
    return
  }
  showGpu(gpu.adapter)
  const config = await fetchPageConfig()
  const peer = await BrowserPeer.start({ origin: page.location, servingPeerId: config.peerId, device: gpu.device, name: `browser tab via ${config.name}` })
  state.peer = peer
  byId('peer-id').textContent = peer.peerId
  for (const id of ['now', 'credits', 'projects-section']) byId(id).hidden = false
  wireControls(peer)
  for (const type of ['project:announced', 'project:updated', 'project:offline', 'work:status'] as const) peer.addEventListener(type, scheduleRender)
  peer.addEventListener('work:chunk-computed', () => { state.computed++; scheduleRender() })
  peer.addEventListener('work:status', () => { void refreshReceipts(peer) })
  // Closing the tab: hand the leases back while the page still runs; the researcher requeues them also when the connection drops.
  page.addEventListener('pagehide', () => {
    state.run?.abort()
    void peer.stop()
  })
  await refreshReceipts(peer)
  setInterval(render, 1_000)
  render()
  if (params.get('auto') === '1') startAuto(peer)
}

function wireControls (peer: BrowserPeer): void {
  const duty = byId<PageInput>('duty')
  duty.value = String(Math.round(peer.prefs().maxDutyCycle * 100))
  byId('duty-text').textContent = `${duty.value}%`
  duty.addEventListener('input', () => { byId('duty-text').textContent = `${duty.value}%` })
  duty.addEventListener('change', () => { void peer.setPrefs({ maxDutyCycle: Number(duty.value) / 100 }) })
  byId('pause').addEventListener('click', () => { void peer.setPrefs({ paused: !peer.prefs().paused }).then(render) })
  byId('stop').addEventListener('click', () => {
    state.auto = false
    state.run?.abort()
    state.note = 'stopped: no new chunks; the leases were handed back'
    void peer.leave().then(render)
  })
  byId('auto').addEventListener('click', () => { startAuto(peer) })
  byId('accept').addEventListener('click', () => {
    const id = state.reviewing
    state.reviewing = undefined
    if (id != null) joinProject(peer, id, true)
    render()
  })
  byId('decline').addEventListener('click', () => {
    state.reviewing = undefined
    render()
  })
}

/** Joins any running project this tab may run (built-in kernels only), one after another, until stopped. */
function startAuto (peer: BrowserPeer): void {
  const controller = replaceRun()
  state.auto = true
  state.note = 'joining the first running project with a built-in kernel'
  volunteerUntil(peer, {
    signal: controller.signal,
    acceptCustomWgsl: false,
    onJoined: project => { state.note = `joined ${project.name}`; scheduleRender() },
    onLeft: summary => { state.note = leftNote(summary); scheduleRender() },
    onDeclined: (project, reason) => { state.note = `passed over ${project.name}: ${reason}`; scheduleRender() }
  }).catch((err: Error) => { state.note = `volunteering stopped: ${err.message}` })
    .finally(() => { if (state.run === controller) state.auto = false; scheduleRender() })
  render()
}

/** Joins one project (custom WGSL only once accepted). */
function joinProject (peer: BrowserPeer, projectId: string, acceptCustomWgsl: boolean): void {
  const controller = replaceRun()
  state.auto = false
  const name = peer.project(projectId)?.name ?? projectId
  state.note = `joining ${name}`
  peer.join(projectId, { acceptCustomWgsl, signal: controller.signal })
    .then(async run => {
      state.note = `joined ${name}`
      scheduleRender()
      state.note = leftNote(await run.finished)
    })
    .catch((err: Error) => { state.note = `could not join ${name}: ${err.message}` })
    .finally(scheduleRender)
  render()
}

/** Stops the run started before (auto or a Join); answers the controller of the next one. */
function replaceRun (): AbortController {
  state.run?.abort()
  const controller = new AbortController()
  state.run = controller
  return controller
}

function leftNote (summary: VolunteerRunSummary): string {
  return `left the project (${summary.outcome}${summary.reason != null ? `: ${summary.reason}` : ''}) after ${summary.chunksComputed} chunk${summary.chunksComputed === 1 ? '' : 's'}`
}

async function refreshReceipts (peer: BrowserPeer): Promise<void> {
  const receipts = await peer.receipts()
  state.receipts = { count: receipts.length, flops: receipts.reduce((sum, r) => sum + r.flops, 0) }
  scheduleRender()
}

let renderPending = false
function scheduleRender (): void {
  if (renderPending) return
  renderPending = true
  setTimeout(() => {
    renderPending = false
    render()
  }, 100)
}

function render (): void {
  const peer = state.peer
  if (peer == null) return
  const connected = peer.connectedToServingPeer()
  setConnection(connected ? 'connected' : 'disconnected', connected ? `connected as ${shortId(peer.peerId)}` : 'reconnecting to the mesh…')
  const status = peer.status()
  const run = peer.currentRun()
  const current = run == null ? undefined : peer.project(run.projectId)
  const stateText = status.pausedReason != null ? `paused (${status.pausedReason})` : run == null ? (state.auto ? 'waiting for a project' : 'idle') : status.state
  setText('state', stateText).dataset.state = status.pausedReason != null ? 'paused' : run == null ? 'idle' : status.state
  const project = setText('current-project', current == null ? 'none' : `${current.name} (${current.kernel}, ${current.dims})`)
  project.dataset.projectId = current?.id ?? ''
  setText('current-chunk', run != null && status.currentChunk != null ? `#${status.currentChunk}` : '–')
  const progress = byId('project-progress')
  progress.setAttribute('max', String(Math.max(1, current?.chunks.total ?? 1)))
  progress.setAttribute('value', String(current?.chunks.done ?? 0))
  setText('project-progress-text', current == null ? '' : `${current.chunks.done} / ${current.chunks.total} chunks`)
  setText('computed', `${state.computed} chunk${state.computed === 1 ? '' : 's'}`).dataset.count = String(state.computed)
  setText('note', status.lastError != null && run != null ? `${state.note ?? ''} · last problem: ${status.lastError}` : state.note ?? '–')
  setText('pause', peer.prefs().paused ? 'Resume' : 'Pause')
  setText('receipts', String(state.receipts.count)).dataset.count = String(state.receipts.count)
  setText('credit-flops', formatFlops(state.receipts.flops))
  renderProjects(peer, run?.projectId)
  renderReview(peer)
}

function renderProjects (peer: BrowserPeer, currentId: string | undefined): void {
  const projects = peer.projects().sort((a, b) => Number(b.status === 'running') - Number(a.status === 'running') || b.createdAt - a.createdAt)
  byId('no-projects').hidden = projects.length > 0
  byId('projects').replaceChildren(...projects.map(project => projectItem(peer, project, project.id === currentId)))
}

function projectItem (peer: BrowserPeer, project: ProjectSummary, current: boolean): PageElement {
  const custom = isCustom(project)
  const action = project.status !== 'running'
    ? undefined
    : current
      ? h('span', { class: 'project-meta' }, 'computing here')
      : custom
        ? button('Review code', 'review', () => { state.reviewing = project.id; render() })
        : button('Join', 'join', () => { joinProject(peer, project.id, false) })
  return h('li', { 'data-project-id': project.id, 'data-status': project.status, 'data-kernel': project.kernel },
    h('div', { class: 'project-head' },
      h('strong', {}, project.name, custom ? ' ' : '', custom ? h('span', { class: 'custom', title: 'researcher-written WGSL' }, 'custom WGSL') : undefined),
      action),
    h('div', { class: 'project-meta' }, `${project.kernel} · ${project.dims} · by ${peerLabel(project.owner, project.ownerName)}`),
    h('div', { class: 'project-meta' }, `${project.status} · ${project.chunks.done} / ${project.chunks.total} chunks · ${project.volunteers} volunteer${project.volunteers === 1 ? '' : 's'}`),
    project.description !== '' ? h('div', { class: 'project-meta' }, project.description) : undefined)
}

function renderReview (peer: BrowserPeer): void {
  const project = state.reviewing == null ? undefined : peer.project(state.reviewing)
  byId('review').hidden = project == null
  if (project == null) return
  byId('review').dataset.projectId = project.id
  setText('review-name', project.name)
  setText('review-source', project.customWgsl ?? '(the manifest carries no WGSL source)')
}

function isCustom (project: ProjectSummary): boolean {
  try {
    return getKernel(project.kernel).customCode
  } catch {
    return true
  }
}

function button (label: string, action: string, onClick: () => void): PageElement {
  const element = h('button', { type: 'button', 'data-action': action }, label)
  element.addEventListener('click', onClick)
  return element
}

function setText (id: string, text: string): PageElement {
  const element = byId(id)
  if (element.textContent !== text) element.textContent = text
  return element
}

function setConnection (stateName: string, text: string): void {
  const element = setText('connection', text)
  element.dataset.state = stateName
}

function showGpu (adapter: TabAdapterInfo): void {
  byId('gpu-section').hidden = false
  setText('gpu-description', `${adapter.description} (WebGPU in this browser)`)
  setText('gpu-buffer', formatBytes(Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize)))
  setText('gpu-workgroup', `${adapter.limits.maxComputeInvocationsPerWorkgroup} invocations, ${formatBytes(adapter.limits.maxComputeWorkgroupStorageSize)} shared memory`)
}

main().catch((err: Error) => {
  console.error('the volunteer page failed to start', err)
  byId('failure-text').textContent = err?.message ?? String(err)
  byId('failure').hidden = false
  setConnection('failed', 'not started')
})
