/* awardflow process designer: the bpmn-js Modeler with its properties panel (bundled from npm by
 * web/frontend/build.mjs as window.AwardflowEditor; our provider edits the engine's extensions).
 *
 * The page gives everything as JSON in #designer-data (the BPMN, the API URLs, the CSRF token, the pick lists
 * and the texts in the page's language). This file wires the page: validate and deploy send the exported XML
 * as a file named like the deployed resource, and every change is checked against the server's validation
 * after a short pause (our lint rules, the same as at deploy), its problems marked on the canvas as you draw.
 */
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('designer-data').textContent);
  const T = data.texts;
  /** Milliseconds of quiet after a change before the diagram is checked again. */
  const LIVE_CHECK_MS = 700;

  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (all, k) => (k in values ? String(values[k]) : all));
  let modeler = null;
  let marked = [];
  let unsaved = false;
  let liveTimer = null;
  let liveRun = 0;

  // -- small helpers -------------------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === 'text') node.textContent = value;
      else node.setAttribute(key, value === true ? '' : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  function status(text, kind) {
    const box = $('status');
    box.textContent = text;
    box.className = kind || '';
  }

  // -- validate and deploy ----------------------------------------------------------------------------------

  async function bundle() {
    const { xml } = await modeler.saveXML({ format: true });
    const form = new FormData();
    form.append('files', new Blob([xml], { type: 'application/xml' }), data.resource);
    for (const file of $('attach').files) form.append('files', file, file.name);
    return form;
  }

  async function send(url) {
    const form = await bundle();
    // the version this change was made from: a deployment since by someone else is refused (409), not overwritten
    form.append('based_on', `${data.key}=${data.latest ?? ''}`);
    const response = await fetch(url, {
      method: 'POST',
      body: form,
      headers: { 'X-CSRF-Token': data.csrf, Accept: 'application/json' },
      credentials: 'same-origin',
    });
    let body = {};
    try {
      body = await response.json();
    } catch (err) {
      body = { message: response.statusText };
    }
    return { status: response.status, body };
  }

  function findElement(id) {
    if (!id) return null;
    const registry = modeler.get('elementRegistry');
    return (
      registry.get(id) ||
      registry.find((e) => {
        const bo = e.businessObject;
        return e.type !== 'label' && bo && (bo.id === id || (bo.processRef && bo.processRef.id === id));
      }) ||
      null
    );
  }

  function reveal(element) {
    modeler.get('canvas').scrollToElement(element);
    modeler.get('selection').select(element);
  }

  function showProblems(problems) {
    const canvas = modeler.get('canvas');
    for (const id of marked) canvas.removeMarker(id, 'af-problem');
    marked = [];
    const list = $('problem-list');
    list.textContent = '';
    $('problems').hidden = !problems.length;
    for (const problem of problems) {
      const target = findElement(problem.element_id);
      const where = [problem.file, problem.line ? `${T.line} ${problem.line}` : null].filter(Boolean).join(', ');
      const item = el(
        'li',
        { class: `problem ${problem.severity}${target ? ' linked' : ''}`, 'data-element': problem.element_id || '' },
        el('span', { class: `badge ${problem.severity === 'error' ? 'err' : 'warn'}`, text: T[problem.severity] }),
        ' ',
        problem.element_id ? el('code', { text: (problem.params && problem.params.name) || problem.element_id }) : null,
        problem.element_id && !target ? el('span', { class: 'muted', text: ` (${T.not_on_canvas})` }) : null,
        ' ',
        el('span', { class: 'problem-text', text: problem.text || problem.message }),
        el('span', { class: 'muted', text: where ? ` — ${where}` : '' }),
        problem.detail ? el('details', { class: 'muted' }, el('summary', { text: T.detail }), el('code', { text: problem.detail })) : null,
      );
      if (target) {
        item.tabIndex = 0;
        item.addEventListener('click', () => reveal(target));
        item.addEventListener('keydown', (e) => e.key === 'Enter' && reveal(target));
        if (target.type !== 'bpmn:Process' && target !== canvas.getRootElement()) {
          canvas.addMarker(target.id, 'af-problem');
          marked.push(target.id);
        }
      }
      list.append(item);
    }
  }

  /** The server's verdict on the diagram as it is now, marked on the canvas; older answers are dropped. */
  async function liveCheck() {
    const run = ++liveRun;
    try {
      const { status: code, body } = await send(data.validate_url);
      if (run !== liveRun || code !== 200) return;
      const problems = body.problems || [];
      showProblems(problems);
      $('live').textContent = problems.length ? fmt(T.live_problems, { n: problems.length }) : '';
    } catch (err) {
      /* the next change checks again; the Validate button reports errors */
    }
  }

  function scheduleLiveCheck() {
    clearTimeout(liveTimer);
    liveTimer = setTimeout(liveCheck, LIVE_CHECK_MS);
  }

  async function validate() {
    status(T.checking);
    try {
      const { status: code, body } = await send(data.validate_url);
      if (code !== 200) return failed(body);
      const problems = body.problems || [];
      showProblems(problems);
      const errors = problems.filter((p) => p.severity === 'error').length;
      if (!body.valid) status(fmt(T.invalid, { n: errors }), 'bad');
      else status(problems.length ? fmt(T.valid_warnings, { n: problems.length }) : T.valid, 'ok');
    } catch (err) {
      failed({ message: err.message });
    }
  }

  async function deploy() {
    status(T.deploying);
    try {
      const { status: code, body } = await send(data.deploy_url);
      if (code === 422 && body.problems) {
        showProblems(body.problems);
        const errors = body.problems.filter((p) => p.severity === 'error').length;
        return status(fmt(T.invalid, { n: errors }), 'bad');
      }
      if (code === 409 && body.error === 'VersionConflict') return status(fmt(T.conflict, { latest: body.latest }), 'bad');
      if (code !== 200 && code !== 201) return failed(body);
      showProblems(body.warnings || []);
      const mine = (body.definitions || []).find((d) => d.key === data.key);
      if (!mine) return status(T.unchanged, 'ok');
      if (!$('version-select')) {
        setDirty(false); // stored: leaving for its first version asks nothing
        window.location.assign(`${data.edit_url}?version=${mine.version}`); // a new process: open its first version
        return;
      }
      data.version = data.latest = mine.version;
      $('status').dataset.version = mine.version;
      status(fmt(T.deployed, { version: mine.version }), 'ok');
      setDirty(false);
      addVersion(mine.version);
      history.replaceState(null, '', `${data.edit_url}?version=${mine.version}`);
    } catch (err) {
      failed({ message: err.message });
    }
  }

  /** The version picker gains the new version, marked latest, and shows it. */
  function addVersion(version) {
    const select = $('version-select');
    const suffix = ` (${T.latest})`;
    for (const option of select.options) option.textContent = option.textContent.replace(suffix, '');
    select.prepend(new Option(`${version}${suffix}`, String(version), true, true));
  }

  function failed(body) {
    const fields = Object.entries(body.fields || {}).map(([k, v]) => `${k}: ${[].concat(v).join(', ')}`);
    status(fmt(T.failed, { message: [body.message || T.error, ...fields].join(' — ') }), 'bad');
  }

  function setDirty(dirty) {
    unsaved = dirty;
    const box = $('dirty');
    box.hidden = !dirty;
    box.textContent = dirty ? `● ${T.unsaved}` : '';
  }

  // -- start ----------------------------------------------------------------------------------------------

  async function start() {
    status(T.loading);
    const descriptor = await (await fetch(data.moddle)).json();
    modeler = window.AwardflowEditor.createEditor({ container: '#canvas', panel: '#panel', moddle: descriptor, config: data });
    window.awardflowModeler = modeler; // for tests and the curious
    try {
      await modeler.importXML(data.xml);
    } catch (err) {
      status(fmt(T.load_failed, { message: err.message }), 'bad');
      return;
    }
    modeler.get('canvas').zoom('fit-viewport', 'auto');
    status('');
    const events = modeler.get('eventBus');
    events.on('commandStack.changed', () => {
      setDirty(modeler.get('commandStack').canUndo() || data.version === null);
      scheduleLiveCheck();
    });
    setDirty(data.version === null);
    // leaving with changes not deployed: the browser asks first (its own words, in its own language)
    window.addEventListener('beforeunload', (event) => {
      if (!unsaved) return;
      event.preventDefault();
      event.returnValue = '';
    });
    $('validate-button').addEventListener('click', validate);
    $('deploy-button').addEventListener('click', deploy);
    const walk = $('simulate-button');
    walk.addEventListener('click', () => modeler.get('toggleMode').toggleMode());
    events.on('tokenSimulation.toggleMode', ({ active }) => walk.setAttribute('aria-pressed', String(active)));
    document.body.dataset.designerReady = 'true';
  }

  start().catch((err) => status(fmt(T.load_failed, { message: err.message }), 'bad'));
})();
