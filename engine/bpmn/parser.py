"""The BPMN parser the engine (and the deploy check) uses: SpiffWorkflow's, with start events read as drawn.

SpiffWorkflow 3.2's start-event parser reads message, signal, timer and conditional definitions only: an error
or escalation start event of an event subprocess is read as a none start, so the subprocess runs as soon as its
instance starts (measured on the same diagram). Reading those two definitions too is all it takes: the rest of
SpiffWorkflow (throwing, catching by code, interrupting or not) then runs them as it runs message ones.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.event_parsers import (
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.spiff.parser import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.event_parsers import SpiffStartEventParser

__all__ = ["Parser"]

#: The definitions a start event may carry (SpiffWorkflow's four, and error and escalation).
START_DEFINITIONS = [
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
]


class StartEventParser(SpiffStartEventParser):  # type: ignore[misc]
    """A start event with any of :data:`START_DEFINITIONS` (SpiffWorkflow's own ``create_task``, one list longer)."""

    def create_task(self) -> Any:
        task = self._create_task(self.get_event_definition(START_DEFINITIONS))
        self.spec.start.connect(task)
        return task


class Parser(SpiffBpmnParser):  # type: ignore[misc]
    """SpiffWorkflow's parser with :class:`StartEventParser`."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("startEvent"): (StartEventParser, StartEvent),
    }
