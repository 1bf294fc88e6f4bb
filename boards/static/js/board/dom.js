// A small DOM builder: h("p", {class: "muted"}, "text", child). Text is always set as text,
// never parsed as HTML, so names and summaries from the server cannot inject markup.

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// Re-render at most once per animation frame, however many events arrive in a burst.
export function scheduler(render) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      render();
    });
  };
}

// A button that asks "Sure?" in place before it acts (no blocking confirm() dialogs on a
// shared screen). `action` may return a promise; the buttons stay disabled while it runs.
// With a `key`, an open question survives the board re-rendering around it.
const confirming = new Set();

export function confirmButton(label, question, action, { danger = false, small = true, key = null } = {}) {
  const classes = `btn${danger ? " btn-danger" : ""}${small ? " btn-small" : ""}`;
  const wrapper = h("span", { class: "confirm" });
  const start = h("button", { type: "button", class: classes }, label);
  const close = () => {
    if (key) confirming.delete(key);
    replace(wrapper, start);
  };
  const ask = (focus) => {
    if (key) confirming.add(key);
    const yes = h("button", { type: "button", class: classes }, `Yes, ${label.toLowerCase()}`);
    const no = h("button", { type: "button", class: "btn btn-quiet btn-small" }, "Cancel");
    yes.addEventListener("click", async () => {
      yes.disabled = true;
      no.disabled = true;
      try {
        await action();
      } finally {
        close();
      }
    });
    no.addEventListener("click", close);
    replace(wrapper, h("span", { class: "confirm__question" }, question), " ", yes, " ", no);
    if (focus) yes.focus();
  };
  start.addEventListener("click", () => ask(true));
  if (key && confirming.has(key)) ask(false);
  else wrapper.append(start);
  return wrapper;
}

// Rebuild `container` only when `key` changes: forms inside it keep what is being typed, and
// their focus, while the rest of the board re-renders around them.
export function keyed(container, key, build) {
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  replace(container, build());
}
