/**
 * DOM helpers. Data from the app reaches the DOM only as text (`textContent`,
 * `value`, `setAttribute`), never as markup.
 */

/** The element with this id; the page always has it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
}

export type Attributes = Record<string, string | number | boolean | null | undefined>;
export type Child = Node | string | null | undefined;

/** An element with attributes and children; strings become text nodes, never markup. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attributes | null, children?: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (attrs) {
    for (const name of Object.keys(attrs)) {
      const value = attrs[name];
      if (value === null || value === undefined || value === false) continue;
      if (name === 'text') node.textContent = String(value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
  }
  for (const child of children ?? []) {
    if (child === null || child === undefined) continue;
    node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

export function clear(node: Node): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

/** A status line's text, marked as an error, a success or neither. */
export function say(id: string, text?: string, kind?: 'error' | 'ok'): void {
  const node = byId(id);
  node.textContent = text || '';
  node.classList.remove('error', 'ok');
  if (kind) node.classList.add(kind);
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return String((error as { message?: unknown } | null)?.message || error);
}
