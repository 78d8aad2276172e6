// The decision editor page: dmn-js (window.AwardflowDecisions, bundled by web/frontend/build.mjs) opens the
// deployed DMN file (or a new key's blank table); "Kiểm tra" and "Triển khai" post the edited XML to the page's own endpoints, which run
// the repository's validate and deploy, and the answer (or each problem) is shown under the buttons.
(function () {
  const root = document.getElementById('decision-editor');
  const status = document.getElementById('dmn-status');
  const problems = document.getElementById('dmn-problems');
  const picker = document.getElementById('dmn-view');
  const editor = window.AwardflowDecisions.createDecisionEditor({ container: document.getElementById('dmn-canvas') });

  function tables() {
    return editor.getViews().filter((view) => view.type === 'decisionTable');
  }

  function show(answer) {
    status.textContent = answer.message;
    status.className = answer.ok ? 'ok' : 'refused-text';
    // a refusal before the check (an expired session, a hidden character, too large) names fields, not cells
    const found = Array.isArray(answer.problems)
      ? answer.problems
      : Object.values(answer.problems || {}).flat().map((message) => ({ element_id: null, message }));
    problems.replaceChildren(...found.map((p) => {
      const item = document.createElement('li');
      item.textContent = (p.element_id ? p.element_id + ': ' : '') + p.message;
      return item;
    }));
    root.dataset.answer = answer.ok ? 'ok' : 'refused';
    if (answer.urls) { // a new table, once deployed, is edited as the deployed file
      Object.assign(root.dataset, answer.urls);
      history.replaceState(null, '', answer.urls.page);
      document.getElementById('dmn-unsaved').remove();
    }
  }

  async function send(url) {
    const { xml } = await editor.saveXML({ format: true });
    const body = new FormData();
    body.append('csrf_token', root.dataset.csrf);
    body.append('xml', xml);
    const headers = { Accept: 'application/json' };
    const response = await fetch(url, { method: 'POST', body, headers, credentials: 'same-origin' });
    show(await response.json());
  }

  picker.addEventListener('change', () => {
    const view = tables().find((v) => v.element.id === picker.value);
    if (view) editor.open(view);
  });
  document.getElementById('dmn-validate').addEventListener('click', () => send(root.dataset.validate));
  document.getElementById('dmn-deploy').addEventListener('click', () => send(root.dataset.deploy));

  fetch(root.dataset.source, { credentials: 'same-origin' })
    .then((response) => response.text())
    .then((xml) => editor.importXML(xml))
    .then(() => {
      const found = tables();
      picker.replaceChildren(...found.map((view) => new Option(view.element.name || view.element.id, view.element.id)));
      if (found.length) editor.open(found[0]);
      status.textContent = root.dataset.loaded;
      root.dataset.ready = '1';
    })
    .catch((error) => {
      status.textContent = root.dataset.failed.replace('{error}', error.message);
      status.className = 'refused-text';
    });
}());
