// The designer's editor as one browser bundle (built by ../build.mjs): the bpmn-js Modeler with the
// bpmn-js-properties-panel, its standard BPMN groups, our provider for awardflow's extensions and a
// Vietnamese translation of the panel; plus a viewer and bpmn-js-differ for the version diff. The pages'
// designer.js and designer_diff.js reach them through window.AwardflowEditor.
import Modeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { diff } from 'bpmn-js-differ';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';

import awardflowProperties from './awardflow-properties';
import nameReferences from './name-references';
import translateModule from './translate';

/**
 * A Modeler with the properties panel in `panel`; `config` carries the catalog (processes, decisions,
 * forms, handlers), the API URLs, the CSRF token and the panel's texts.
 */
function createEditor({ container, panel, moddle, config }) {
  return new Modeler({
    container,
    propertiesPanel: { parent: panel, layout: { groups: { general: { open: true }, awardflow: { open: true }, timer: { open: true } } } },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      awardflowProperties,
      nameReferences,
      translateModule,
      { awardflowConfig: ['value', config] },
    ],
    moddleExtensions: { spiffworkflow: moddle },
  });
}

/** A read-only viewer that keeps multi-instance collection names (for the version diff). */
function createViewer({ container }) {
  return new NavigatedViewer({ container, additionalModules: [nameReferences] });
}

window.AwardflowEditor = { createEditor, createViewer, diff };
