/* The what-if page's charts (Chart.js, served from the installed npm files): for each plan the on-time /
 * early / late shares per step, the dossiers finished, the weekly queues per group and the staff's
 * utilisation; across plans the throughput time (median, 90th percentile). The figures come from the page
 * (#sim-data, the same as its tables); nothing is computed here. The diagrams are dashboard_map.js's. */
(function () {
  'use strict';
  const GREEN = '#2f855a', TEAL = '#38a169', RED = '#c53030', BLUE = '#2b6cb0', GREY = '#a0aec0';
  const LINES = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b7791f', '#c53030', '#319795', '#4a5568',
    '#d53f8c', '#718096'];
  const data = JSON.parse(document.getElementById('sim-data').textContent);
  const t = data.texts;
  const base = { responsive: true, maintainAspectRatio: false, animation: false,
    plugins: { legend: { position: 'bottom' } } };

  function chart(id, config) {
    const canvas = document.getElementById(id);
    if (!canvas || !window.Chart) return;
    canvas.chart = new window.Chart(canvas, config);
    canvas.dataset.drawn = 'true';
  }

  chart('chart-throughput', {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: [
        { label: t.p50, data: data.sides.map((s) => s.throughput[0]), backgroundColor: BLUE },
        { label: t.p90, data: data.sides.map((s) => s.throughput[1]), backgroundColor: GREY },
      ],
    },
    options: { ...base, scales: { y: { beginAtZero: true, title: { display: true, text: t.days } } } },
  });

  data.sides.forEach((side, i) => {
    const name = ['a', 'b'][i];
    chart(`chart-steps-${name}`, {
      type: 'bar',
      data: {
        labels: side.steps.labels,
        datasets: [
          { label: t.early, data: side.steps.early, backgroundColor: GREEN },
          { label: t.on_time, data: side.steps.on_time, backgroundColor: TEAL },
          { label: t.late, data: side.steps.late, backgroundColor: RED },
        ],
      },
      options: { ...base, indexAxis: 'y',
        scales: { x: { stacked: true, min: 0, max: 100, title: { display: true, text: t.share } }, y: { stacked: true } } },
    });
    chart(`chart-dossiers-${name}`, {
      type: 'doughnut',
      data: {
        labels: [t.early, t.on_time, t.late],
        datasets: [{ data: [side.dossiers.early, side.dossiers.on_time, side.dossiers.late],
          backgroundColor: [GREEN, TEAL, RED] }],
      },
      options: base,
    });
    chart(`chart-queues-${name}`, {
      type: 'line',
      data: {
        labels: side.queues.labels,
        datasets: side.queues.series.map((s, j) => ({ label: s.label, data: s.data,
          borderColor: LINES[j % LINES.length], backgroundColor: LINES[j % LINES.length], pointRadius: 2 })),
      },
      options: { ...base, scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t.waiting } } } },
    });
    chart(`chart-utilisation-${name}`, {
      type: 'bar',
      data: { labels: side.utilisation.labels, datasets: [{ label: t.busy, data: side.utilisation.data, backgroundColor: BLUE }] },
      options: { ...base, indexAxis: 'y', scales: { x: { beginAtZero: true, suggestedMax: 100 } } },
    });
  });
  document.getElementById('sim-results').dataset.ready = 'true';
})();
