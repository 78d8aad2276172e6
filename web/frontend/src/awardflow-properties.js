// The properties panel's groups for what awardflow's engine reads beyond standard BPMN (see
// engine/bpmn/ and web/static/spiffworkflow-moddle.json): flow conditions, scripts (checked under the
// sandbox as they are typed), timers (with the due time for an example start), message payloads, service
// task handlers and their parameters, call activity targets, DMN decisions, loops and human-task properties.
// Every change goes through bpmn-js's modeling commands, so undo works and the XML keeps its standard shape.
import { h } from '@bpmn-io/properties-panel/preact';
import { useEffect, useState } from '@bpmn-io/properties-panel/preact/hooks';
import {
  SelectEntry,
  TextAreaEntry,
  TextFieldEntry,
  isSelectEntryEdited,
  isTextAreaEntryEdited,
  isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is } from 'bpmn-js/lib/util/ModelUtil';

import { extensionsOf, propertiesOf, setBodyExtension, setProperty } from './extensions';

const DURATION = /^\d+(\.\d+)?(WD|WH)$/i;
const RULE = /^\d+(\.\d+)?(WD|WH) (notify|reassign) \S+$/i;
const HUMAN = ['bpmn:UserTask', 'bpmn:ManualTask'];
const TIMER_KINDS = { timeDuration: 'duration', timeDate: 'date', timeCycle: 'cycle' };

function useConfig() {
  return useService('awardflowConfig');
}

/** POST JSON to one of our API URLs with the session's CSRF token; the parsed answer and its status. */
async function post(config, url, body) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': config.csrf, Accept: 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** dd/mm/yyyy HH:MM in the users' time zone. */
function localTime(iso, timeZone) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = Object.fromEntries(parts.map((p) => [p.type, p.value]));
  return `${part.day}/${part.month}/${part.year} ${part.hour}:${part.minute}`;
}

/** What the check would refuse for its length alone, said before asking it (null when the text fits). */
function tooLong(config, text) {
  if (text.length <= config.max_script) return null;
  const max = config.max_script.toLocaleString(config.language === 'vi' ? 'vi-VN' : 'en-GB');
  return { ok: false, message: config.texts.too_long.replace('{max}', max), detail: '' };
}

/** A refusal as the panel shows it: the API's sentence in the page's language (`text`) and, apart, Python's
 * own words (`detail`); a refusal without `text` (a malformed request) names its fields. */
function refusalOf(body) {
  if (body.text) return { message: body.text, detail: body.detail || '' };
  const fields = Object.values(body.fields || {}).flat();
  return { message: fields.length ? fields.join('; ') : body.message, detail: '' };
}

/** The verdict line under a code or timer field, with the technical detail folded away under it. */
function Verdict({ id, ok, said, detail, T }) {
  return h('div', { class: `af-verdict ${ok ? 'ok' : 'bad'}`, id, role: 'status' }, [
    h('span', { class: 'af-verdict-text' }, said),
    detail && h('details', { class: 'af-verdict-detail' }, [h('summary', {}, T.detail), h('code', {}, detail)]),
  ]);
}

// -- code with a live sandbox check ----------------------------------------------------------------------

/** A text area for Python run by the engine, with the sandbox's verdict under it (via /api/designer/script-check). */
function CheckedCode(props) {
  const { element, id, label, mode, getValue, setValue } = props;
  const config = useConfig();
  const debounce = useService('debounceInput');
  const T = config.texts;
  const source = getValue(element) || '';
  const [verdict, setVerdict] = useState(null);
  useEffect(() => {
    if (!source.trim()) return setVerdict(null);
    const long = tooLong(config, source);
    if (long) return setVerdict(long);
    let live = true;
    post(config, config.urls.script_check, { source, mode })
      .then(({ status, body }) => live && setVerdict(status === 200 && body.ok ? body : { ok: false, ...refusalOf(body) }))
      .catch((err) => live && setVerdict({ ok: false, message: err.message }));
    return () => {
      live = false;
    };
  }, [source, mode]);
  return h('div', { class: 'af-code', 'data-entry': id }, [
    h(TextAreaEntry, { element, id, label, getValue, setValue, debounce, monospace: true, rows: 4, autoResize: true }),
    verdict &&
      h(Verdict, {
        id: `${id}-verdict`, ok: verdict.ok, T, detail: verdict.detail,
        said: verdict.ok ? T.script_ok : `${T.script_bad}: ${verdict.message}`,
      }),
  ]);
}

// -- small entry factories ---------------------------------------------------------------------------------

// The entries' components are module-level functions, their settings props: a component made anew on each
// render would be a new type to Preact, which would remount the input and take the focus from the person typing.

function DebouncedText(props) {
  return h(TextFieldEntry, { ...props, debounce: useService('debounceInput') });
}

function Note(props) {
  return h('p', { class: 'bio-properties-panel-description af-note' }, props.text);
}

function text(id, label, getValue, setValue, extra = {}) {
  return { id, isEdited: isTextFieldEntryEdited, component: DebouncedText, label, getValue, setValue, ...extra };
}

function select(id, label, getValue, setValue, options, extra = {}) {
  return { id, isEdited: isSelectEntryEdited, component: SelectEntry, label, getValue, setValue, getOptions: options, ...extra };
}

function code(id, label, mode, getValue, setValue) {
  return { id, isEdited: isTextAreaEntryEdited, component: CheckedCode, label, mode, getValue, setValue };
}

/** Choices for a select: the empty choice, the offered ones, and the current value if it is not offered. */
function choices(T, offered, current) {
  const list = [{ value: '', label: T.none }, ...offered];
  if (current && !offered.some((o) => o.value === current)) list.push({ value: current, label: `${current} (${T.unknown})` });
  return list;
}

// -- the groups ----------------------------------------------------------------------------------------------

function conditionEntries(element, injector, T) {
  const bo = element.businessObject;
  const source = bo.sourceRef;
  if (!is(element, 'bpmn:SequenceFlow') || !source || !(is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway') || bo.conditionExpression)) {
    return [];
  }
  const modeling = injector.get('modeling');
  const factory = injector.get('bpmnFactory');
  return [
    code(
      'af-condition',
      T.condition,
      'eval',
      () => (bo.conditionExpression && bo.conditionExpression.body) || '',
      (value) =>
        modeling.updateProperties(element, {
          conditionExpression: value ? factory.create('bpmn:FormalExpression', { body: value }) : undefined,
        }),
    ),
  ];
}

function scriptEntries(element, injector, T) {
  if (!is(element, 'bpmn:ScriptTask')) return [];
  const modeling = injector.get('modeling');
  const bo = element.businessObject;
  return [
    code('af-script', T.script, 'exec', () => bo.script || '', (value) =>
      modeling.updateProperties(element, { script: value || undefined, scriptFormat: 'python' }),
    ),
  ];
}

function timerOf(bo) {
  return (bo.eventDefinitions || []).find((d) => is(d, 'bpmn:TimerEventDefinition')) || null;
}

/** The due time a timer would get for an example start (via /api/designer/timer-preview). */
function TimerPreview(props) {
  const { element, id } = props;
  const config = useConfig();
  const T = config.texts;
  const timer = timerOf(element.businessObject);
  const field = timer && Object.keys(TIMER_KINDS).find((name) => timer[name]);
  const expression = field ? timer[field].body || '' : '';
  const [start, setStart] = useState(config.example_start);
  const [answer, setAnswer] = useState(null);
  useEffect(() => {
    if (!expression.trim() || !start) return setAnswer(null);
    const long = tooLong(config, expression);
    if (long) return setAnswer(long);
    let live = true;
    post(config, config.urls.timer_preview, { expression, kind: TIMER_KINDS[field], start })
      .then(({ status, body }) => live && setAnswer(status === 200 ? { due: localTime(body.due, config.time_zone) } : refusalOf(body)))
      .catch((err) => live && setAnswer({ message: err.message }));
    return () => {
      live = false;
    };
  }, [expression, start, field]);
  return h('div', { class: 'bio-properties-panel-entry af-timer', 'data-entry-id': id }, [
    h('label', { class: 'bio-properties-panel-label', for: `${id}-start` }, T.example_start),
    h('input', {
      id: `${id}-start`,
      class: 'bio-properties-panel-input',
      type: 'datetime-local',
      value: start,
      onInput: (event) => setStart(event.target.value),
    }),
    h('p', { class: 'bio-properties-panel-description' }, T.timer_hint),
    answer &&
      h(Verdict, {
        id: `${id}-due`, ok: !!answer.due, T, detail: answer.detail,
        said: answer.due ? `${T.timer_due}: ${answer.due}` : `${T.timer_bad}: ${answer.message}`,
      }),
  ]);
}

function timerEntries(element) {
  return timerOf(element.businessObject) ? [{ id: 'af-timer-preview', component: TimerPreview }] : [];
}

function messageEntries(element, injector, T) {
  const definition = (element.businessObject.eventDefinitions || []).find((d) => is(d, 'bpmn:MessageEventDefinition'));
  if (!definition) return [];
  const catching = is(element, 'bpmn:CatchEvent');
  const type = catching ? 'spiffworkflow:MessageVariable' : 'spiffworkflow:MessagePayload';
  const label = catching ? T.message_variable : T.message_payload;
  const get = () => {
    const [found] = extensionsOf(definition, type);
    return found ? found.value : '';
  };
  return [text('af-message', label, get, (value) => setBodyExtension(injector, element, definition, type, value))];
}

function operatorOf(bo) {
  return extensionsOf(bo, 'spiffworkflow:ServiceTaskOperator')[0] || null;
}

function serviceEntries(element, injector, T, config) {
  if (!is(element, 'bpmn:ServiceTask')) return [];
  const bo = element.businessObject;
  const modeling = injector.get('modeling');
  const moddle = injector.get('moddle');
  const operators = config.catalog.operators;
  const current = operatorOf(bo);
  const chosen = current && operators.find((o) => o.name === current.id);

  function setOperator(name) {
    const operator = operatorOf(bo);
    if (!name) {
      if (operator) setBodyExtension(injector, element, bo, 'spiffworkflow:ServiceTaskOperator', null);
      return;
    }
    if (operator) return modeling.updateModdleProperties(element, operator, { id: name });
    const created = moddle.create('spiffworkflow:ServiceTaskOperator', { id: name });
    setBodyExtension(injector, element, bo, 'spiffworkflow:ServiceTaskOperator', created);
  }

  function parameter(name) {
    const operator = operatorOf(bo);
    const list = (operator && operator.parameterList && operator.parameterList.parameters) || [];
    return list.find((p) => p.id === name) || null;
  }

  function setParameter(name, value) {
    const operator = operatorOf(bo);
    if (!operator) return;
    let container = operator.parameterList;
    if (!container) {
      container = moddle.create('spiffworkflow:Parameters', { parameters: [] });
      container.$parent = operator;
      modeling.updateModdleProperties(element, operator, { parameterList: container });
    }
    const list = container.parameters || [];
    const existing = list.find((p) => p.id === name);
    if (!value) {
      if (existing) modeling.updateModdleProperties(element, container, { parameters: list.filter((p) => p !== existing) });
    } else if (existing) {
      modeling.updateModdleProperties(element, existing, { value });
    } else {
      const created = moddle.create('spiffworkflow:Parameter', { id: name, type: 'any', value });
      created.$parent = container;
      modeling.updateModdleProperties(element, container, { parameters: [...list, created] });
    }
  }

  const offered = operators.map((o) => ({ value: o.name, label: o.name }));
  const entries = [
    select('af-operator', T.operator, () => (current ? current.id : ''), setOperator, () => choices(T, offered, current && current.id), {
      description: chosen ? chosen.doc : T.operator_hint,
    }),
  ];
  if (current) {
    entries.push(
      text('af-result', T.result_variable, () => current.resultVariable || '', (value) =>
        modeling.updateModdleProperties(element, current, { resultVariable: value || undefined }),
      ),
    );
    const documented = chosen ? chosen.parameters : [];
    const present = ((current.parameterList && current.parameterList.parameters) || []).map((p) => p.id);
    const names = [...documented.map((p) => p.name), ...present.filter((n) => !documented.some((p) => p.name === n))];
    for (const name of names) {
      const spec = documented.find((p) => p.name === name);
      entries.push(
        text(`af-param-${name}`, `${T.parameter} ${name}${spec && spec.required ? ' *' : ''}`, () => {
          const found = parameter(name);
          return found ? found.value : '';
        }, (value) => setParameter(name, value), {
          description: T.parameter_hint,
          validate: (value) => (spec && spec.required && !value ? T.required : null),
        }),
      );
    }
  }
  return entries;
}

function callEntries(element, injector, T, config) {
  if (!is(element, 'bpmn:CallActivity')) return [];
  const bo = element.businessObject;
  const modeling = injector.get('modeling');
  const offered = config.catalog.processes.map((p) => ({ value: p.key, label: `${p.name || p.key} (${p.key}, v${p.version})` }));
  return [
    select('af-called', T.called, () => bo.calledElement || '', (value) =>
      modeling.updateProperties(element, { calledElement: value || undefined }), () => choices(T, offered, bo.calledElement)),
  ];
}

function decisionEntries(element, injector, T, config) {
  if (!is(element, 'bpmn:BusinessRuleTask')) return [];
  const bo = element.businessObject;
  const type = 'spiffworkflow:CalledDecisionId';
  const get = () => {
    const [found] = extensionsOf(bo, type);
    return found ? found.value : '';
  };
  const names = config.catalog.decision_names || {};
  const offered = config.catalog.decisions.map((d) => ({ value: d, label: names[d] ? `${names[d]} (${d})` : d }));
  return [select('af-decision', T.decision, get, (value) => setBodyExtension(injector, element, bo, type, value), () => choices(T, offered, get()))];
}

/** A multi-instance's collections and per-instance variables, by name (as SpiffWorkflow reads them). */
function multiInstanceEntries(element, injector, T) {
  const loop = element.businessObject.loopCharacteristics;
  if (!loop || !is(loop, 'bpmn:MultiInstanceLoopCharacteristics')) return [];
  const modeling = injector.get('modeling');
  const factory = injector.get('bpmnFactory');
  const named = (property) => [
    () => (loop[property] && loop[property].id) || '',
    (value) => modeling.updateModdleProperties(element, loop, { [property]: value ? { id: value } : undefined }),
  ];
  const item = (property, type) => [
    () => (loop[property] && loop[property].name) || '',
    (value) =>
      modeling.updateModdleProperties(element, loop, {
        [property]: value ? factory.create(type, { id: value, name: value }) : undefined,
      }),
  ];
  const identifier = (value) => (value && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value) ? T.identifier : null);
  return [
    text('af-mi-input', T.mi_input, ...named('loopDataInputRef'), { description: T.mi_input_hint, validate: identifier }),
    text('af-mi-input-item', T.mi_input_item, ...item('inputDataItem', 'bpmn:DataInput'), { validate: identifier }),
    text('af-mi-output', T.mi_output, ...named('loopDataOutputRef'), { validate: identifier }),
    text('af-mi-output-item', T.mi_output_item, ...item('outputDataItem', 'bpmn:DataOutput'), { validate: identifier }),
  ];
}

function loopEntries(element, injector, T) {
  const loop = element.businessObject.loopCharacteristics;
  if (!loop || !is(loop, 'bpmn:StandardLoopCharacteristics')) return [];
  const modeling = injector.get('modeling');
  const factory = injector.get('bpmnFactory');
  return [
    text('af-loop-maximum', T.loop_maximum, () => (loop.loopMaximum === undefined ? '' : String(loop.loopMaximum)), (value) =>
      modeling.updateModdleProperties(element, loop, { loopMaximum: value ? Number(value) : undefined }), {
      validate: (value) => (value && !/^\d+$/.test(value) ? T.whole_number : null),
    }),
    code(
      'af-loop-condition',
      T.loop_condition,
      'eval',
      () => (loop.loopCondition && loop.loopCondition.body) || '',
      (value) =>
        modeling.updateModdleProperties(element, loop, {
          loopCondition: value ? factory.create('bpmn:FormalExpression', { body: value }) : undefined,
        }),
    ),
  ];
}

/** The step properties of human tasks (the SLA budget, the form or the page it is done on, who may take it …). */
function humanEntries(element, injector, T, config) {
  if (!HUMAN.some((type) => is(element, type))) return [];
  const values = () => {
    const found = {};
    const container = propertiesOf(element.businessObject);
    for (const prop of (container && container.properties) || []) found[prop.name] = prop.value;
    return found;
  };
  const get = (name) => () => values()[name] || '';
  const set = (name) => (value) => setProperty(injector, element, name, (value || '').trim());
  const check = (pattern, message) => (value) => (value && !pattern.test(value.trim()) ? T[message] : null);
  const forms = config.catalog.forms.map((f) => ({ value: f, label: f }));
  const pages = (config.catalog.pages || []).map((p) => ({ value: p.name, label: p.label }));
  return [
    text('af-budget', T.budget, get('budget'), set('budget'), { description: T.budget_hint, validate: check(DURATION, 'budget_bad') }),
    select('af-form', T.form, get('form'), set('form'), () => choices(T, forms, values().form), { description: T.form_hint }),
    select('af-page', T.page, get('page'), set('page'), () => choices(T, pages, values().page), { description: T.page_hint }),
    text('af-candidate_groups', T.candidate_groups, get('candidate_groups'), set('candidate_groups'), { description: T.candidate_groups_hint }),
    text('af-assignee_from', T.assignee_from, get('assignee_from'), set('assignee_from'), { description: T.assignee_from_hint }),
    text('af-check', T.check, get('check'), set('check'), { description: T.check_hint }),
    text('af-calendar', T.calendar, get('calendar'), set('calendar'), { description: T.calendar_hint }),
    text('af-warn_before', T.warn_before, get('warn_before'), set('warn_before'), { description: T.warn_before_hint, validate: check(DURATION, 'budget_bad') }),
    text('af-escalate_unclaimed', T.escalate_unclaimed, get('escalate_unclaimed'), set('escalate_unclaimed'), { description: T.escalate_hint, validate: check(RULE, 'escalate_bad') }),
    text('af-escalate_incomplete', T.escalate_incomplete, get('escalate_incomplete'), set('escalate_incomplete'), { description: T.escalate_hint, validate: check(RULE, 'escalate_bad') }),
  ];
}

function laneEntries(element, injector, T) {
  if (!is(element, 'bpmn:Lane')) return [];
  return [{ id: 'af-lane', component: Note, text: T.lane_hint }];
}

const BUILDERS = [
  conditionEntries,
  scriptEntries,
  timerEntries,
  messageEntries,
  serviceEntries,
  callEntries,
  decisionEntries,
  multiInstanceEntries,
  loopEntries,
  humanEntries,
  laneEntries,
];

function AwardflowPropertiesProvider(propertiesPanel, injector, config) {
  this.getGroups = (element) => (groups) => {
    const entries = BUILDERS.flatMap((build) => build(element, injector, config.texts, config));
    if (entries.length) groups.splice(1, 0, { id: 'awardflow', label: config.texts.group, entries, shouldOpen: true });
    return groups;
  };
  propertiesPanel.registerProvider(400, this);
}
AwardflowPropertiesProvider.$inject = ['propertiesPanel', 'injector', 'awardflowConfig'];

export default {
  __init__: ['awardflowPropertiesProvider'],
  awardflowPropertiesProvider: ['type', AwardflowPropertiesProvider],
};
