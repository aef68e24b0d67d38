// The 工作台's charts. Each chart element names its data (data-chart) in the
// json_script element "workbench-charts": {key: {kind, categories, series}}.
// No inline script, so the Content-Security-Policy can forbid it.
(function () {
  var source = document.getElementById("workbench-charts");
  if (!source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var spec = data[element.dataset.chart];
    if (!spec) {
      return;
    }
    var option;
    if (spec.kind === "pie") {
      var serie = spec.series[0] || {name: "", data: []};
      option = {
        tooltip: {trigger: "item"},
        legend: {bottom: 0},
        series: [{
          name: serie.name,
          type: "pie",
          radius: ["35%", "65%"],
          data: spec.categories.map(function (c, i) { return {name: c, value: serie.data[i]}; })
        }]
      };
    } else {
      option = {
        tooltip: {trigger: "axis"},
        legend: {top: 0, data: spec.series.map(function (s) { return s.name; })},
        grid: {left: 50, right: 10, top: 40, bottom: 60},
        xAxis: {type: "category", data: spec.categories, axisLabel: {rotate: 30}},
        yAxis: {type: "value"},
        series: spec.series.map(function (s) { return {name: s.name, type: "bar", data: s.data}; })
      };
    }
    var chart = echarts.init(element);
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
