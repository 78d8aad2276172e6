// SpiffWorkflow reads a multi-instance's loopDataInputRef / loopDataOutputRef as the *name* of a variable in the
// task data, while BPMN (and so bpmn-moddle) takes them for references to item-aware elements: on import the
// name resolves to nothing and the reference would be dropped from the saved diagram. This module puts the
// names back as they were read, so they are written out unchanged.
const NAMED = new Set(['bpmn:loopDataInputRef', 'bpmn:loopDataOutputRef']);

function NameReferences(eventBus) {
  eventBus.on('import.done', ({ warnings }) => {
    for (const warning of warnings || []) {
      if (warning.element && NAMED.has(warning.property) && warning.value) {
        warning.element.set(warning.property, { id: warning.value });
      }
    }
  });
}
NameReferences.$inject = ['eventBus'];

export default { __init__: ['nameReferences'], nameReferences: ['type', NameReferences] };
