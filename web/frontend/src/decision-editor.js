// The decision editor as one browser bundle (built by ../build.mjs): dmn-js's Modeler (decision tables, the
// DRD, literal expressions) with a Vietnamese translation of its texts. The page's decisions.js reaches it
// through window.AwardflowDecisions.
import DmnModeler from 'dmn-js/lib/Modeler';

import translate from './decision-translate';
import translateMarkup from './markup-translate';

/** A dmn-js Modeler in `container`; it opens the first decision table of the file it imports. */
function createDecisionEditor({ container }) {
  // dmn-js gives each view its own modules (a `common.additionalModules` would be dropped)
  const vietnamese = { additionalModules: [{ translate: ['value', translate] }] };
  const modeler = new DmnModeler({ container, drd: vietnamese, decisionTable: vietnamese, literalExpression: vietnamese });
  // the columns' drag handles are titled in English without dmn-js's translate ("Move Input")
  translateMarkup(container, translate, { selector: '.dmn-icon-drag' });
  return modeler;
}

window.AwardflowDecisions = { createDecisionEditor };
