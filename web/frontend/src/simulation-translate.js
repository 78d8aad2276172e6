// bpmn-js-token-simulation (0.39) writes its texts in English without calling diagram-js's `translate`; this
// module passes them through it (markup-translate.js), so they come from the one table in translate.js: the
// toggle, the palette's play/pause/reset/log buttons, the log with its entries, the notifications and the
// context pads' tooltips (all under the library's bts-* classes).
import translateMarkup from './markup-translate';

//: texts the library fills with a value, each with one {placeholder}
const TEMPLATES = ['{name} started', 'Set animation speed = {speed}', 'Focus process instance {id}'];

function SimulationTranslate(canvas, translate) {
  translateMarkup(canvas.getContainer(), translate, { selector: '[class*="bts-"]', templates: TEMPLATES });
}

SimulationTranslate.$inject = ['canvas', 'translate'];

export default { __init__: ['simulationTranslate'], simulationTranslate: ['type', SimulationTranslate] };
