// Keeps the part of a page marked data-live="<seconds>" up to date: fetches the page again every few seconds and
// swaps in the new version of that part, marking rows that were not there before. No reload, no build step.
"use strict";
document.querySelectorAll("[data-live]").forEach((region) => {
  const seconds = Number(region.dataset.live) || 5;
  const ids = (root) => new Set([...root.querySelectorAll("[data-id]")].map((row) => row.dataset.id));
  let known = ids(region);
  const status = document.createElement("p");
  status.className = "live-status";
  status.setAttribute("role", "status");
  region.before(status);

  async function refresh() {
    if (document.hidden) return;
    try {
      const response = await fetch(location.href, {
        credentials: "same-origin", redirect: "manual", headers: { "X-Live-Refresh": "1" },  // not the staff's own activity: keeps no session alive
      });
      if (response.type === "opaqueredirect" || !response.ok) throw new Error("signed out or unavailable");
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = page.getElementById(region.id);
      if (!fresh) throw new Error("unexpected page");
      if (fresh.innerHTML !== region.innerHTML) {
        region.innerHTML = fresh.innerHTML;
        region.querySelectorAll("[data-id]").forEach((row) => {
          if (!known.has(row.dataset.id)) row.classList.add("arrived");
        });
        known = ids(region);
      }
      status.textContent = "Updates live; last checked " + new Date().toLocaleTimeString();
    } catch (error) {
      status.textContent = "Not updating (" + error.message + "): reload the page.";
    }
  }
  status.textContent = "Updates live every " + seconds + " s";
  setInterval(refresh, seconds * 1000);
});
