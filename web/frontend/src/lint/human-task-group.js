// awardflow/human-task-group: a user or manual task in no named lane and without a candidate_groups property
// goes to whoever started the instance, which is rarely meant (the server's deploy check warns the same).
import { is } from 'bpmnlint-utils';

export const MESSAGE = 'User task without a lane or candidate group: it will go to whoever started the dossier';

/** Ids of the flow nodes in a named lane of this process (lanes nest: child lane sets count too). */
function inNamedLane(process) {
  const ids = new Set();
  const visit = (laneSet) => {
    for (const lane of (laneSet && laneSet.lanes) || []) {
      if ((lane.name || '').trim()) for (const node of lane.flowNodeRef || []) ids.add(node.id);
      visit(lane.childLaneSet);
    }
  };
  for (const laneSet of process.laneSets || []) visit(laneSet);
  return ids;
}

function hasCandidateGroups(task) {
  const values = (task.extensionElements && task.extensionElements.values) || [];
  return values.some(
    (ext) => ext.$type === 'spiffworkflow:Properties' && (ext.properties || []).some((p) => p.name === 'candidate_groups' && (p.value || '').trim()),
  );
}

export default function humanTaskGroup() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:Process')) return;
    const laned = inNamedLane(node);
    const walk = (container, inherited) => {
      for (const element of container.flowElements || []) {
        const here = inherited || laned.has(element.id);
        if (is(element, 'bpmn:SubProcess')) walk(element, here);
        else if ((is(element, 'bpmn:UserTask') || is(element, 'bpmn:ManualTask')) && !here && !hasCandidateGroups(element)) {
          reporter.report(element.id, MESSAGE);
        }
      }
    };
    walk(node, false);
  }
  return { check };
}
