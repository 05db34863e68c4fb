/* Equity tab: draws the curves of /api/equity/curves and the drawdown of /api/equity/analytics with Chart.js,
   and switches range or curve without reloading (answers are kept per range, metric cards come from htmx). */
(function () {
  "use strict";

  const initial = JSON.parse(document.getElementById("equity-initial").textContent);
  const config = JSON.parse(document.getElementById("equity-config").textContent);
  const css = getComputedStyle(document.documentElement);
  const theme = (name) => css.getPropertyValue(name).trim();
  const PALETTE = [theme("--accent"), theme("--green"), theme("--amber"), "#a371f7", "#39c5cf", "#ff7b72", "#e3b341", "#7ee787"];
  const HOUR = 3600 * 1000;
  const state = { range: initial.range, source: "fund", request: 0 };
  const curvesByRange = new Map([[initial.range, initial.curves]]);
  const analyticsByKey = new Map([[`${initial.range}|fund`, initial.analytics]]);

  const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const moneyShort = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
  const stamp = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  const tickFormats = {
    hours: new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hour: "2-digit", minute: "2-digit" }),
    days: new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", month: "short", day: "numeric" }),
    months: new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", month: "short", year: "numeric" }),
  };
  let tickFormat = tickFormats.months;

  const percent = (value) => (value === null || value === undefined ? "—" : `${(value * 100).toFixed(2)} %`);

  Chart.defaults.color = theme("--muted");
  Chart.defaults.borderColor = "rgba(38, 50, 66, .7)";
  Chart.defaults.font.family = theme("--font");

  function column(series, name) {
    const index = series.columns.indexOf(name);
    return series.points.map((point) => ({ x: point[0], y: point[index] === null ? null : Number(point[index]) }));
  }

  function spanOf(seriesList) {
    let low = Infinity, high = -Infinity;
    for (const series of seriesList) {
      if (!series.points.length) continue;
      low = Math.min(low, series.points[0][0]);
      high = Math.max(high, series.points[series.points.length - 1][0]);
    }
    return high - low;
  }

  function chooseTicks(seriesList) {
    const span = spanOf(seriesList);
    tickFormat = span <= 2 * 24 * HOUR ? tickFormats.hours : span <= 120 * 24 * HOUR ? tickFormats.days : tickFormats.months;
  }

  // Ticks on whole UTC hours, days or month starts (multiples of an hour or a day from the epoch fall on them).
  const STEPS = [1, 2, 3, 6, 12, 24, 48, 72, 168, 336].map((hours) => hours * HOUR);
  const MAX_TICKS = 8;

  function timeTicks(min, max) {
    const span = max - min;
    if (span <= 0) return [min];
    if (span <= 120 * 24 * HOUR) {
      const step = STEPS.find((candidate) => span / candidate <= MAX_TICKS) || STEPS[STEPS.length - 1];
      const ticks = [];
      for (let value = Math.ceil(min / step) * step; value <= max; value += step) ticks.push(value);
      return ticks;
    }
    const every = [1, 2, 3, 6, 12].find((months) => span / (months * 30.44 * 24 * HOUR) <= MAX_TICKS) || 12;
    const start = new Date(min);
    let year = start.getUTCFullYear(), month = start.getUTCMonth() + 1; // the first month start after min
    const ticks = [];
    for (;;) {
      if (month > 11) { month -= 12; year += 1; }
      const value = Date.UTC(year, month, 1);
      if (value > max) return ticks;
      if (month % every === 0) ticks.push(value);
      month += 1;
    }
  }

  function fitX(chart) {
    // The axis ends where the data does, not at the next round number (which may lie in the future).
    const xs = chart.data.datasets.flatMap((dataset) => (dataset.data.length ? [dataset.data[0].x, dataset.data[dataset.data.length - 1].x] : []));
    chart.options.scales.x.min = xs.length ? Math.min(...xs) : undefined;
    chart.options.scales.x.max = xs.length ? Math.max(...xs) : undefined;
  }

  function options(formatY, { legend = false } = {}) {
    return {
      responsive: true, maintainAspectRatio: false, animation: false, parsing: false, normalized: true, spanGaps: false,
      interaction: { mode: "nearest", axis: "x", intersect: false },
      elements: { point: { radius: 0, hoverRadius: 3 }, line: { borderWidth: 1.6, tension: 0 } },
      scales: {
        x: { type: "linear", grid: { color: "rgba(38, 50, 66, .45)" },
             afterBuildTicks: (axis) => { axis.ticks = timeTicks(axis.min, axis.max).map((value) => ({ value })); },
             ticks: { maxRotation: 0, autoSkip: false, callback: (value) => tickFormat.format(value) } },
        y: { grid: { color: "rgba(38, 50, 66, .45)" }, ticks: { callback: formatY } },
      },
      plugins: {
        legend: { display: legend, labels: { boxWidth: 18, boxHeight: 2, usePointStyle: false } },
        tooltip: {
          callbacks: {
            title: (items) => (items.length ? `${stamp.format(items[0].parsed.x)} UTC` : ""),
            label: (item) => `${item.dataset.label}: ${formatY === percent ? percent(item.parsed.y) : money.format(item.parsed.y)}`,
          },
        },
      },
    };
  }

  const charts = {
    fund: new Chart(document.getElementById("chart-fund"), { type: "line", data: { datasets: [] }, options: options((v) => moneyShort.format(v)) }),
    sources: new Chart(document.getElementById("chart-sources"), { type: "line", data: { datasets: [] }, options: options((v) => moneyShort.format(v), { legend: true }) }),
    drawdown: new Chart(document.getElementById("chart-drawdown"), { type: "line", data: { datasets: [] }, options: options(percent) }),
  };

  function note(id, text) {
    const element = document.getElementById(id);
    element.textContent = text || "";
    element.hidden = !text;
  }

  function drawCurves(curves) {
    const fund = curves.series.find((series) => series.key === "fund");
    const sources = curves.series.filter((series) => series.key !== "fund");
    chooseTicks(curves.series);
    const datasets = [];
    if (fund) {
      const realized = column(fund, "realized_equity");
      const knowsRealized = realized.some((point) => point.y !== null);
      if (knowsRealized) {
        datasets.push({ label: "Realized", data: realized, borderColor: theme("--accent"), backgroundColor: theme("--accent"), order: 2 });
      }
      datasets.push({ label: knowsRealized ? "With unrealized" : "Equity", data: column(fund, "equity"),
                      borderColor: knowsRealized ? "#9ecbff" : theme("--accent"), backgroundColor: "#9ecbff",
                      borderDash: knowsRealized ? [6, 4] : [], borderWidth: knowsRealized ? 1.3 : 1.6, order: 1 });
    }
    document.getElementById("fund-legend").hidden = Boolean(fund) && !datasets.some((dataset) => dataset.label === "Realized");
    charts.fund.data.datasets = datasets;
    fitX(charts.fund);
    charts.fund.update("none");
    note("chart-fund-note", fund ? "" : "No fund snapshot in this range.");

    charts.sources.data.datasets = sources.map((series, i) => ({
      label: series.is_counted_in_totals ? series.label : `${series.label} (not in totals)`,
      data: column(series, "equity"), borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length],
      borderDash: series.is_counted_in_totals ? [] : [3, 3],
    }));
    fitX(charts.sources);
    charts.sources.update("none");
    note("chart-sources-note", sources.length ? "" : "No source snapshot in this range.");
  }

  function drawDrawdown(analytics) {
    const points = analytics.drawdown ? analytics.drawdown.points.map((p) => ({ x: p[0], y: Number(p[1]) })) : [];
    charts.drawdown.data.datasets = [{
      label: "Drawdown", data: points, borderColor: theme("--red"), backgroundColor: "rgba(248, 81, 73, .18)", fill: "origin",
    }];
    fitX(charts.drawdown);
    charts.drawdown.update("none");
    note("chart-drawdown-note", points.length ? "" : "Not enough snapshots in this range.");
    document.getElementById("drawdown-label").textContent = `below the running peak · ${analytics.label}`;
  }

  async function getJson(url, params) {
    const response = await fetch(`${url}?${new URLSearchParams(params)}`, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response.json();
  }

  async function curvesFor(range) {
    if (!curvesByRange.has(range)) curvesByRange.set(range, await getJson(config.curvesUrl, { range, max_points: config.maxPoints }));
    return curvesByRange.get(range);
  }

  async function analyticsFor(range, source) {
    const key = `${range}|${source}`;
    if (!analyticsByKey.has(key)) analyticsByKey.set(key, await getJson(config.analyticsUrl, { range, source, max_points: config.maxPoints }));
    return analyticsByKey.get(key);
  }

  function swapMetrics() {
    const select = document.getElementById("equity-metrics-source");
    htmx.ajax("GET", `${select.dataset.metricsUrl}?${new URLSearchParams({ range: state.range, source: state.source })}`,
              { target: "#equity-metrics", swap: "outerHTML" });
  }

  async function show() {
    const request = ++state.request;
    document.getElementById("equity-range-label").textContent = `over ${state.range}`;
    swapMetrics();
    try {
      const [curves, analytics] = await Promise.all([curvesFor(state.range), analyticsFor(state.range, state.source)]);
      if (request !== state.request) return; // a later click won
      drawCurves(curves);
      drawDrawdown(analytics);
    } catch (error) {
      note("chart-fund-note", `Could not load the curves: ${error.message}`);
    }
  }

  document.querySelectorAll("#equity-ranges button").forEach((button) => {
    button.addEventListener("click", () => {
      document.querySelectorAll("#equity-ranges button").forEach((other) => {
        other.classList.toggle("active", other === button);
        other.setAttribute("aria-pressed", String(other === button));
      });
      state.range = button.dataset.range;
      show();
    });
  });

  document.getElementById("equity-metrics-source").addEventListener("change", (event) => {
    state.source = event.target.value;
    const label = event.target.selectedOptions[0].textContent;
    document.getElementById("heatmap-label").textContent = `all history · ${label}`;
    htmx.ajax("GET", `${event.target.dataset.heatmapUrl}?${new URLSearchParams({ source: state.source })}`,
              { target: "#equity-heatmap", swap: "outerHTML" });
    show();
  });

  drawCurves(initial.curves);
  drawDrawdown(initial.analytics);
})();
