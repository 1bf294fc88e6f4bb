// Filter-as-you-type for long pickers and lists (no build step, no dependencies).
//
// <input type="search" data-filter="#target">        the text box
// <input type="checkbox" data-filter-ticked="#target"> optional: show only ticked items
// #target [data-filter-item]                          shown or hidden (its text is matched)
// #target [data-filter-group]                         hidden when none of its items show
// [data-filter-empty="#target"]                       shown when nothing matches
// [data-selected-count="#target"]                     keeps "n selected" for checkboxes in #target
//
// Without JavaScript the page simply shows everything.

const normalise = (text) =>
  text
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();

function applyFilter(selector) {
  const target = document.querySelector(selector);
  if (!target) return;
  const input = document.querySelector(`input[data-filter="${selector}"]`);
  const tickedOnly = document.querySelector(`input[data-filter-ticked="${selector}"]`)?.checked;
  const words = normalise(input?.value || "")
    .split(/\s+/)
    .filter(Boolean);
  let shown = 0;
  for (const item of target.querySelectorAll("[data-filter-item]")) {
    const text = normalise(item.dataset.filterText || item.textContent);
    const ticked = item.querySelector("input[type=checkbox]")?.checked ?? false;
    const match = words.every((word) => text.includes(word)) && (!tickedOnly || ticked);
    item.hidden = !match;
    if (match) shown += 1;
  }
  for (const group of target.querySelectorAll("[data-filter-group]")) {
    group.hidden = !group.querySelector("[data-filter-item]:not([hidden])");
  }
  for (const empty of document.querySelectorAll(`[data-filter-empty="${selector}"]`)) {
    empty.hidden = shown > 0;
  }
}

function updateCount(counter) {
  const target = document.querySelector(counter.dataset.selectedCount);
  if (!target) return;
  const ticked = target.querySelectorAll("input[type=checkbox]:checked").length;
  counter.textContent = `${ticked} selected`;
}

export function initFilters(root = document) {
  for (const input of root.querySelectorAll("input[data-filter]")) {
    input.addEventListener("input", () => applyFilter(input.dataset.filter));
    // Enter must not submit the surrounding form while someone is filtering.
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    if (input.value) applyFilter(input.dataset.filter);
  }
  for (const toggle of root.querySelectorAll("input[data-filter-ticked]")) {
    toggle.addEventListener("change", () => applyFilter(toggle.dataset.filterTicked));
  }
  for (const counter of root.querySelectorAll("[data-selected-count]")) {
    const target = document.querySelector(counter.dataset.selectedCount);
    if (!target) continue;
    target.addEventListener("change", () => updateCount(counter));
    updateCount(counter);
  }
}

initFilters();
