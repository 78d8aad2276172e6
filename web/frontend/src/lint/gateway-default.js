// awardflow/gateway-default: an exclusive or inclusive gateway that splits has a default flow, so a dossier
// whose data matches no condition does not stop there (the engine would raise an incident).
import { isAny } from 'bpmnlint-utils';

export const MESSAGE = 'Gateway with several outgoing flows has no default flow';

export default function gatewayDefault() {
  function check(node, reporter) {
    if (!isAny(node, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway'])) return;
    if ((node.outgoing || []).length > 1 && !node.default) reporter.report(node.id, MESSAGE);
  }
  return { check };
}
