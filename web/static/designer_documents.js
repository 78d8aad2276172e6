// The document-template editor (web/pages/designer_documents.py): the template's text, the values it may use,
// the server's PDF of a sample dossier after each pause in typing, and the publication from a day.
(function () {
  'use strict';
  const data = JSON.parse(document.getElementById('document-editor-data').textContent);
  const texts = data.texts;
  const csrf = document.getElementById('de-csrf').value;
  const body = document.getElementById('de-body');
  const frame = document.getElementById('de-frame');
  const status = document.getElementById('de-status');
  const problems = document.getElementById('de-problems');
  let timer = null;
  let asked = 0;
  let shown = null;

  function say(name, values) {
    let text = texts[name] || name;
    Object.entries(values || {}).forEach(([k, v]) => { text = text.replace('{' + k + '}', v); });
    return text;
  }

  function post(url, fields) {
    const form = new URLSearchParams({ csrf_token: csrf, body: body.value, ...fields });
    const headers = { Accept: 'application/json' };
    return fetch(url, { method: 'POST', body: form, headers, credentials: 'same-origin' });
  }

  function mark(found) {
    problems.replaceChildren();
    body.removeAttribute('aria-invalid');
    Object.entries(found || {}).forEach(([field, messages]) => {
      if (field === 'body') body.setAttribute('aria-invalid', 'true');
      messages.forEach((m) => {
        const p = document.createElement('p');
        p.className = 'problem';
        p.textContent = m;
        problems.appendChild(p);
      });
    });
  }

  function preview() {
    const mine = ++asked;
    status.className = '';
    status.textContent = texts.drawing;
    post(data.urls.preview, {}).then((r) => {
      if (mine !== asked) return null;
      if (!r.ok) return r.json().then((answer) => { mark(answer.problems); status.className = 'bad'; document.body.dataset.previewState = 'bad'; });
      return r.blob().then((pdf) => {
        mark({});
        if (shown) URL.revokeObjectURL(shown);
        shown = URL.createObjectURL(pdf);
        frame.src = shown;
        status.className = 'ok';
        status.textContent = texts.drawn;
        document.body.dataset.previewState = 'ok';
      });
    }).catch((err) => { status.className = 'bad'; status.textContent = say('failed', { message: err.message }); });
  }

  function publish() {
    clearTimeout(timer);
    status.className = '';
    status.textContent = texts.publishing;
    post(data.urls.publish, { effective_from: document.getElementById('de-effective').value })
      .then((r) => r.json().then((answer) => {
        mark(answer.problems);
        status.className = r.ok ? 'ok' : 'bad';
        status.textContent = r.ok ? answer.message : '';
        document.body.dataset.published = r.ok ? 'true' : 'false';
      }))
      .catch((err) => { status.className = 'bad'; status.textContent = say('failed', { message: err.message }); });
  }

  const names = document.getElementById('de-names');
  Object.entries(data.names).forEach(([name, meaning]) => {
    const item = document.createElement('li');
    const code = document.createElement('code');
    code.textContent = '{{ ' + name + ' }}';
    item.append(code, ' — ' + meaning);
    names.appendChild(item);
  });
  body.value = data.body;
  body.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(preview, 700); });
  document.getElementById('de-preview').onclick = preview;
  document.getElementById('de-publish').onclick = publish;
  preview();
  document.body.dataset.documentEditorReady = 'true';
}());
