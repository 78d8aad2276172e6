// For library texts written straight into the page without the library's own translate service: watches a
// container and passes the text and tooltips of the library's markup (the elements under `selector`) through
// `translate` as they are drawn. A text with a value in it is matched against `templates`, each with one
// {placeholder} ("{name} started"). The diagram's or table's own contents are left as the designer wrote them.

const ATTRIBUTES = ['title', 'aria-label'];

export default function translateMarkup(container, translate, { selector, templates = [] }) {
  const patterns = templates.map((template) => {
    const [before, key, after] = template.split(/{(\w+)}/);
    return { template, key, regex: new RegExp(`^${escape(before)}(.+)${escape(after)}$`) };
  });

  function vietnamese(text) {
    const trimmed = text.trim();
    const direct = trimmed && translate(trimmed);
    if (!trimmed || direct !== trimmed) {
      return trimmed ? text.replace(trimmed, direct) : text;
    }
    for (const { template, key, regex } of patterns) {
      const found = trimmed.match(regex);
      if (found) {
        return text.replace(trimmed, translate(template, { [key]: translate(found[1]) }));
      }
    }
    return text;
  }

  function walk(node) {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.parentElement && node.parentElement.closest(selector) ? vietnamese(node.nodeValue) : null;
      if (text !== null && text !== node.nodeValue) {
        node.nodeValue = text;
      }
      return;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) {
      return;
    }
    if (node.closest(selector)) {
      ATTRIBUTES.forEach((name) => {
        const value = node.getAttribute(name);
        if (value && vietnamese(value) !== value) {
          node.setAttribute(name, vietnamese(value));
        }
      });
    }
    node.childNodes.forEach(walk);
  }

  new MutationObserver((records) => {
    records.forEach((record) => (record.type === 'attributes' ? walk(record.target) : record.addedNodes.forEach(walk)));
  }).observe(container, { childList: true, subtree: true, attributes: true, attributeFilter: ATTRIBUTES });
  walk(container);
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
