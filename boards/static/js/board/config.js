// The page's configuration, rendered by the Django view into
// <script id="board-config" type="application/json"> (json_script): URLs, the user, what
// they may do. Every board module reads it from here.

const element = document.getElementById("board-config");

export const config = element ? JSON.parse(element.textContent) : {};

// Server time minus this browser's time, in ms: ages and timers follow the server's clock, so
// a wall screen with a wrong clock still counts "answered 40 s ago" right.
let offset = 0;

export function syncClock(serverIso) {
  const server = Date.parse(serverIso);
  if (!Number.isNaN(server)) offset = server - Date.now();
}

export function now() {
  return Date.now() + offset;
}
