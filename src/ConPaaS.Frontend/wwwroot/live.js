// Keeps a page's states current without a reload: every 3 s, GET the page's live source (main[data-live-source])
// and write each value into the element whose data-live names it. When the node count changes, the page reloads
// (new rows), unless the user is typing in a form.
"use strict";
(function () {
    const main = document.querySelector("main[data-live-source]");
    const source = main && main.dataset.liveSource;
    if (!source) return;
    const counted = document.querySelector("[data-live-count]");
    async function poll() {
        try {
            const response = await fetch(source, { credentials: "same-origin", headers: { "Accept": "application/json" } });
            if (response.status === 401) { window.location.assign("/login"); return; }
            if (!response.ok) return;
            const live = await response.json();
            for (const [key, value] of Object.entries(live)) {
                for (const element of document.querySelectorAll(`[data-live="${CSS.escape(key)}"]`)) {
                    if (element.textContent !== String(value)) element.textContent = String(value);
                }
            }
            if (counted && live[counted.dataset.liveCount] !== undefined && String(live[counted.dataset.liveCount]) !== counted.dataset.count) {
                const typing = document.activeElement && ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
                if (!typing) window.location.reload();
            }
        } catch (e) {
            // The next poll tries again; the page keeps what it shows.
        } finally {
            setTimeout(poll, 3000);
        }
    }
    setTimeout(poll, 1500);
})();
