/* The Risk page: selection for bulk update, Enter to save, and live row refresh.
 * Live: listens on the fund's WebSocket (/ws) for risk_update and kill_switch events and re-renders the
 * affected row through htmx. Without a socket it refreshes the table every few seconds instead.
 * A row the admin is editing is never replaced under their fingers: it is marked "changed" instead. */
(function () {
  "use strict";

  const POLL_MS = 5000;
  const RECONNECT_MAX_MS = 30000;
  const table = document.getElementById("risk-table");
  if (!table) return;
  const status = document.getElementById("live-status");
  let socket = null;
  let pollTimer = null;
  let reconnectDelay = 1000;

  function setStatus(text, tone, title) {
    if (!status) return;
    status.textContent = text;
    status.className = "badge " + (tone || "");
    if (title) status.title = title;
  }

  /* Selection and the bulk form: remembered by id, so re-rendered rows stay ticked */
  const selectedIds = new Set();
  function refreshSelection() {
    document.querySelectorAll("input.row-select").forEach(function (box) {
      box.checked = !box.disabled && selectedIds.has(box.value);
    });
    const count = document.querySelectorAll("input.row-select:checked").length;
    const label = document.getElementById("selected-count");
    if (label) label.textContent = count ? count + " row" + (count === 1 ? "" : "s") + " selected" : "no rows selected";
    const apply = document.getElementById("bulk-apply");
    if (apply) apply.disabled = count === 0;
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "select-all") {
      document.querySelectorAll("input.row-select:not(:disabled)").forEach(function (box) {
        if (event.target.checked) selectedIds.add(box.value); else selectedIds.delete(box.value);
      });
      refreshSelection();
    } else if (event.target.classList.contains("row-select")) {
      if (event.target.checked) selectedIds.add(event.target.value); else selectedIds.delete(event.target.value);
      refreshSelection();
    }
  });

  /* Editing: typed rows are "dirty" until saved; Enter saves the row */
  document.addEventListener("input", function (event) {
    const row = event.target.closest("tr.risk-row");
    if (row && event.target.classList.contains("risk-input")) row.classList.add("is-dirty");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !event.target.classList.contains("risk-input")) return;
    event.preventDefault();
    const button = event.target.closest("tr.risk-row").querySelector(".save-btn");
    if (button) button.click();
  });
  function isBusy(row) {
    return row.classList.contains("is-dirty") || row.contains(document.activeElement) || row.classList.contains("htmx-request");
  }
  document.body.addEventListener("htmx:afterSettle", function () {
    refreshSelection();
    // A confirmation has been read after a few seconds; warnings and errors stay until the next action.
    window.setTimeout(function () {
      document.querySelectorAll(".row-flash.flash-success, .row-flash.flash-info").forEach(function (flash) { flash.remove(); });
    }, 8000);
  });
  document.body.addEventListener("htmx:oobAfterSwap", refreshSelection);

  /* Live row refresh */
  function findRow(payload) {
    if (payload.setting_id) {
      const byId = document.getElementById("risk-row-" + payload.setting_id);
      if (byId) return byId;
    }
    if (payload.source && payload.strategy_id && payload.symbol) {
      const key = payload.source + "/" + payload.strategy_id + "/" + payload.symbol;
      return table.querySelector('tr.risk-row[data-key="' + CSS.escape(key) + '"]');
    }
    return null;
  }
  function markChanged(row) {
    if (row.querySelector(".changed-note")) return;
    const cell = row.querySelector(".sync-cell");
    if (!cell) return;
    const note = document.createElement("div");
    note.className = "row-flash flash-warning changed-note";
    note.textContent = "Changed meanwhile (elsewhere or at the trader): save to overwrite, or reload to see it.";
    cell.appendChild(note);
  }
  function refreshRow(row) {
    if (isBusy(row)) { markChanged(row); return; }
    htmx.ajax("GET", row.dataset.rowUrl, { target: row, swap: "outerHTML" }).then(function () {
      const fresh = document.getElementById(row.id);
      if (fresh) fresh.classList.add("is-updated");
      refreshSelection();
    });
  }
  function handleEvent(message) {
    const type = message.type || message.event;
    if (type !== "risk_update" && type !== "kill_switch") return;
    const payload = message.payload || message.data || message;
    const row = findRow(payload);
    if (!row) return;
    if (type === "kill_switch" && !payload.setting_id) {
      showTraderKillSwitch(row, payload.active);  // relayed from the trader: our next read confirms it
    } else {
      refreshRow(row);
    }
  }
  function showTraderKillSwitch(row, active) {
    const cell = row.querySelector(".kill-cell");
    if (!cell) return;
    const badge = cell.querySelector(".badge");
    if (badge) {
      badge.textContent = active ? "Tripped" : "OK";
      badge.className = "badge " + (active ? "badge-red" : "badge-green");
      badge.title = "Reported by the trader a moment ago; confirming…";
    }
    row.classList.toggle("is-tripped", !!active);
    row.classList.add("is-updated");
  }

  /* Fallback: refresh the whole table body, row by row, leaving busy rows alone */
  function pollRows() {
    fetch(table.dataset.rowsUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        const doc = new DOMParser().parseFromString("<table><tbody>" + html + "</tbody></table>", "text/html");
        doc.querySelectorAll("tr.risk-row").forEach(function (fresh) {
          const current = document.getElementById(fresh.id);
          if (!current || isBusy(current) || current.outerHTML === fresh.outerHTML) return;
          current.replaceWith(fresh);
          htmx.process(fresh);
        });
        doc.querySelectorAll("template").forEach(function (template) {
          const summary = template.content.querySelector("#risk-summary");
          const current = document.getElementById("risk-summary");
          if (summary && current) current.replaceWith(summary);
        });
        refreshSelection();
      })
      .catch(function () { /* the next tick tries again */ });
  }
  function startPolling() {
    if (pollTimer) return;
    setStatus("Live: polling every " + POLL_MS / 1000 + " s", "badge-amber", "No live socket: the table refreshes itself every few seconds.");
    pollTimer = window.setInterval(pollRows, POLL_MS);
  }
  function stopPolling() {
    if (pollTimer) window.clearInterval(pollTimer);
    pollTimer = null;
  }

  function connect() {
    if (!("WebSocket" in window)) { startPolling(); return; }
    const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
    try { socket = new WebSocket(url); } catch (error) { startPolling(); return; }
    socket.addEventListener("open", function () {
      reconnectDelay = 1000;
      stopPolling();
      setStatus("Live", "badge-green", "Connected: changes appear as they happen.");
    });
    socket.addEventListener("message", function (event) {
      try { handleEvent(JSON.parse(event.data)); } catch (error) { /* not ours */ }
    });
    socket.addEventListener("close", function () {
      socket = null;
      startPolling();
      window.setTimeout(connect, reconnectDelay);
      reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
    });
  }

  refreshSelection();
  connect();
})();
