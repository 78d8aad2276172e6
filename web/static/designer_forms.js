// The form editor (web/pages/designer_forms.py): rows of fields edited in place, the server's preview of the task
// page's form after each change, and the save as a new version. The draft is what the server reads; the server
// makes the JSON Schema and judges it, this page only shows what it says.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('form-editor-data').textContent);
  const texts = data.texts;
  const draft = data.draft;
  const csrf = document.getElementById('fe-csrf').value;
  const list = document.getElementById('fe-fields');
  const status = document.getElementById('fe-status');
  const preview = document.getElementById('preview');
  const KINDS = ['text', 'integer', 'number', 'date', 'boolean', 'choice', 'choices'];
  const BOUNDS = { text: ['minLength', 'maxLength'], integer: ['minimum', 'maximum'], number: ['minimum', 'maximum'] };
  let timer = null;
  let asked = 0;

  function say(name, values) {
    let text = texts[name] || name;
    Object.entries(values || {}).forEach(([k, v]) => { text = text.replace('{' + k + '}', v); });
    return text;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === 'text') node.textContent = v; else if (k in node && k !== 'list') node[k] = v; else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(c));
    return node;
  }

  function labelled(text, input, wide) {
    return el('label', { className: wide ? 'wide' : '' }, [document.createTextNode(text + ' '), input]);
  }

  function bind(input, row, key, parse) {
    input.addEventListener('input', () => { row[key] = parse ? parse(input) : input.value; changed(); });
    return input;
  }

  function rowView(row, index) {
    const name = 'fields.' + index;
    const kept = row.kind === 'kept';
    const head = el('header', {}, [
      el('strong', { text: say('field', { n: index + 1 }) + (row.label ? ' · ' + row.label : '') }),
      el('button', { type: 'button', className: 'fe-up', text: '↑', title: texts.up, disabled: index === 0 }),
      el('button', { type: 'button', className: 'fe-down', text: '↓', title: texts.down, disabled: index === draft.fields.length - 1 }),
      el('button', { type: 'button', className: 'fe-remove', text: '✕', title: texts.remove }),
    ]);
    head.querySelector('.fe-up').onclick = () => move(index, -1);
    head.querySelector('.fe-down').onclick = () => move(index, 1);
    head.querySelector('.fe-remove').onclick = () => { draft.fields.splice(index, 1); redraw(); };
    const grid = el('div', { className: 'fe-grid' });
    const kind = el('select', { className: 'fe-kind', 'data-name': name + '.kind' });
    (kept ? ['kept'] : KINDS).forEach((k) => kind.appendChild(el('option', { value: k, text: texts['kind.' + k], selected: row.kind === k })));
    kind.disabled = kept;
    kind.addEventListener('change', () => { row.kind = kind.value; redraw(); });
    grid.appendChild(labelled(texts.kind, kind));
    const required = bind(el('input', { type: 'checkbox', className: 'fe-required', checked: !!row.required }), row, 'required', (i) => i.checked);
    grid.appendChild(el('label', {}, [required, document.createTextNode(' ' + texts.required)]));
    if (!kept) {
      grid.appendChild(labelled(texts.label, bind(el('input', { className: 'fe-label', value: row.label || '', 'data-name': name + '.label' }), row, 'label')));
      grid.appendChild(labelled(texts.key, bind(el('input', { className: 'fe-key', value: row.key || '', placeholder: texts.key_hint, 'data-name': name + '.key' }), row, 'key')));
      grid.appendChild(labelled(texts.help, bind(el('input', { className: 'fe-help', value: row.help || '', 'data-name': name + '.help' }), row, 'help'), true));
      if (row.kind === 'choice' || row.kind === 'choices') {
        const area = el('textarea', { className: 'fe-choices', rows: 3, value: row.choices || '', placeholder: texts.choices_hint, 'data-name': name + '.choices' });
        grid.appendChild(labelled(texts.choices, bind(area, row, 'choices'), true));
      }
      (BOUNDS[row.kind] || []).forEach((word) => {
        const input = el('input', { className: 'fe-' + word, value: row[word] === undefined || row[word] === null ? '' : String(row[word]), inputmode: 'decimal', 'data-name': name + '.' + word });
        grid.appendChild(labelled(texts[word], bind(input, row, word)));
      });
    }
    return el('div', { className: 'fe-row', 'data-index': String(index), 'data-name': name }, [head, grid]);
  }

  function move(index, step) {
    const [row] = draft.fields.splice(index, 1);
    draft.fields.splice(index + step, 0, row);
    redraw();
  }

  function redraw() {
    list.replaceChildren(...draft.fields.map(rowView));
    changed();
  }

  function changed() {
    clearTimeout(timer);
    timer = setTimeout(check, 250);
  }

  function post(url) {
    const body = new URLSearchParams({ csrf_token: csrf, draft: JSON.stringify(draft) });
    return fetch(url, { method: 'POST', body, headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then((r) => r.json().then((answer) => ({ ok: r.ok, answer })));
  }

  function mark(problems) {
    document.querySelectorAll('.fe-row .problem, #fe-problems .problem').forEach((p) => p.remove());
    document.querySelectorAll('[aria-invalid]').forEach((i) => i.removeAttribute('aria-invalid'));
    document.querySelectorAll('.fe-row.bad').forEach((r) => r.classList.remove('bad'));
    const entries = Object.entries(problems || {});
    entries.forEach(([where, messages]) => {
      const input = document.querySelector('[data-name="' + where + '"]:not(.fe-row)');
      const row = document.querySelector('.fe-row[data-name="' + where.split('.').slice(0, 2).join('.') + '"]');
      const target = input ? input.closest('label') : row || document.getElementById('fe-problems');
      if (input) input.setAttribute('aria-invalid', 'true');
      if (row) row.classList.add('bad');
      messages.forEach((m) => target.appendChild(el('p', { className: 'problem', text: m })));
    });
    return entries.length;
  }

  function check() {
    const mine = ++asked;
    status.className = '';
    status.textContent = texts.checking;
    post(data.urls.preview).then(({ ok, answer }) => {
      if (mine !== asked) return;
      const n = mark(answer.problems);
      document.body.dataset.previewState = ok ? 'ok' : 'bad';
      if (!ok) { status.className = 'bad'; status.textContent = say('fix', { n }); return; }
      preview.innerHTML = answer.html; // drawn and escaped by the server's own task-form template
      answer.keys.forEach((key, i) => { // a blank code is made from the label each time: shown, not fixed
        const input = list.querySelector('.fe-row[data-index="' + i + '"] .fe-key');
        if (input) input.placeholder = key;
      });
      status.className = 'ok';
      status.textContent = texts.ready;
      document.body.dataset.previewCount = String(asked);
    }).catch((err) => { status.className = 'bad'; status.textContent = say('failed', { message: err.message }); });
  }

  function save() {
    clearTimeout(timer);
    status.className = '';
    status.textContent = texts.saving;
    post(data.urls.save).then(({ ok, answer }) => {
      const n = mark(answer.problems);
      status.className = ok ? 'ok' : 'bad';
      status.textContent = ok ? answer.message : say('fix', { n });
      if (ok && answer.version) status.dataset.version = String(answer.version);
    }).catch((err) => { status.className = 'bad'; status.textContent = say('failed', { message: err.message }); });
  }

  const title = document.getElementById('fe-title');
  const description = document.getElementById('fe-description');
  title.value = draft.title;
  description.value = draft.description;
  bind(title, draft, 'title');
  bind(description, draft, 'description');
  document.getElementById('fe-add').onclick = () => {
    draft.fields.push({ kind: 'text', label: '', key: '', help: '', required: false });
    redraw();
    const labels = list.querySelectorAll('.fe-label');
    labels[labels.length - 1].focus();
  };
  document.getElementById('fe-save').onclick = save;
  redraw();
  document.body.dataset.formEditorReady = 'true';
}());
