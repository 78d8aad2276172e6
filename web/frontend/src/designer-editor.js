// The designer's editor as one browser bundle (built by ../build.mjs): the bpmn-js Modeler with the
// bpmn-js-properties-panel, its standard BPMN groups, our provider for awardflow's extensions and a
// Vietnamese translation of the panel; bpmn-js-bpmnlint with our lint rules (problems on the canvas as you
// draw) and bpmn-js-token-simulation (walk the paths); plus a viewer and bpmn-js-differ for the version diff.
// The pages' designer.js and designer_diff.js reach them through window.AwardflowEditor.
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import 'bpmn-js-token-simulation/assets/css/bpmn-js-token-simulation.css';

import Modeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import lintModule from 'bpmn-js-bpmnlint';
import { diff } from 'bpmn-js-differ';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import tokenSimulation from 'bpmn-js-token-simulation';

import awardflowProperties from './awardflow-properties';
import lintConfig from './lint';
import nameReferences from './name-references';
import simulationTranslate from './simulation-translate';
import translateModule from './translate';

/**
 * A Modeler with the properties panel in `panel`; `config` carries the catalog (processes, decisions,
 * forms, handlers), the API URLs, the CSRF token and the panel's texts.
 */
function createEditor({ container, panel, moddle, config }) {
  return new Modeler({
    container,
    propertiesPanel: { parent: panel, layout: { groups: { general: { open: true }, awardflow: { open: true }, timer: { open: true } } } },
    linting: { bpmnlint: lintConfig, active: true },
    additionalModules: [
      lintModule,
      tokenSimulation,
      simulationTranslate,
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
