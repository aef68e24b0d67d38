// Cost per confirmed supervision hour per district as a bar chart. Data from
// the json_script element, the translated label from the chart element's data
// attribute: no inline script (Content-Security-Policy).
(function () {
  var element = document.getElementById("subsidy-chart");
  var source = document.getElementById("subsidy-data");
  if (!element || !source || typeof echarts === "undefined") {
    return;
  }
  var rows = JSON.parse(source.textContent);
  var label = element.dataset.labelPerHour;
  var chart = echarts.init(element);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {top: 0, data: [label]},
    grid: {left: 50, right: 20, top: 40, bottom: 70},
    xAxis: {type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: {rotate: 30}},
    yAxis: {type: "value"},
    series: [{name: label, type: "bar", data: rows.map(function (r) { return parseFloat(r.per_hour) || 0; })}]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
