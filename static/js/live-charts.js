/* Dashboard charts (Chart.js, vendored): open PnL over the last 15 minutes, and equity per source. */
(function () {
  "use strict";
  const root = document.getElementById("live");
  if (!root || !window.Chart) return;
  const F = window.PogFormat;
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const WINDOW_MS = 15 * 60 * 1000;
  const colors = { text: css("--muted"), grid: css("--border"), accent: css("--accent"), green: css("--green"), red: css("--red") };
  Chart.defaults.color = colors.text;
  Chart.defaults.borderColor = colors.grid;
  Chart.defaults.font.family = css("--font");

  const hhmm = (ms, seconds) => new Date(ms).toISOString().slice(11, seconds ? 19 : 16);
  function axes(seconds) {
    return {
      x: { type: "linear", ticks: { maxTicksLimit: 7, callback: (v) => hhmm(v, seconds) }, grid: { display: false } },
      y: { ticks: { callback: (v) => F.money(v), maxTicksLimit: 6 }, grid: { color: colors.grid } },
    };
  }
  function options(seconds, legend) {
    return {
      animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      plugins: { legend: { display: legend, labels: { boxWidth: 18 } },
                 tooltip: { callbacks: { title: (items) => items.length ? hhmm(items[0].parsed.x, true) + " UTC" : "",
                                          label: (item) => item.dataset.label + ": " + F.money(item.parsed.y) } } },
      scales: axes(seconds), elements: { point: { radius: 0 } },
    };
  }

  /* Real-time open PnL: one point a tick, 15 minutes kept. */
  const realtime = new Chart(document.getElementById("chart-realtime"), {
    type: "line",
    data: { datasets: [{ label: "Open PnL", data: [], borderColor: colors.accent, borderWidth: 1.5,
                         fill: { target: { value: 0 }, above: "rgba(63,185,80,.12)", below: "rgba(248,81,73,.12)" } }] },
    options: options(true, false),
  });
  function trim(data, now) { while (data.length && data[0].x < now - WINDOW_MS) data.shift(); }
  const GAP_MS = 3000;  // ticks missing for longer than this: break the line rather than draw across the outage
  function add(data, x, y) {
    const last = data[data.length - 1];
    if (last && x - last.x > GAP_MS) data.push({ x: last.x + 1000, y: null });
    data.push({ x, y: Number(y) });
  }
  window.PogLiveCharts = {
    history(points) {
      const data = realtime.data.datasets[0].data;
      data.length = 0;
      points.forEach(([x, y]) => add(data, x, y));
      trim(data, Date.now());
      realtime.update("none");
    },
    push(x, y) {
      const data = realtime.data.datasets[0].data;
      if (data.length && data[data.length - 1].x >= x) return;
      add(data, x, y);
      trim(data, x);
      realtime.update("none");
    },
  };

  /* Equity: combined (realized solid, with unrealized dashed) and one small chart per source. */
  const charts = new Map();
  function series(points, index) { return points.map((p) => ({ x: p[0], y: Number(p[index]) })); }
  function equityChart(canvas, points) {
    return new Chart(canvas, {
      type: "line",
      data: { datasets: [
        { label: "Realized (balance)", data: series(points, 2), borderColor: colors.green, borderWidth: 1.5 },
        { label: "With unrealized", data: series(points, 1), borderColor: colors.accent, borderWidth: 1.5, borderDash: [5, 4] },
      ] },
      options: options(false, true),
    });
  }
  function draw(key, canvas, points) {
    // One or no point draws nothing useful: say so instead of an empty frame.
    const box = canvas.parentElement;
    let note = box.nextElementSibling && box.nextElementSibling.dataset.note ? box.nextElementSibling : null;
    if (!note) {
      note = document.createElement("div");
      note.dataset.note = "1";
      note.className = "muted small chart-note";
      box.after(note);
    }
    box.hidden = points.length < 2;
    note.textContent = points.length < 2 ? "Not enough account history yet: the curve starts after two snapshots." : "";
    const radius = points.length < 40 ? 2 : 0;
    const chart = charts.get(key);
    if (!chart) {
      const made = equityChart(canvas, points);
      made.data.datasets.forEach((d) => { d.pointRadius = radius; });
      made.update("none");
      charts.set(key, made);
      return;
    }
    chart.data.datasets[0].data = series(points, 2);
    chart.data.datasets[1].data = series(points, 1);
    chart.data.datasets.forEach((d) => { d.pointRadius = radius; });
    chart.update("none");
  }
  function renderEquity(body) {
    const grid = document.getElementById("equity-sources");
    const anyPoints = body.combined.length || body.sources.some((s) => s.points.length);
    document.getElementById("equity-empty").hidden = !!anyPoints;
    draw("combined", document.getElementById("chart-equity-combined"), body.combined);
    body.sources.forEach((s) => {
      let canvas = document.getElementById("chart-equity-" + s.source);
      if (!canvas) {
        const box = document.createElement("div");
        box.className = "equity-cell";
        box.innerHTML = `<div class="equity-cell-title">${F.esc(s.display_name)}${s.counted ? "" : ' <span class="badge">not in totals</span>'}</div>
          <div class="chart-box chart-box-sm"><canvas id="chart-equity-${F.esc(s.source)}"></canvas></div>`;
        grid.appendChild(box);
        canvas = box.querySelector("canvas");
      }
      draw(s.source, canvas, s.points);
    });
  }
  const getJson = (url) => fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
  // The equity app's hourly curves (same point layout: [ms, equity, balance, ...]) in the shape renderEquity takes.
  function fromCurves(body) {
    const fund = body.series.find((s) => s.source === null);
    return {
      combined: fund ? fund.points : [],
      sources: body.series.filter((s) => s.source !== null).map((s) => ({
        source: s.source, display_name: s.label, counted: s.is_counted_in_totals, points: s.points,
      })),
    };
  }
  function loadEquity() {
    // Hourly snapshots once the fund has some (last month); until then the last 24 h of account states.
    const origin = document.getElementById("equity-origin");
    getJson(root.dataset.curvesUrl).then((body) => {
      const fund = body.series.find((s) => s.source === null);
      if (!fund || fund.points.length < 2) return Promise.reject("no snapshots yet");
      origin.textContent = "last month, hourly snapshots";
      renderEquity(fromCurves(body));
    }).catch(() => getJson(root.dataset.equityUrl).then((body) => {
      origin.textContent = "last 24 h from account snapshots";
      renderEquity(body);
    })).catch(() => {});
  }
  loadEquity();
  setInterval(loadEquity, 60000);
})();
