// The linter's configuration for bpmn-js-bpmnlint, packed for the bundle (what bpmnlint-pack-config makes from
// a .bpmnlintrc): bpmnlint's own rules that fit our engine, and the local plugin "awardflow" for our
// extensions. The messages are English keys; translate.js gives them in Vietnamese.
import StaticResolver from 'bpmnlint/lib/resolver/static-resolver';
import conditionalFlows from 'bpmnlint/rules/conditional-flows';
import endEventRequired from 'bpmnlint/rules/end-event-required';
import noDisconnected from 'bpmnlint/rules/no-disconnected';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split';
import startEventRequired from 'bpmnlint/rules/start-event-required';

import gatewayDefault from './gateway-default';
import humanTaskGroup from './human-task-group';
import timerWorkingTime from './timer-working-time';

const PLUGIN = 'bpmnlint-plugin-awardflow';

export const rules = {
  'start-event-required': 'error',
  'end-event-required': 'error',
  'no-disconnected': 'warn',
  'no-implicit-split': 'warn',
  'conditional-flows': 'error',
  'awardflow/human-task-group': 'warn',
  'awardflow/timer-working-time': 'error',
  'awardflow/gateway-default': 'warn',
};

const cache = {
  'rule:bpmnlint/start-event-required': startEventRequired,
  'rule:bpmnlint/end-event-required': endEventRequired,
  'rule:bpmnlint/no-disconnected': noDisconnected,
  'rule:bpmnlint/no-implicit-split': noImplicitSplit,
  'rule:bpmnlint/conditional-flows': conditionalFlows,
  [`rule:${PLUGIN}/human-task-group`]: humanTaskGroup,
  [`rule:${PLUGIN}/timer-working-time`]: timerWorkingTime,
  [`rule:${PLUGIN}/gateway-default`]: gatewayDefault,
};

export default { config: { rules }, resolver: new StaticResolver(cache) };
