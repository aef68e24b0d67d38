// Published grades per district as a stacked bar chart. Data from the
// json_script element (labels translated by the server): no inline script
// (Content-Security-Policy).
(function () {
  var element = document.getElementById("grades-chart");
  var source = document.getElementById("grades-data");
  if (!element || !source || typeof echarts === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(element);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {top: 0, data: data.labels},
    grid: {left: 50, right: 20, top: 40, bottom: 70},
    xAxis: {type: "category", data: data.rows.map(function (r) { return r.name; }), axisLabel: {rotate: 30}},
    yAxis: {type: "value", minInterval: 1},
    series: data.labels.map(function (label, i) {
      return {name: label, type: "bar", stack: "grades", data: data.rows.map(function (r) { return r.counts[i]; })};
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
