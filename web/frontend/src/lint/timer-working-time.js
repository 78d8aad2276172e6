// awardflow/timer-working-time: a timer written with the working-time helpers must read as the engine reads
// it: working_days_after(N) with a number, working_time_after("4WH") with an amount of WD, WH or WM, both as
// a timer of type Date (they give a moment); a bare amount such as "2WD" is no ISO 8601 value.
import { is } from 'bpmnlint-utils';

export const MESSAGES = {
  kind: 'Working-time helpers give a date: choose the timer type Date',
  days: 'working_days_after needs a number of working days, e.g. working_days_after(2)',
  time: 'working_time_after needs a working time such as "4WH" or "0.5WD"',
  bare: 'A working-time amount is not a timer value: write working_time_after("2WD")',
};
const AMOUNT = /^\s*[+-]?(\d{1,4}(\.\d*)?|\.\d+)\s*(WD|WH|WM)\s*$/i;
const NUMBER_OR_NAME = /^\s*([+-]?(\d+(\.\d*)?|\.\d+)|[A-Za-z_][A-Za-z0-9_.]*)\s*$/;
const QUOTED = /^\s*(["'])(.*)\1\s*$/s;
const NAME = /^\s*[A-Za-z_][A-Za-z0-9_.]*\s*$/;

/** working_time_after's argument: a quoted amount ("4WH"), or a variable holding one. */
function badAmount(arg) {
  const quoted = QUOTED.exec(arg);
  return quoted ? !AMOUNT.test(quoted[2]) : !NAME.test(arg);
}

/** The first argument of each call of `name` in `text` (up to a comma or the closing bracket). */
function firstArguments(text, name) {
  const found = [];
  const pattern = new RegExp(`\\b${name}\\s*\\(([^,)]*)`, 'g');
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) found.push(match[1]);
  return found;
}

/** What is wrong with one timer's expression (a key of MESSAGES), or null. */
export function timerProblem(kind, body) {
  const text = (body || '').trim();
  const quoted = QUOTED.exec(text);
  if (AMOUNT.test(quoted ? quoted[2] : text)) return 'bare';
  const days = firstArguments(text, 'working_days_after');
  const times = firstArguments(text, 'working_time_after');
  if (!days.length && !times.length) return null;
  if (kind !== 'timeDate') return 'kind';
  if (days.some((arg) => !NUMBER_OR_NAME.test(arg))) return 'days';
  if (times.some(badAmount)) return 'time';
  return null;
}

export default function timerWorkingTime() {
  function check(node, reporter) {
    if (!is(node, 'bpmn:Event')) return;
    for (const definition of node.eventDefinitions || []) {
      if (!is(definition, 'bpmn:TimerEventDefinition')) continue;
      for (const kind of ['timeDuration', 'timeDate', 'timeCycle']) {
        const expression = definition[kind];
        const problem = expression ? timerProblem(kind, expression.body) : null;
        if (problem) reporter.report(node.id, MESSAGES[problem]);
      }
    }
  }
  return { check };
}
