// Draws every <canvas data-chart="id"> from the specs in #assay-data with Chart.js.
// Python decides what is plotted and in which colour; this file only maps specs onto Chart.js.
// Nothing is caught: a bad spec throws, shows in the console, and chartsDrawn is never set.
(() => {
  "use strict";

  const data = JSON.parse(document.getElementById("assay-data").textContent);
  const root = getComputedStyle(document.documentElement);
  const token = (name) => root.getPropertyValue(name).trim();

  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = token("--muted");
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  const valueFormats = {
    ratio: (v) => `${(v * 100).toFixed(1)}%`,
    count: (v) => v.toLocaleString("en-US"),
    days: (v) => `${v.toFixed(1)} d`,
  };
  const tickFormats = {
    ratio: (v) => `${Math.round(v * 100)}%`,
    count: (v) => (Number.isInteger(v) ? v.toLocaleString("en-US") : ""),
    days: (v) => `${v} d`,
  };

  function dataset(spec, d) {
    const line = spec.type === "line";
    return {
      label: d.label,
      data: d.data,
      detail: d.detail,
      stack: d.stack,
      borderColor: d.colour,
      backgroundColor: d.colour,
      borderWidth: line ? 2 : 0,
      pointRadius: line ? 3 : 0,
      pointHoverRadius: 5,
      spanGaps: true,
      maxBarThickness: 26,
      borderRadius: line ? 0 : 2,
    };
  }

  function config(spec) {
    const format = valueFormats[spec.unit];
    if (!format) throw new Error(`chart unit ${spec.unit} has no format`);
    const horizontal = Boolean(spec.horizontal);
    const valueAxis = horizontal ? "x" : "y";
    const categoryAxis = horizontal ? "y" : "x";
    const stacked = Boolean(spec.stacked);
    return {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets.map((d) => dataset(spec, d)) },
      options: {
        indexAxis: horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        scales: {
          [valueAxis]: {
            beginAtZero: spec.type === "bar" || spec.unit !== "ratio",
            max: spec.unit === "ratio" ? 1 : undefined,
            stacked,
            grid: { color: token("--rule") },
            border: { display: false },
            ticks: { callback: tickFormats[spec.unit], maxTicksLimit: 6 },
          },
          [categoryAxis]: { stacked, grid: { display: false }, border: { color: token("--rule") } },
        },
        plugins: {
          legend: {
            display: spec.datasets.length > 1,
            position: "bottom",
            labels: { boxWidth: 10, boxHeight: 10, padding: 14 },
          },
          tooltip: {
            callbacks: {
              label: (ctx) => `${ctx.dataset.label}: ${ctx.raw === null ? "no value" : format(ctx.raw)}`,
              afterLabel: (ctx) => ctx.dataset.detail[ctx.dataIndex] || "",
            },
          },
        },
      },
    };
  }

  const charts = [];
  for (const canvas of document.querySelectorAll("canvas[data-chart]")) {
    const spec = data.charts[canvas.dataset.chart];
    if (!spec) throw new Error(`no data for chart ${canvas.dataset.chart}`);
    charts.push(new Chart(canvas, config(spec)));
  }
  document.body.dataset.chartsDrawn = String(charts.length);

  // Printing: open every collapsed sample and redraw charts at the paper's width.
  window.addEventListener("beforeprint", () => {
    for (const details of document.querySelectorAll("details")) details.open = true;
    for (const chart of charts) chart.resize();
  });
  window.addEventListener("afterprint", () => {
    for (const chart of charts) chart.resize();
  });
})();
