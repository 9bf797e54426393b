/* Dashboards (issue 16): draw each [data-chart] element with Apache ECharts.
 *
 * The data is not in this file nor in an inline script: the page carries it in a
 * <script type="application/json" id="…"> block made by Django's json_script (data, never
 * executed, so the Content-Security-Policy's script-src 'self' holds). data-chart names that
 * block's id. The same numbers stand in the table beside each chart. Chart kinds: line (with
 * bar series mixed in), bar, funnel, sankey — see targets/charts.py.
 */
(function () {
  "use strict";

  var PALETTE = ["#1f5fa8", "#d4761c", "#7a7f87", "#2e8b57", "#b23b3b", "#6a4fa0"];

  function axisOption(spec, defaultType) {
    return {
      color: PALETTE,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: "auto", hideOverlap: true } },
      yAxis: { type: "value", minInterval: 1 },
      series: spec.series.map(function (s) {
        return {
          name: s.name,
          type: s.type || defaultType,
          data: s.data,
          connectNulls: false,
          lineStyle: s.dashed ? { type: "dashed" } : undefined,
          symbol: s.dashed ? "none" : "circle"
        };
      })
    };
  }

  function option(spec) {
    if (spec.kind === "line") return axisOption(spec, "line");
    if (spec.kind === "bar") return axisOption(spec, "bar");
    if (spec.kind === "funnel") {
      return {
        color: PALETTE,
        tooltip: { trigger: "item" },
        series: [{
          name: spec.title, type: "funnel", sort: "none", gap: 2, minSize: "8%",
          left: 8, right: 8, top: 8, bottom: 8,
          label: { show: true, position: "inside", formatter: "{b} {c}" },
          data: spec.data
        }]
      };
    }
    if (spec.kind === "sankey") {
      return {
        color: PALETTE,
        tooltip: { trigger: "item" },
        series: [{
          type: "sankey", left: 8, right: 96, top: 8, bottom: 8, nodeGap: 8,
          emphasis: { focus: "adjacency" },
          label: { position: "right", color: "#1d2733" },
          lineStyle: { color: "source", opacity: 0.35 },
          data: spec.nodes, links: spec.links
        }]
      };
    }
    return null;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || !window.echarts) return;
    var spec = JSON.parse(source.textContent);
    var chartOption = option(spec);
    if (!chartOption) return;
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(chartOption);
    element.setAttribute("data-chart-ready", "true");
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  });
})();
