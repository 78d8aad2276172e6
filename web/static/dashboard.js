/* The supervisor dashboard: the on-time chart (Chart.js, served from the installed npm files) and the
   filter form, where dossiers cannot be grouped by step or person. No framework, no build step. */
(function () {
  "use strict";

  var GREEN = "#2f855a", RED = "#c53030", BLUE = "#2b6cb0";

  function drawChart() {
    var source = document.getElementById("chart-data");
    var canvas = document.getElementById("rate-chart");
    if (!source || !canvas || !window.Chart) { return; }
    var d = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      data: {
        labels: d.labels,
        datasets: [
          { type: "bar", label: d.texts.ok, data: d.ok, backgroundColor: GREEN, stack: "work", order: 2 },
          { type: "bar", label: d.texts.late, data: d.late, backgroundColor: RED, stack: "work", order: 2 },
          { type: "line", label: d.texts.rate, data: d.rate, yAxisID: "rate", borderColor: BLUE,
            backgroundColor: BLUE, pointRadius: 5, pointBorderColor: "#fff", pointBorderWidth: 2,
            spanGaps: true, tension: 0.2, order: 1 }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          rate: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false },
                  ticks: { callback: function (value) { return value + " %"; } } }
        },
        plugins: {
          legend: {
            position: "bottom",
            labels: { sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } }
          }
        }
      }
    });
  }

  function linkLevelAndGrouping() {
    var level = document.getElementById("dash-level");
    var group = document.getElementById("dash-group");
    if (!level || !group) { return; }
    function sync() {
      var dossiers = level.value === "dossier";
      Array.prototype.forEach.call(group.options, function (option) {
        if (option.dataset.stepsOnly === "1") { option.disabled = dossiers; }
      });
      if (group.options[group.selectedIndex].disabled) { group.value = "none"; }
    }
    level.addEventListener("change", sync);
    sync();
  }

  drawChart();
  linkLevelAndGrouping();
})();
