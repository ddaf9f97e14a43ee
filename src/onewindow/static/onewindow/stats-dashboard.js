/* The statistics dashboard's two ECharts charts; data and labels come from json_script blocks
   (no inline script, so the Content-Security-Policy can forbid it). */
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  var read = function (id) { return JSON.parse(document.getElementById(id).textContent); };
  var days = read("stats-days"), depts = read("stats-depts"), t = read("stats-labels");
  echarts.init(document.getElementById("chart-daily")).setOption({
    title: {text: t.daily}, tooltip: {trigger: "axis"},
    legend: {top: 24, data: [t.received, t.concluded]},
    xAxis: {type: "category", data: days.map(function (d) { return d.date; })}, yAxis: {type: "value"},
    series: [{name: t.received, type: "line", data: days.map(function (d) { return d.received; })},
             {name: t.concluded, type: "line", data: days.map(function (d) { return d.concluded; })}]
  });
  echarts.init(document.getElementById("chart-dept")).setOption({
    title: {text: t.departments}, tooltip: {trigger: "axis"},
    legend: {top: 24, data: [t.received, t.concluded]}, grid: {left: 160},
    yAxis: {type: "category", data: depts.map(function (d) { return d.department; }).reverse()}, xAxis: {type: "value"},
    series: [{name: t.received, type: "bar", data: depts.map(function (d) { return d.received; }).reverse()},
             {name: t.concluded, type: "bar", data: depts.map(function (d) { return d.concluded; }).reverse()}]
  });
});
