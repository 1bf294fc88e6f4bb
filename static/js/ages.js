// Keeps "12 min ago" labels true on pages left open (wall screens), without a reload.
//
// <time datetime="ISO" data-age data-stale-after="3600">12 min ago</time>
// The server renders the first text (same wording as agencies.views.age_text); this module
// recomputes it every 30 seconds and marks the element .is-stale once it is too old.

export function ageText(seconds) {
  if (seconds < 60) return "just now";
  let minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  minutes %= 60;
  if (hours < 24) return minutes ? `${hours} h ${minutes} min ago` : `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return `${days} day${days === 1 ? "" : "s"} ago`;
}

export function refreshAges(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll("time[data-age]")) {
    const at = Date.parse(el.dateTime);
    if (Number.isNaN(at)) continue;
    const seconds = Math.max(0, Math.floor((now - at) / 1000));
    el.textContent = ageText(seconds);
    const staleAfter = Number(el.dataset.staleAfter || 0);
    if (staleAfter) el.classList.toggle("is-stale", seconds > staleAfter);
  }
}

refreshAges();
setInterval(refreshAges, 30_000);
