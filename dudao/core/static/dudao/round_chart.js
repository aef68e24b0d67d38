// The round's summary by district as a bar chart. Data from the json_script
// element, labels (translated) from the chart element's data attributes: no
// inline script, so the Content-Security-Policy can forbid it.
(function () {
  var element = document.getElementById("summary-chart");
  var source = document.getElementById("summary-data");
  if (!element || !source || typeof echarts === "undefined") {
    return;
  }
  var rows = JSON.parse(source.textContent);
  var labels = {
    quota: element.dataset.labelQuota,
    nominated: element.dataset.labelNominated,
    approved: element.dataset.labelApproved
  };
  var chart = echarts.init(element);
  chart.setOption({
    tooltip: {trigger: "axis"},
    legend: {top: 0, data: [labels.quota, labels.nominated, labels.approved]},
    grid: {left: 40, right: 20, top: 40, bottom: 70},
    xAxis: {type: "category", data: rows.map(function (r) { return r.district; }), axisLabel: {rotate: 30}},
    yAxis: {type: "value", minInterval: 1},
    series: [
      {name: labels.quota, type: "bar", data: rows.map(function (r) { return r.quota; })},
      {name: labels.nominated, type: "bar", data: rows.map(function (r) { return r.nominated; })},
      {name: labels.approved, type: "bar", data: rows.map(function (r) { return r.approved; })}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
