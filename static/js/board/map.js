// The declare form's map (vendored Leaflet, tiles from settings.MAP_TILE_URL). The page
// never depends on it: without Leaflet, or when tiles cannot load (no internet on a closed
// network), the latitude/longitude fields still work and the map says plainly what is wrong.
// Hospitals are drawn as labelled markers, so even a map without tiles gives a sense of place.

import { h, replace } from "./dom.js";

export function pickerMap(element, { tileUrl, hospitals = [], onPick, note }) {
  const L = window.L;
  if (!L) {
    replace(element, h("p", { class: "map-fallback" }, "The map is not available; enter latitude and longitude instead."));
    return null;
  }
  const placed = hospitals.filter((x) => x.latitude !== null && x.longitude !== null);
  const map = L.map(element, { zoomControl: true, attributionControl: true, keyboard: true });
  if (placed.length) {
    map.fitBounds(L.latLngBounds(placed.map((x) => [x.latitude, x.longitude])).pad(0.4), { maxZoom: 12 });
  } else {
    map.setView([39.5, -98.35], 4);
  }
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
  for (const hospital of placed) {
    L.circleMarker([hospital.latitude, hospital.longitude], { radius: 7, color: "#0b57a4", weight: 2, fillOpacity: 0.8 })
      .bindTooltip(hospital.name, { permanent: true, direction: "right", className: "map-label" })
      .addTo(map);
  }
  let marker = null;
  const place = (lat, lon) => {
    if (marker) marker.setLatLng([lat, lon]);
    else marker = L.circleMarker([lat, lon], { radius: 10, color: "#c0161b", weight: 3, fillOpacity: 0.6 }).addTo(map);
  };
  map.on("click", (e) => {
    const lat = Number(e.latlng.lat.toFixed(5));
    const lon = Number(e.latlng.lng.toFixed(5));
    place(lat, lon);
    onPick(lat, lon);
  });
  return {
    place(lat, lon) {
      if (Number.isFinite(lat) && Number.isFinite(lon)) place(lat, lon);
    },
    invalidate() {
      map.invalidateSize();
    },
  };
}
