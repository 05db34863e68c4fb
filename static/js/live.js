/* The live dashboard: one WebSocket (/ws), initial_state then 1 Hz realtime_pnl ticks and events.
   Reconnects with growing, jittered delays; resyncs from initial_state after a gap in sequence numbers;
   shows "Stale" when no tick arrived for 3 s. */
(function () {
  "use strict";
  const F = window.PogFormat;
  const root = document.getElementById("live");
  if (!root || !F) return;

  const STALE_MS = 3000;
  const MAX_TRADES = 20;
  const MAX_DELAY_MS = 30000;
  const $ = (id) => document.getElementById(id);
  const S = { seq: 0, socket: null, attempts: 0, connected: false, lastTickAt: 0, resyncAt: 0,
              positions: new Map(), trades: [], sources: new Map(), realizedToday: 0 };

  /* ---- socket ---- */
  function wsUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.wsPath;
  }
  function send(message) {
    if (S.socket && S.socket.readyState === WebSocket.OPEN) S.socket.send(JSON.stringify(message));
  }
  function connect() {
    setConn("connecting", S.attempts ? "Reconnecting…" : "Connecting…");
    let opened = false;
    const ws = new WebSocket(wsUrl());
    S.socket = ws;
    ws.onopen = () => { opened = true; S.attempts = 0; S.connected = true; S.lastTickAt = Date.now(); setConn("live", "Live"); };
    ws.onmessage = (event) => { try { handle(JSON.parse(event.data)); } catch (e) { console.error(e); } };
    ws.onclose = () => {
      S.connected = false; S.socket = null;
      const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** S.attempts) * (0.5 + Math.random() / 2);
      S.attempts += 1;
      if (!opened) checkSession();
      setConn("offline", "Offline · retrying in " + Math.ceil(delay / 1000) + " s");
      setTimeout(connect, delay);
    };
  }
  function checkSession() {
    // A refused handshake looks like a network error to the browser: ask over HTTP whether we are still let in.
    fetch("/api/live/state", { credentials: "same-origin" }).then((r) => {
      if (r.status === 401 || r.status === 403) banner("Your session ended or lost its second factor: reload the page to sign in again.", "error");
    }).catch(() => {});
  }
  function requestResync() {
    if (Date.now() - S.resyncAt < 2000) return;
    S.resyncAt = Date.now();
    send({ type: "resync" });
  }

  function handle(m) {
    switch (m.type) {
      case "initial_state": return applyInitial(m);
      case "realtime_pnl": return applyTick(m);
      case "trade_closed": addTrade(m.payload, true); refreshHtmx("live-refresh-trades"); return;
      case "positions_update": if (S.seq === 0) requestResync(); return;  // ticks carry positions when the producer runs
      case "orders_update": renderOrders(m.orders); setText("sum-orders", String(m.counted)); return;
      case "source_status": updateSource(m.payload); refreshHtmx("live-refresh-panel"); return;
      case "service_status": updateService(m.payload); refreshHtmx("live-refresh-panel"); return;
      case "ping": return send({ type: "pong" });
      case "pong": return;
      default: return eventBanner(m);
    }
  }

  /* ---- state ---- */
  function applyInitial(m) {
    S.seq = m.seq; S.resyncAt = 0;
    if (m.seq > 0) S.lastTickAt = Date.now();
    S.positions = new Map(m.positions.map((p) => [p.key, p]));
    m.sources.forEach((s) => S.sources.set(s.source, s));
    renderSummary(m.summary);
    renderAccounts(m.summary.sources);
    renderPositions();
    renderOrders(m.orders);
    S.trades = [];
    $("last-trades").innerHTML = "";
    m.trades.slice().reverse().forEach((t) => addTrade(t, false));
    if (!m.trades.length) emptyTrades();
    if (m.producer === "missing") banner("The live producer is not running: figures are as last polled and will not tick.", "warning");
    else banner(null);
    if (window.PogLiveCharts) window.PogLiveCharts.history(m.pnl_history || []);
  }

  function applyTick(m) {
    if (m.seq < S.seq - 5) return requestResync();  // the producer's count restarted (Redis was emptied)
    if (m.seq <= S.seq) return;
    if (S.seq === 0 || m.seq !== S.seq + 1) return requestResync();
    S.seq = m.seq; S.lastTickAt = Date.now();
    setText("sum-equity", F.money(m.total.equity));
    setPnl("sum-open-pnl", m.total.open_pnl);
    setPnl("positions-total", m.total.open_pnl);
    m.sources.forEach(updateAccountRow);
    m.positions.forEach((p) => S.positions.set(p.key, p));
    m.closed.forEach((key) => S.positions.delete(key));
    if (m.closed.length || m.positions.some((p) => !rowOf(p.key))) renderPositions();
    else m.positions.forEach(updatePositionRow);
    setText("sum-positions", String(m.total.positions));
    setText("positions-count", String(m.total.positions));
    $("positions-asof").textContent = "as of " + m.ts.slice(11, 19) + " UTC";
    if (window.PogLiveCharts) window.PogLiveCharts.push(m.ts_ms, m.total.open_pnl);
  }

  /* ---- rendering ---- */
  function setText(id, text) { const el = $(id); if (el) el.textContent = text; }
  function setPnl(id, value) {
    const el = $(id); if (!el) return;
    el.textContent = F.pnl(value);
    el.classList.remove("pos", "neg");
    const cls = F.pnlClass(value); if (cls) el.classList.add(cls);
  }
  function cellPnl(td, text, value) {
    const before = td.textContent;
    td.textContent = text;
    td.classList.remove("pos", "neg");
    const cls = F.pnlClass(value); if (cls) td.classList.add(cls);
    if (before !== text) { td.classList.remove("tick"); void td.offsetWidth; td.classList.add("tick"); }
  }
  function renderSummary(summary) {
    setText("sum-equity", F.money(summary.equity));
    setPnl("sum-open-pnl", summary.open_pnl);
    setPnl("positions-total", summary.open_pnl);
    S.realizedToday = Number(summary.realized_today || 0);
    setPnl("sum-realized-today", summary.realized_today);
    setText("sum-positions", String(summary.positions));
    setText("positions-count", String(summary.positions));
    setText("sum-orders", String(summary.orders));
  }
  function renderAccounts(rows) {
    const body = $("accounts-body");
    if (!rows.length) {
      body.innerHTML = '<tr class="empty-row"><td colspan="7">No trading sources are registered yet: add one in Django admin → Sources, and its account appears here within seconds.</td></tr>';
      return;
    }
    body.innerHTML = rows.map((r) => `<tr data-source="${F.esc(r.source)}">
      <td>${F.esc(r.display_name)}${r.counted ? "" : ' <span class="badge" title="Its money is counted through the trader that trades it">not in totals</span>'}</td>
      <td><span class="dot dot-${F.esc(r.status)}"></span> <span data-cell="status">${r.stale ? "stale" : F.esc(r.status)}</span></td>
      <td class="num" data-cell="equity">${F.money(r.equity)}</td>
      <td class="num ${F.pnlClass(r.open_pnl)}" data-cell="open_pnl">${F.pnl(r.open_pnl)}</td>
      <td class="num" data-cell="positions">${r.positions}</td><td class="num" data-cell="orders">${r.orders}</td>
      <td class="num ${F.pnlClass(r.realized_today)}" data-cell="realized_today">${F.pnl(r.realized_today)}</td></tr>`).join("");
  }
  function updateAccountRow(s) {
    const row = document.querySelector(`#accounts-body tr[data-source="${CSS.escape(s.source)}"]`);
    if (!row) return;
    row.querySelector('[data-cell="equity"]').textContent = F.money(s.equity);
    cellPnl(row.querySelector('[data-cell="open_pnl"]'), F.pnl(s.open_pnl), s.open_pnl);
    row.querySelector('[data-cell="positions"]').textContent = String(s.positions);
    const known = S.sources.get(s.source);
    row.querySelector('[data-cell="status"]').textContent = s.stale ? "stale" : (known ? known.status : "ok");
    row.classList.toggle("is-stale", !!s.stale);
  }
  function uncounted(source) { const s = S.sources.get(source); return s && s.is_counted === false; }
  const NOT_COUNTED = ' class="not-counted" title="Not in totals: counted through the trader that trades this account"';
  function positionRowHtml(p) {
    return `<tr data-key="${F.esc(p.key)}"${uncounted(p.source) ? NOT_COUNTED : ""}><td>${F.esc(p.source)}</td><td>${F.esc(p.strategy || "—")}</td>
      <td class="sym">${F.esc(p.symbol)}</td><td><span class="side side-${F.esc(p.side)}">${F.capfirst(p.side)}</span></td>
      <td class="num">${F.price(p.size)}</td><td class="num">${F.price(p.entry_price)}</td>
      <td class="num" data-cell="mark">${F.price(p.mark_price)}</td>
      <td class="num ${F.pnlClass(p.unrealized_pnl)}" data-cell="pnl">${F.pnl(p.unrealized_pnl)}</td>
      <td class="num ${F.pnlClass(p.unrealized_pnl_pct)}" data-cell="pct">${F.pct(p.unrealized_pnl_pct)}</td></tr>`;
  }
  function rowOf(key) { return document.querySelector(`#positions-body tr[data-key="${CSS.escape(key)}"]`); }
  function renderPositions() {
    const rows = [...S.positions.values()];
    const body = $("positions-body");
    body.innerHTML = rows.length ? rows.map(positionRowHtml).join("") :
      `<tr class="empty-row"><td colspan="9">${S.sources.size ? "No open positions: every source reports flat." : "No trading sources are registered yet, so there is nothing to show."}</td></tr>`;
  }
  function updatePositionRow(p) {
    const row = rowOf(p.key); if (!row) return;
    row.querySelector('[data-cell="mark"]').textContent = F.price(p.mark_price);
    cellPnl(row.querySelector('[data-cell="pnl"]'), F.pnl(p.unrealized_pnl), p.unrealized_pnl);
    cellPnl(row.querySelector('[data-cell="pct"]'), F.pct(p.unrealized_pnl_pct), p.unrealized_pnl_pct);
  }
  function renderOrders(orders) {
    $("orders-body").innerHTML = orders.length ? orders.map((o) => `<tr${uncounted(o.source) ? NOT_COUNTED : ""}><td>${F.esc(o.source)}</td><td>${F.esc(o.strategy || "—")}</td>
      <td class="sym">${F.esc(o.symbol)}</td><td>${F.esc(F.capfirst(o.type.replace(/_/g, " ")))}</td><td><span class="side side-${F.esc(o.side)}">${F.capfirst(o.side)}</span></td>
      <td class="num">${F.price(o.size)}</td><td class="num">${o.price ? F.price(o.price) : "market"}</td></tr>`).join("") :
      `<tr class="empty-row"><td colspan="7">${S.sources.size ? "No open orders: no source has an order resting." : "No trading sources are registered yet, so there is nothing to show."}</td></tr>`;
    setText("orders-count", orders.length + (orders.length === 1 ? " order" : " orders"));
  }
  function emptyTrades() {
    $("last-trades").innerHTML = '<li class="empty-line" data-empty>No trades closed yet; each one appears here the moment it closes.</li>';
  }
  function addTrade(t, flash) {
    const key = t.source + "|" + t.external_id;
    if (S.trades.includes(key)) return;  // a pushed trade is announced again when its poll stores it
    S.trades.unshift(key);
    if (flash) addToRealizedToday(t);
    const list = $("last-trades");
    const empty = list.querySelector("[data-empty]"); if (empty) empty.remove();
    const cls = F.pnlClass(t.realized_pnl);
    const li = document.createElement("li");
    li.className = "trade-line " + (cls === "pos" ? "win" : cls === "neg" ? "loss" : "") + (flash ? " flash" : "") +
      (uncounted(t.source) ? " not-counted" : "");
    li.dataset.trade = key;
    li.innerHTML = `<span class="tl-sym">${F.esc(t.symbol)} <span class="side side-${F.esc(t.side)}">${F.capfirst(t.side)}</span></span>
      <span class="tl-meta muted">${F.esc(t.source)} · ${F.esc(t.strategy || "—")} · ${F.esc(String(t.closed_at || "").slice(11, 19))}</span>
      <span class="tl-pnl ${cls}">${F.pnl(t.realized_pnl)}</span>`;
    list.prepend(li);
    while (S.trades.length > MAX_TRADES) { S.trades.pop(); list.lastElementChild.remove(); }
  }
  function addToRealizedToday(t) {
    const el = $("sum-realized-today");
    const today = new Date().toISOString().slice(0, 10);
    if (!el || uncounted(t.source) || String(t.closed_at || "").slice(0, 10) !== today) return;
    S.realizedToday += Number(t.realized_pnl);
    setPnl("sum-realized-today", S.realizedToday.toFixed(2));
  }
  const SERVICE_TONES = { running: "green", starting: "accent", unhealthy: "amber", crashed: "red", stopped: "muted" };
  function updateService(s) {
    document.querySelectorAll(`[data-service-dot="${CSS.escape(s.name || "")}"] .dot`)
      .forEach((dot) => { dot.className = "dot dot-" + (SERVICE_TONES[s.status] || "muted"); });
  }
  function updateSource(s) {
    const known = S.sources.get(s.source) || {};
    S.sources.set(s.source, { ...known, ...s });
    document.querySelectorAll(`[data-source-dot="${CSS.escape(s.source)}"] .dot, #accounts-body tr[data-source="${CSS.escape(s.source)}"] .dot`)
      .forEach((dot) => { dot.className = "dot dot-" + s.status; });
  }

  /* ---- banners, indicators ---- */
  function banner(text, level) {
    const el = $("live-banner");
    el.hidden = !text;
    el.className = "live-banner alert alert-" + (level || "info");
    el.textContent = text || "";
  }
  function eventBanner(m) {
    const p = m.payload || {};
    if (m.type === "alert") banner(p.active ? "Alert: " + (p.title || p.kind) : null, "warning");
    else if (m.type === "kill_switch") banner(`Kill switch ${p.active ? "tripped" : "reset"}: ${p.source} ${p.strategy_id} ${p.symbol}`, p.active ? "error" : "info");
    else if (m.type === "risk_update") banner("Risk settings changed" + (p.strategy ? ": " + p.strategy : ""), "info");
  }
  function setConn(state, label) {
    const el = $("live-conn");
    el.dataset.state = state;
    el.querySelector(".conn-label").textContent = label;
  }
  const refreshTimers = {};
  function refreshHtmx(eventName) {
    if (!window.htmx) return;
    if (eventName === "live-refresh-trades" && document.querySelector("#trade-history [data-pinned]")) return;
    clearTimeout(refreshTimers[eventName]);
    refreshTimers[eventName] = setTimeout(() => window.htmx.trigger(document.body, eventName), 800);
  }
  setInterval(() => {
    const quiet = Date.now() - S.lastTickAt;
    const stale = !S.connected || quiet > STALE_MS;
    const badge = $("live-stale");
    badge.hidden = !stale;
    badge.textContent = S.lastTickAt ? "Stale · no update for " + Math.round(quiet / 1000) + " s" : "Stale · no live data yet";
    root.classList.toggle("is-stale", stale);
  }, 500);

  S.lastTickAt = Date.now();
  connect();
})();
