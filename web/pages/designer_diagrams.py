"""New diagrams for the designer: a blank process, or a copy of a deployed one under a new key.

The XML is made here (not in the browser) so the process id, which the engine uses as the process key,
is checked once: a valid XML name that no deployed process has.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from lxml import etree

from engine.bpmn.xml import BPMN, BPMNDI, parse_xml
from engine.errors import InvalidInput
from web import i18n

i18n.TEXTS.update(
    {
        "designer.bad_key": (
            "Mã quy trình: chỉ gồm chữ cái không dấu, chữ số, dấu gạch dưới và gạch ngang, bắt đầu bằng chữ cái"
            " (tối đa 100 ký tự).",
            "Process key: letters, digits, underscores and hyphens only, starting with a letter (at most 100).",
        ),
        "designer.key_taken": (
            "Mã quy trình: đã có quy trình {process}; hãy mở nó trong danh sách thay vì tạo mới.",
            "Process key: {process} is already deployed; open it from the list instead.",
        ),
        "designer.bad_name": (
            "Tên quy trình: cần từ 1 đến {limit} ký tự.",
            "Process name: 1 to {limit} characters.",
        ),
        "designer.bad_template": ("Bắt đầu từ: không có quy trình mẫu này.", "Start from: no such process."),
    }
)

#: A process key: an XML name the engine and the URLs both take (no dots: they would read as a file suffix).
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,99}")
NAME_LIMIT = 200

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
  id="Definitions_{key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id={key_attr} name={name_attr} isExecutable="true">
    <bpmn:startEvent id="start_event" name="Bắt đầu" />
  </bpmn:process>
  <bpmndi:BPMNDiagram id="BPMNDiagram_{key}">
    <bpmndi:BPMNPlane id="BPMNPlane_{key}" bpmnElement={key_attr}>
      <bpmndi:BPMNShape id="start_event_di" bpmnElement="start_event">
        <dc:Bounds x="180" y="160" width="36" height="36" />
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def check_new(key: str, name: str, deployed: frozenset[str]) -> None:
    """InvalidInput naming ``key`` or ``name`` (its message in the page's language) unless they can start a
    new process."""
    if not KEY.fullmatch(key):
        raise InvalidInput("bad process key", {"key": [i18n.gettext("designer.bad_key")]})
    if key in deployed:
        raise InvalidInput("process key taken", {"key": [i18n.gettext("designer.key_taken", process=key)]})
    if not name.strip() or len(name) > NAME_LIMIT:
        raise InvalidInput("bad process name", {"name": [i18n.gettext("designer.bad_name", limit=NAME_LIMIT)]})


def blank(key: str, name: str) -> str:
    """A process with only its start event."""
    return BLANK.format(key=key, key_attr=quoteattr(key), name_attr=quoteattr(name.strip()))


def copy_of(xml: str, template: str, key: str, name: str) -> str:
    """The deployed ``template`` diagram with its process renamed to ``key``; every reference follows."""
    tree, problems = parse_xml(f"{template}.bpmn", xml.encode())
    if tree is None:
        raise InvalidInput(
            f"the template {template!r} cannot be read", {"template": [i18n.gettext("designer.bad_template")]}
        )
    root = tree.getroot()
    process = root.find(f"{{{BPMN}}}process[@id={quoteattr(template)}]")
    if process is None:
        raise InvalidInput(
            f"no process {template!r} in its file", {"template": [i18n.gettext("designer.bad_template")]}
        )
    process.set("id", key)
    process.set("name", name.strip())
    for referring in root.iter(f"{{{BPMN}}}participant", f"{{{BPMNDI}}}BPMNPlane"):
        for attribute in ("processRef", "bpmnElement"):
            if referring.get(attribute) == template:
                referring.set(attribute, key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode()
