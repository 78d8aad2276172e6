/* awardflow: two versions of a process side by side, their differences (bpmn-js-differ) marked on both
 * diagrams and listed: added (on the newer), removed (on the older), changed (on both, with the changed
 * attributes), moved or resized (layout). The page gives both BPMN files and the texts in #diff-data. */
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('diff-data').textContent);
  const T = data.texts;
  const { createViewer, diff } = window.AwardflowEditor;

  async function open(container, xml) {
    const viewer = createViewer({ container });
    await viewer.importXML(xml);
    viewer.get('canvas').zoom('fit-viewport', 'auto');
    return viewer;
  }

  function mark(viewer, id, kind) {
    if (viewer.get('elementRegistry').get(id)) viewer.get('canvas').addMarker(id, `diff-${kind}`);
  }

  /** An attribute's value in one version, read from that version's own model (short for nested elements). */
  function shown(viewer, id, name) {
    const element = viewer.get('elementRegistry').get(id);
    const value = element && element.businessObject[name];
    if (value === undefined || value === null) return '—';
    return typeof value === 'object' ? `(${value.$type || '…'})` : JSON.stringify(value);
  }

  function row(kind, model, what) {
    const tr = document.createElement('tr');
    tr.className = kind;
    tr.dataset.element = model.id;
    for (const text of ['', model.name ? `${model.name} (${model.id})` : model.id, T[kind], what || '']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    return tr;
  }

  async function start() {
    const [older, newer] = await Promise.all([open('#old-canvas', data.old_xml), open('#new-canvas', data.new_xml)]);
    const changes = diff(older.getDefinitions(), newer.getDefinitions());
    const body = document.querySelector('#diff-table tbody');
    const rows = [];
    for (const [id, model] of Object.entries(changes._added)) {
      mark(newer, id, 'added');
      rows.push(row('added', model));
    }
    for (const [id, model] of Object.entries(changes._removed)) {
      mark(older, id, 'removed');
      rows.push(row('removed', model));
    }
    for (const [id, change] of Object.entries(changes._changed)) {
      mark(older, id, 'changed');
      mark(newer, id, 'changed');
      const what = Object.keys(change.attrs)
        .map((name) => `${name}: ${shown(older, id, name)} → ${shown(newer, id, name)}`)
        .join('; ');
      rows.push(row('changed', change.model, what));
    }
    for (const [id, model] of Object.entries(changes._layoutChanged)) {
      mark(newer, id, 'layout');
      rows.push(row('layout', model));
    }
    body.append(...rows);
    document.getElementById('diff-none').hidden = rows.length > 0;
    document.body.dataset.diffReady = 'true';
  }

  start().catch((err) => {
    document.getElementById('diff-none').hidden = false;
    document.getElementById('diff-none').textContent = err.message;
  });
})();
