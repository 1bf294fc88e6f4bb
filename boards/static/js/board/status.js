// The connection state, said plainly: a small "Live" pill in the page head, and while the
// socket is down a full-width banner "Reconnecting — last update 14 s ago" with a button to
// try at once. Out of date (connected, but missing events it is fetching or reloading): a
// banner "Out of date — reloading". Signed out: a banner with a link to sign in again.

import { now } from "./config.js";
import { h, replace } from "./dom.js";
import { span } from "./format.js";

export function connectionStatus(socket) {
  const pill = document.getElementById("connection");
  const banner = document.getElementById("connection-banner");
  return ({ state, lastUpdate }) => {
    document.body.dataset.connection = state;
    const since = span((now() - lastUpdate) / 1000);
    if (pill) {
      pill.className = `connection connection-${state}`;
      pill.textContent =
        state === "live"
          ? "Live"
          : state === "stale"
            ? "Out of date"
            : state === "signed-out"
              ? "Signed out"
              : state === "connecting"
                ? "Connecting…"
                : "Reconnecting…";
    }
    if (!banner) return;
    if (state === "live" || state === "connecting") {
      banner.hidden = true;
      return;
    }
    banner.hidden = false;
    if (state === "signed-out") {
      replace(
        banner,
        h("strong", {}, "Signed out — this board is no longer updating. "),
        h("a", { href: `/accounts/login/?next=${encodeURIComponent(location.pathname)}` }, "Sign in again"),
      );
      return;
    }
    if (state === "stale") {
      // Connected, but an incident's timeline has a hole: never shown as "Live".
      if (banner.querySelector("[data-stale-text]")) return;
      const reload = h("button", { type: "button", class: "btn btn-small" }, "Reload now");
      reload.addEventListener("click", () => location.reload());
      replace(
        banner,
        h("strong", { "data-stale-text": true }, "Out of date — reloading"),
        " ",
        h("span", { class: "connection-banner__note" }, "Some changes did not reach this board; it is fetching them again."),
        " ",
        reload,
      );
      return;
    }
    const text = `Reconnecting — last update ${since} ago`;
    const existing = banner.querySelector("[data-reconnect-text]");
    if (existing) {
      existing.textContent = text;
      return;
    }
    const retry = h("button", { type: "button", class: "btn btn-small" }, "Try now");
    retry.addEventListener("click", () => socket.retryNow());
    replace(
      banner,
      h("strong", { "data-reconnect-text": true }, text),
      " ",
      h("span", { class: "connection-banner__note" }, "What you see may be out of date."),
      " ",
      retry,
    );
  };
}
