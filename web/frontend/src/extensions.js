// Reading and writing awardflow's extension elements (<bpmn:extensionElements> children of the
// spiffworkflow namespace) through undoable modeling commands.

/** The extension elements of `bo` of one moddle type. */
export function extensionsOf(bo, type) {
  return ((bo.extensionElements && bo.extensionElements.values) || []).filter((v) => v.$type === type);
}

export function propertiesOf(bo) {
  return extensionsOf(bo, 'spiffworkflow:Properties')[0] || null;
}

function ensureExtensionElements(injector, element, bo) {
  if (bo.extensionElements) return bo.extensionElements;
  const ext = injector.get('moddle').create('bpmn:ExtensionElements', { values: [] });
  ext.$parent = bo;
  injector.get('modeling').updateModdleProperties(element, bo, { extensionElements: ext });
  return ext;
}

/**
 * Set the one extension of `type` on `bo` (the element itself or one of its event definitions): `value` a
 * string sets a body-valued element (messageVariable, calledDecisionId …), a moddle element replaces it,
 * empty removes it.
 */
export function setBodyExtension(injector, element, bo, type, value) {
  const modeling = injector.get('modeling');
  const [existing] = extensionsOf(bo, type);
  if (!value) {
    if (existing) {
      const ext = bo.extensionElements;
      modeling.updateModdleProperties(element, ext, { values: ext.values.filter((v) => v !== existing) });
    }
    return;
  }
  if (typeof value === 'string' && existing) {
    modeling.updateModdleProperties(element, existing, { value });
    return;
  }
  const ext = ensureExtensionElements(injector, element, bo);
  const created = typeof value === 'string' ? injector.get('moddle').create(type, { value }) : value;
  created.$parent = ext;
  const kept = (ext.values || []).filter((v) => v !== existing);
  modeling.updateModdleProperties(element, ext, { values: [...kept, created] });
}

/** Set (or, with an empty value, remove) one spiffworkflow:property of a task. */
export function setProperty(injector, element, name, value) {
  const bo = element.businessObject;
  const moddle = injector.get('moddle');
  const modeling = injector.get('modeling');
  let container = propertiesOf(bo);
  if (!container) {
    if (!value) return;
    const ext = ensureExtensionElements(injector, element, bo);
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
