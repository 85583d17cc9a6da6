/*
 * The few DOM APIs the page uses, typed here. The project type-checks with
 * Node's globals and without TypeScript's DOM library (adding it retypes
 * WebGPU's buffer sources for the Node code), so the page reaches the
 * document through these interfaces.
 */

export interface PageEvent {
  readonly type: string
  readonly target: unknown
  preventDefault: () => void
}

export interface PageElement {
  textContent: string | null
  hidden: boolean
  className: string
  title: string
  id: string
  readonly dataset: Record<string, string | undefined>
  readonly classList: { toggle: (name: string, force?: boolean) => boolean }
  readonly style: { setProperty: (name: string, value: string) => void }
  append: (...nodes: Array<PageElement | string>) => void
  replaceChildren: (...nodes: Array<PageElement | string>) => void
  setAttribute: (name: string, value: string) => void
  removeAttribute: (name: string) => void
  addEventListener: (type: string, listener: (event: PageEvent) => void) => void
  querySelector: (selector: string) => PageElement | null
}

export interface PageInput extends PageElement {
  value: string
  disabled: boolean
}

interface PageDocument {
  title: string
  getElementById: (id: string) => PageElement | null
  createElement: (tag: string) => PageElement
}

interface PageWindow {
  readonly document: PageDocument
  readonly location: { readonly href: string, readonly search: string, readonly hostname: string, readonly port: string, readonly protocol: string, readonly origin: string }
  readonly isSecureContext: boolean
  addEventListener: (type: string, listener: (event: PageEvent) => void) => void
}

export const page = globalThis as unknown as PageWindow

/** The element with this id; the page's HTML has every one the code names. */
export function byId<T extends PageElement = PageElement> (id: string): T {
  const element = page.document.getElementById(id)
  if (element == null) throw new Error(`the page has no #${id}`)
  return element as T
}

type Child = PageElement | string | undefined | false

/** An element with attributes (`class`, `data-*`, ...) and children; text children are text, never HTML. */
export function h (tag: string, attributes: Record<string, string | undefined> = {}, ...children: Child[]): PageElement {
  const element = page.document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) if (value != null) element.setAttribute(name, value)
  element.append(...children.filter((child): child is PageElement | string => child != null && child !== false))
  return element
}
