// Supervision need, supply and shortfall per district as a bar chart. Data
// from the json_script element, translated labels from the chart element's
// data attributes: no inline script (Content-Security-Policy).
(function () {
  var element = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-data");
  if (!element || !source || typeof echarts === "undefined") {
    return;
  }
  var rows = JSON.parse(source.textContent);
  var labels = {
    need: element.dataset.labelNeed,
    supply: element.dataset.labelSupply,
    shortfall: element.dataset.labelShortfall
  };
  function numbers(key) {
    return rows.map(function (r) { return parseFloat(r[key]) || 0; });
  }
  var chart = echarts.init(element);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {top: 0, data: [labels.need, labels.supply, labels.shortfall]},
    grid: {left: 50, right: 20, top: 40, bottom: 70},
    xAxis: {type: "category", data: rows.map(function (r) { return r.district; }), axisLabel: {rotate: 30}},
    yAxis: {type: "value"},
    series: [
      {name: labels.need, type: "bar", data: numbers("need")},
      {name: labels.supply, type: "bar", data: numbers("supply")},
      {name: labels.shortfall, type: "bar", data: numbers("shortfall")}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
