/**
 * The few DOM helpers the page needs. Text from the target (task names, labels, errors) only
 * ever goes into `textContent`: nothing it sends can become markup or script.
 */

/** A new element with classes and, optionally, text. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = '', text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className !== '') node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Sets the text, touching the DOM only when it changes. */
export function setText(node: Element, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Sets the class list as a whole, only when it changes. */
export function setClass(node: Element, className: string): void {
  if (node.className !== className) node.className = className;
}

/** Sets or removes an attribute, only when it changes. */
export function setAttr(node: Element, name: string, value: string | null): void {
  if (value === null) {
    if (node.hasAttribute(name)) node.removeAttribute(name);
  } else if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/** Shows or hides, only when it changes. */
export function setHidden(node: HTMLElement, hidden: boolean): void {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/** The element with this id; throws when the page's HTML lacks it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`tasktree ui: the page has no #${id}`);
  return node as T;
}

/**
 * Replaces a node's children only when `signature` differs from the last one given for it:
 * the lists of the detail pane (attributes, sites, stacks) are rebuilt only when they change.
 */
export function renderOnChange(node: HTMLElement, signature: string, build: () => Node[]): void {
  if (node.dataset['sig'] === signature) return;
  node.dataset['sig'] = signature;
  node.replaceChildren(...build());
}

/** A link-like button that selects a task. */
export function taskLink(text: string, id: string, title?: string): HTMLButtonElement {
  const link = el('button', 'link', text);
  link.type = 'button';
  link.dataset['select'] = id;
  if (title !== undefined) link.title = title;
  return link;
}
