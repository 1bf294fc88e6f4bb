// The declare form's map (vendored Leaflet, tiles from settings.MAP_TILE_URL). The page
// never depends on it: without Leaflet, or when tiles cannot load (no internet on a closed
// network), the latitude/longitude fields still work and the map says plainly what is wrong.
// Hospitals are drawn as labelled markers, so even a map without tiles gives a sense of place.
//
// Leaflet parses a string given to bindTooltip/bindPopup as HTML: labels are always DOM nodes
// built with h(), so a hospital name is text, never markup.

import { h, replace } from "./dom.js";

const HIDDEN_LABEL = "map-label--hidden";

// Labels that would overlap an earlier one are hidden (shown again while the pointer or the
// keyboard is on their marker); earlier means nearer the incident, or first in the list.
function declutter(labels) {
  const shown = [];
  for (const label of labels) {
    const element = label.tooltip.getElement();
    if (!element) continue;
    element.classList.remove(HIDDEN_LABEL);
    const box = element.getBoundingClientRect();
    const overlaps = shown.some((other) => box.left < other.right && box.right > other.left && box.top < other.bottom && box.bottom > other.top);
    if (overlaps) element.classList.add(HIDDEN_LABEL);
    else shown.push(box);
  }
}

export function pickerMap(element, { tileUrl, hospitals = [], onPick, note }) {
  const L = window.L;
  if (!L) {
    replace(element, h("p", { class: "map-fallback" }, "The map is not available; enter latitude and longitude instead."));
    return null;
  }
  const placed = hospitals.filter((x) => x.latitude !== null && x.longitude !== null);
  const map = L.map(element, { zoomControl: true, attributionControl: true, keyboard: true });
  let point = null; // the incident's location, once picked or typed
  let userMoved = false; // after the user pans or zooms, the map stays where they put it

  // Centre on the incident and the hospitals around it (or on the hospitals alone). Run again
  // when the map becomes visible: fitting a map inside a closed <details> has no size to fit.
  const fit = () => {
    const corners = placed.map((x) => [x.latitude, x.longitude]);
    if (point) corners.push(point);
    if (corners.length) map.fitBounds(L.latLngBounds(corners).pad(0.15), { maxZoom: 13, animate: false });
    else map.setView([39.5, -98.35], 4);
  };
  fit();
  const moved = () => (userMoved = true);
  map.on("dragstart", moved);
  element.addEventListener("wheel", moved, { passive: true });
  element.addEventListener("keydown", moved);
  element.querySelector(".leaflet-control-zoom")?.addEventListener("click", moved);

  let failed = false;
  if (tileUrl) {
    const tiles = L.tileLayer(tileUrl, { maxZoom: 18, attribution: "© OpenStreetMap contributors" });
    tiles.on("tileerror", () => {
      if (failed) return;
      failed = true;
      element.classList.add("map-no-tiles");
      if (note) note.textContent = "Map tiles could not be loaded (no connection to the tile server). Clicking still places the point; hospitals are marked.";
    });
    tiles.addTo(map);
  }

  const labels = [];
  for (const hospital of placed) {
    const marker = L.circleMarker([hospital.latitude, hospital.longitude], { radius: 7, color: "#0b57a4", weight: 2, fillOpacity: 0.8 });
    marker.bindTooltip(h("span", {}, hospital.name), { permanent: true, direction: "right", offset: [6, 0], className: "map-label" });
    marker.addTo(map);
    const label = { tooltip: marker.getTooltip(), latlng: marker.getLatLng() };
    marker.on("mouseover", () => label.tooltip.getElement()?.classList.remove(HIDDEN_LABEL));
    marker.on("mouseout", () => declutter(labels));
    labels.push(label);
  }
  // A label points into the map: right of a marker on the left half, left of one on the right
  // half, so no label runs off the edge.
  const aim = () => {
    const middle = map.getSize().x / 2;
    for (const label of labels) {
      const left = map.latLngToContainerPoint(label.latlng).x > middle;
      const direction = left ? "left" : "right";
      if (label.tooltip.options.direction === direction) continue;
      label.tooltip.options.direction = direction;
      label.tooltip.options.offset = [left ? -6 : 6, 0];
      label.tooltip.update();
    }
  };
  const relabel = () => {
    aim();
    if (point) {
      const here = L.latLng(point);
      labels.sort((a, b) => here.distanceTo(a.latlng) - here.distanceTo(b.latlng));
    }
    declutter(labels);
  };
  map.on("zoomend moveend", relabel);
  relabel();

  let marker = null;
  const place = (lat, lon) => {
    point = [lat, lon];
    if (marker) marker.setLatLng(point);
    else marker = L.circleMarker(point, { radius: 10, color: "#c0161b", weight: 3, fillOpacity: 0.6 }).addTo(map);
  };
  map.on("click", (e) => {
    const lat = Number(e.latlng.lat.toFixed(5));
    const lon = Number(e.latlng.lng.toFixed(5));
    place(lat, lon);
    relabel();
    onPick(lat, lon);
  });
  return {
    // Typed coordinates: show the point with the hospitals around it.
    place(lat, lon) {
      if (!Number.isFinite(lat) || !Number.isFinite(lon)) return;
      place(lat, lon);
      if (!userMoved) fit();
      relabel();
    },
    invalidate() {
      map.invalidateSize();
      if (!userMoved) fit();
      relabel();
    },
  };
}
