/* Money and prices as the dashboard writes them (same rules as apps/live/templatetags/live_format.py). */
(function () {
  "use strict";
  const two = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function num(value) {
    if (value === null || value === undefined || value === "") return null;
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  function money(value) {
    const n = num(value);
    if (n === null) return "—";
    const r = Math.round(n * 100) / 100;
    return (r < 0 ? "-" : "") + "$" + two.format(Math.abs(r));
  }
  function pnl(value) {
    const n = num(value);
    if (n === null) return "—";
    const r = Math.round(n * 100) / 100;
    return (r > 0 ? "+" : r < 0 ? "-" : "") + "$" + two.format(Math.abs(r));
  }
  function pct(value) {
    const n = num(value);
    if (n === null) return "—";
    const r = Math.round(n * 100) / 100;
    return (r > 0 ? "+" : "") + two.format(r) + "%";
  }
  function price(value) {
    if (value === null || value === undefined || value === "") return "—";
    const text = String(value);
    const places = text.includes(".") ? Math.min(text.split(".")[1].length, 8) : 0;
    return new Intl.NumberFormat("en-US", { minimumFractionDigits: places, maximumFractionDigits: places }).format(Number(text));
  }
  function pnlClass(value) {
    const n = num(value);
    if (n === null || Math.round(n * 100) === 0) return "";
    return n > 0 ? "pos" : "neg";
  }
  function capfirst(text) { return text ? text.charAt(0).toUpperCase() + text.slice(1) : ""; }
  function esc(text) {
    return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }
  window.PogFormat = { money, pnl, pct, price, pnlClass, capfirst, esc };
})();
