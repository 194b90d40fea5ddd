// The control panel: lists the sites this user may see.
(function () {
  "use strict";
  async function loadSites() {
    const list = document.getElementById("site-list");
    const response = await fetch("/api/v1/sites", { credentials: "same-origin" });
    const body = await response.json();
    list.replaceChildren();
    if (!response.ok) {
      list.textContent = body.error ? body.error.message : "Could not load sites.";
      return;
    }
    for (const site of body.sites) {
      const item = document.createElement("li");
      item.textContent = `${site.name_en} ${site.name_zh} · ${site.basin_name_en || ""} · ` +
        `${site.daily_capacity ?? "?"} visitors a day`;
      item.dataset.site = site.id;
      list.appendChild(item);
    }
  }
  loadSites();
})();
