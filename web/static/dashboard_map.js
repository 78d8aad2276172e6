/* The process map: bpmn-js's viewer shows a diagram; each step the server counted gets a box with its numbers
 * (waiting, overdue, late share, working time) and a colour by severity. On the live map each number links to
 * the dossiers behind it; a simulation's map has no links (its dossiers were on a scratch database).
 * Every <script class="map-data" data-canvas="ID"> on the page is drawn into the element with that id.
 * The numbers come from the page (the same rows as its tables); nothing is computed here. */
(function () {
  'use strict';

  function link(href, label) {
    const a = document.createElement(href ? 'a' : 'span');
    if (href) a.href = href;
    a.textContent = label;
    return a;
  }

  function box(heat, texts) {
    const to = heat.links || {};
    const div = document.createElement('div');
    div.className = `heat ${heat.severity}`;
    div.dataset.element = heat.element_id;
    div.append(link(to.waiting, `${texts.waiting} ${heat.waiting}`));
    if (heat.overdue) {
      div.append(' · ', link(to.overdue, `${texts.overdue} ${heat.overdue}`));
    }
    if (heat.finished) {
      div.append(document.createElement('br'), link(to.late, `${texts.late} ${heat.late_text}`));
      div.append(` · ${heat.median_text} / ${heat.p90_text} ${texts.hours}`);
    }
    return div;
  }

  function draw(source) {
    const data = JSON.parse(source.textContent);
    const container = document.getElementById(source.dataset.canvas);
    const viewer = new BpmnJS({ container });
    viewer.importXML(data.xml).then(() => {
      const canvas = viewer.get('canvas');
      const registry = viewer.get('elementRegistry');
      const overlays = viewer.get('overlays');
      canvas.zoom('fit-viewport');
      Object.values(data.overlays).forEach((heat) => {
        if (!registry.get(heat.element_id)) return;
        canvas.addMarker(heat.element_id, `heat-${heat.severity}`);
        overlays.add(heat.element_id, {
          position: { bottom: -6, left: 0 }, scale: { min: 1 }, html: box(heat, data.texts),
        });
      });
      container.dataset.ready = 'true';
    }).catch(() => {
      // a diagram written without a layout (no BPMNDiagram) cannot be drawn: the table below still has it all
      container.textContent = data.texts.no_layout;
      container.classList.add('map-empty');
      container.dataset.ready = 'true';
    });
  }

  document.querySelectorAll('script.map-data').forEach(draw);
})();
