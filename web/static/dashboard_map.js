/* The process map: bpmn-js's viewer shows the deployed diagram; each step the server counted gets a box with
 * its numbers (waiting, overdue, late share) linked to the dossiers behind them, and a colour by severity.
 * The numbers come from the page (the same rows as the table under the diagram); nothing is computed here. */
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('map-data').textContent);
  const viewer = new BpmnJS({ container: '#map-canvas' });

  function link(href, label) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = label;
    return a;
  }

  function box(heat) {
    const div = document.createElement('div');
    div.className = `heat ${heat.severity}`;
    div.dataset.element = heat.element_id;
    div.append(link(heat.links.waiting, `${data.texts.waiting} ${heat.waiting}`));
    if (heat.overdue) {
      div.append(' · ', link(heat.links.overdue, `${data.texts.overdue} ${heat.overdue}`));
    }
    if (heat.finished) {
      div.append(document.createElement('br'), link(heat.links.late, `${data.texts.late} ${heat.late_text}`));
      div.append(` · ${heat.median_text} / ${heat.p90_text} ${data.texts.hours}`);
    }
    return div;
  }

  viewer.importXML(data.xml).then(() => {
    const canvas = viewer.get('canvas');
    const registry = viewer.get('elementRegistry');
    const overlays = viewer.get('overlays');
    canvas.zoom('fit-viewport');
    Object.values(data.overlays).forEach((heat) => {
      if (!registry.get(heat.element_id)) return;
      canvas.addMarker(heat.element_id, `heat-${heat.severity}`);
      overlays.add(heat.element_id, { position: { bottom: -6, left: 0 }, scale: { min: 1 }, html: box(heat) });
    });
    document.getElementById('map-canvas').dataset.ready = 'true';
  }).catch(() => {
    // a diagram written without a layout (no BPMNDiagram) cannot be drawn: the table below still has it all
    const canvas = document.getElementById('map-canvas');
    canvas.textContent = data.texts.no_layout;
    canvas.classList.add('map-empty');
    canvas.dataset.ready = 'true';
  });
})();
