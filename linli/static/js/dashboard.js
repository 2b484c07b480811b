// Dashboard charts (ECharts, served from /static/vendor: no CDN). Data comes from the page's
// <script id="chart-data" type="application/json">; every chart is also a table on the page.
(function () {
  "use strict";
  function ready(fn) { if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn); }
  ready(function () {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var charts = [];
    function make(id, option) {
      var el = document.getElementById(id);
      if (!el) return;
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      charts.push(chart);
    }
    var grid = { left: 40, right: 12, top: 30, bottom: 30, containLabel: true };
    make("trend-chart", {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: grid,
      xAxis: { type: "category", data: data.weeks }, yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.total, type: "bar", data: data.total },
        { name: data.labels.done, type: "line", data: data.done }
      ]
    });
    make("heat-chart", {
      tooltip: {},
      series: [{ name: data.labels.heat, type: "treemap", data: data.heat, roam: false, breadcrumb: { show: false },
                 label: { show: true }, upperLabel: { show: true, height: 20 }, leafDepth: 2 }]
    });
    make("compare-chart", {
      tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: grid,
      xAxis: { type: "category", data: data.names, axisLabel: { rotate: 30, interval: 0 } }, yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: data.labels.total, type: "bar", data: data.total },
        { name: data.labels.overdue, type: "bar", data: data.overdue }
      ]
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
