// A tiny element builder: h('li', {class: 'x'}, 'text', child). No innerHTML anywhere.

/** Creates an element; attrs set attributes (class, hidden, dataset via data-*), children append. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'value') el.value = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces all children of el. */
export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** Shorthand for document.getElementById. */
export function byId(id) {
  return document.getElementById(id);
}
