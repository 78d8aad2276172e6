/* awardflow process designer: bpmn-js Modeler plus a small panel for our spiffworkflow task properties.
 *
 * The page gives everything as JSON in #designer-data (the BPMN as deployed, the API URLs, the CSRF token and
 * the texts in the page's language). Edits go through bpmn-js's modeling commands, so undo works and the XML
 * keeps the standard shape:
 *   <bpmn:extensionElements><spiffworkflow:properties>
 *     <spiffworkflow:property name="budget" value="0.5WD"/>
 *   </spiffworkflow:properties></bpmn:extensionElements>
 * Validate and Deploy send the exported XML as a file named like the deployed resource.
 */
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('designer-data').textContent);
  const T = data.texts;
  const DURATION = /^\d+(\.\d+)?(WD|WH)$/;
  const RULE = /^\d+(\.\d+)?(WD|WH) (notify|reassign) \S+$/;
  /** The step properties the panel edits, in display order. */
  const FIELDS = [
    { name: 'budget', check: DURATION, bad: 'budget_bad', hint: 'budget_hint' },
    { name: 'form', hint: 'form_hint' },
    { name: 'candidate_groups', hint: 'candidate_groups_hint' },
    { name: 'calendar', hint: 'calendar_hint' },
    { name: 'warn_before', check: DURATION, bad: 'budget_bad', hint: 'warn_before_hint' },
    { name: 'escalate_unclaimed', check: RULE, bad: 'escalate_bad', hint: 'escalate_hint' },
    { name: 'escalate_incomplete', check: RULE, bad: 'escalate_bad', hint: 'escalate_hint' },
  ];
  const KNOWN = new Set(FIELDS.map((f) => f.name));
  /** Elements whose properties drive the SLA and the inbox: human tasks. */
  const HUMAN = ['bpmn:UserTask', 'bpmn:ManualTask'];

  const $ = (id) => document.getElementById(id);
  const fmt = (text, values) => text.replace(/\{(\w+)\}/g, (all, k) => (k in values ? String(values[k]) : all));
  const panelBody = $('panel-body');
  const emptyPanel = panelBody.innerHTML;

  let modeler = null;
  let current = null; // the element shown in the panel
  let applying = false; // our own edit is running: do not redraw the panel under the user's cursor
  let marked = [];

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

  function isAny(bo, types) {
    return types.some((type) => bo && bo.$instanceOf && bo.$instanceOf(type));
  }

  // -- the spiffworkflow:properties of a business object ------------------------------------------------------

  function propertiesOf(bo) {
    const values = (bo.extensionElements && bo.extensionElements.values) || [];
    return values.find((v) => v.$type === 'spiffworkflow:Properties') || null;
  }

  function readProperties(bo) {
    const found = {};
    const container = propertiesOf(bo);
    for (const prop of (container && container.properties) || []) found[prop.name] = prop.value;
    return found;
  }

  /** Set (or, with an empty value, remove) one property through undoable modeling commands. */
  function setProperty(element, name, value) {
    const bo = element.businessObject;
    const moddle = modeler.get('moddle');
    const modeling = modeler.get('modeling');
    let ext = bo.extensionElements;
    if (!ext) {
      if (!value) return;
      ext = moddle.create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      modeling.updateProperties(element, { extensionElements: ext });
    }
    let container = propertiesOf(bo);
    if (!container) {
      if (!value) return;
      container = moddle.create('spiffworkflow:Properties', { properties: [] });
      container.$parent = ext;
      modeling.updateModdleProperties(element, ext, { values: [...(ext.values || []), container] });
    }
    const list = container.properties || [];
    const existing = list.find((p) => p.name === name);
    if (!value) {
      if (existing) modeling.updateModdleProperties(element, container, { properties: list.filter((p) => p !== existing) });
    } else if (existing) {
      if (existing.value !== value) modeling.updateModdleProperties(element, existing, { value });
    } else {
      const prop = moddle.create('spiffworkflow:Property', { name, value });
      prop.$parent = container;
      modeling.updateModdleProperties(element, container, { properties: [...list, prop] });
    }
  }

  // -- the panel ----------------------------------------------------------------------------------------------

  function laneOf(element) {
    const bo = element.businessObject;
    const lanes = modeler.get('elementRegistry').filter((e) => e.type === 'bpmn:Lane');
    const lane = lanes.find((l) => (l.businessObject.flowNodeRef || []).includes(bo));
    return lane ? lane.businessObject.name || lane.businessObject.id : '—';
  }

  function field(element, spec, value, lane) {
    const id = 'prop-' + spec.name;
    const input = el('input', { id, name: spec.name, value: value || '', autocomplete: 'off', spellcheck: 'false' });
    const error = el('span', { class: 'field-error', hidden: true });
    const hint = spec.hint ? el('p', { class: 'hint', text: fmt(T[spec.hint] || '', { lane }) }) : null;
    input.addEventListener('change', () => {
      const wanted = input.value.trim();
      if (wanted && spec.check && !spec.check.test(wanted)) {
        input.classList.add('bad');
        error.textContent = T[spec.bad];
        error.hidden = false;
        return;
      }
      input.classList.remove('bad');
      error.hidden = true;
      apply(() => setProperty(element, spec.name, wanted));
    });
    return [el('label', { for: id, text: T[spec.name] || spec.name }), input, error, hint];
  }

  function apply(change) {
    applying = true;
    try {
      change();
    } finally {
      applying = false;
    }
  }

  function render(element) {
    current = element;
    panelBody.textContent = '';
    if (!element || element.type === 'label') {
      current = null;
      panelBody.innerHTML = emptyPanel;
      return;
    }
    const bo = element.businessObject;
    panelBody.append(el('p', { class: 'meta', text: `${T.id}: ${bo.id} · ${T.type}: ${bo.$type.replace('bpmn:', '')}` }));
    if ('name' in bo || bo.$descriptor.propertiesByName.name) {
      const name = el('input', { id: 'prop-name', name: 'name', value: bo.name || '', autocomplete: 'off' });
      name.addEventListener('change', () => apply(() => modeler.get('modeling').updateLabel(element, name.value.trim())));
      panelBody.append(el('label', { for: 'prop-name', text: T.name }), name);
    }
    const values = readProperties(bo);
    if (isAny(bo, HUMAN)) {
      const lane = laneOf(element);
      for (const spec of FIELDS) panelBody.append(...field(element, spec, values[spec.name], lane).filter(Boolean));
    } else if (!Object.keys(values).length) {
      panelBody.append(el('p', { class: 'hint', text: T.no_properties }));
    }
    const others = Object.keys(values).filter((name) => !isAny(bo, HUMAN) || !KNOWN.has(name));
    if (others.length) {
      panelBody.append(el('h3', { text: T.other }));
      for (const name of others) panelBody.append(...field(element, { name }, values[name], '').filter(Boolean));
    }
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
    const response = await fetch(url, {
      method: 'POST',
      body: await bundle(),
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
        problem.element_id ? el('code', { text: problem.element_id }) : null,
        problem.element_id && !target ? el('span', { class: 'muted', text: ` (${T.not_on_canvas})` }) : null,
        ' ',
        el('span', { text: problem.message }),
        el('span', { class: 'muted', text: where ? ` — ${where}` : '' }),
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
      if (code !== 200 && code !== 201) return failed(body);
      showProblems(body.warnings || []);
      const mine = (body.definitions || []).find((d) => d.key === data.key);
      if (!mine) return status(T.unchanged, 'ok');
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
    const box = $('dirty');
    box.hidden = !dirty;
    box.textContent = dirty ? `● ${T.unsaved}` : '';
  }

  // -- start ----------------------------------------------------------------------------------------------

  async function start() {
    status(T.loading);
    const descriptor = await (await fetch(data.moddle)).json();
    modeler = new window.BpmnJS({ container: '#canvas', moddleExtensions: { spiffworkflow: descriptor } });
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
    events.on('selection.changed', (e) => render(e.newSelection.length === 1 ? e.newSelection[0] : null));
    events.on('element.changed', (e) => {
      if (!applying && current && e.element === current) render(current);
    });
    events.on('commandStack.changed', () => setDirty(modeler.get('commandStack').canUndo()));
    $('validate-button').addEventListener('click', validate);
    $('deploy-button').addEventListener('click', deploy);
    document.body.dataset.designerReady = 'true';
  }

  start().catch((err) => status(fmt(T.load_failed, { message: err.message }), 'bad'));
})();
