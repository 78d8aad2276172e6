"""Extensions of other engines (Camunda, Zeebe, Activiti, Flowable, ...) and foreign expression languages.

Diagrams drawn in another vendor's modeler carry that vendor's extensions. Those that only decorate
(``camunda:asyncBefore``, form keys, input/output mappings) are ignored with a warning; those that *are*
the behaviour (a Java class, a JUEL or FEEL expression, a Zeebe job type, a listener, a Groovy script) would
silently do nothing here, so they are errors that say what to write instead.
"""

from __future__ import annotations

import re

from lxml import etree

from engine.bpmn.problem_codes import problem
from engine.bpmn.xml import BPMN, BPMNDI, DC, DI, ERROR, SPIFF, WARNING, elements, host_id, short_tag
from engine.errors import Problem

VENDORS = {
    "http://camunda.org/schema/1.0/bpmn": "Camunda",
    "http://camunda.org/schema/1.0/dmn": "Camunda",
    "http://camunda.org/schema/modeler/1.0": "Camunda Modeler",
    "http://camunda.org/schema/zeebe/1.0": "Zeebe (Camunda 8)",
    "http://activiti.org/bpmn": "Activiti",
    "http://flowable.org/bpmn": "Flowable",
    "http://www.jboss.org/drools": "jBPM",
    "http://www.signavio.com": "Signavio",
}
#: Namespaces that are ours or part of the standard (diagram colours included): never reported.
STANDARD = frozenset(
    {
        BPMN,
        BPMNDI,
        DC,
        DI,
        SPIFF,
        "http://www.w3.org/2001/XMLSchema-instance",
        "http://www.w3.org/2001/XMLSchema",
        "http://www.w3.org/XML/1998/namespace",
        "http://bpmn.io/schema/bpmn/biocolor/1.0",
        "http://www.omg.org/spec/BPMN/non-normative/color/1.0",
    }
)
PYTHON_HINT = "awardflow runs Python expressions"

_OPERATOR = "use a spiffworkflow:serviceTaskOperator"
_MAPPING = "map variables with spiffworkflow pre/post scripts"
#: Vendor attributes that carry behaviour we cannot run -> what to use instead.
_BEHAVIOUR_ATTRIBUTES = {
    "class": "calls a Java class; use a spiffworkflow:serviceTaskOperator (a Python handler)",
    "delegateExpression": "is a JUEL delegate expression; use a spiffworkflow:serviceTaskOperator",
    "expression": f"is a JUEL expression; {PYTHON_HINT}: use a spiffworkflow:serviceTaskOperator or a script",
    "type": f"selects a vendor implementation (external, http, mail ...); {_OPERATOR}",
    "topic": "is an external-task topic; use a spiffworkflow:serviceTaskOperator",
    "decisionRef": "names a vendor decision; use spiffworkflow:calledDecisionId",
    "resource": "loads a script from a vendor resource; put the Python script in bpmn:script",
    "variableMappingClass": f"calls a Java class; {_MAPPING}",
    "variableMappingDelegateExpression": f"is a JUEL expression; {_MAPPING}",
}
#: Vendor elements that carry behaviour we cannot run -> what to use instead.
_BEHAVIOUR_ELEMENTS = {
    "taskDefinition": "sends the task to a Zeebe job worker; use a spiffworkflow:serviceTaskOperator",
    "executionListener": "is a listener awardflow does not run; use spiffworkflow:preScript/postScript",
    "taskListener": "is a listener awardflow does not run; use spiffworkflow:preScript/postScript",
    "connector": "is a vendor connector; use a spiffworkflow:serviceTaskOperator",
    "calledDecision": "names a vendor decision; use spiffworkflow:calledDecisionId",
    "script": f"is a vendor script; {PYTHON_HINT}: put a Python script in bpmn:script",
}
_JUEL = re.compile(r"[$#]\{.*\}", re.DOTALL)


def vendor_of(namespace: str | None) -> str | None:
    """The vendor that owns a namespace, ``"unknown"`` for a non-standard one, None for ours."""
    if namespace is None or namespace in STANDARD:
        return None
    return VENDORS.get(namespace, "unknown")


def vendor_problems(file: str, root: etree._Element) -> list[Problem]:
    """Warnings for ignored vendor extensions, errors for vendor behaviour awardflow cannot execute."""
    problems: list[Problem] = []
    for element in elements(root):
        vendor = vendor_of(etree.QName(element).namespace)
        if vendor is not None:
            problems.extend(_vendor_element(file, element, vendor))
        else:
            problems.extend(_vendor_attributes(file, element))
            problems.extend(_script_format(file, element))
    return problems


def _vendor_element(file: str, element: etree._Element, vendor: str) -> list[Problem]:
    """An element in a vendor namespace: an error if it is behaviour, else one warning per outermost one."""
    local = etree.QName(element).localname
    owner = _bpmn_host(element)
    where = _named(element)
    if local in _BEHAVIOUR_ELEMENTS and vendor != "unknown":
        instead = _BEHAVIOUR_ELEMENTS[local]
        return [
            problem(
                file, owner, "vendor.behaviour", ERROR, element.sourceline, where=where, instead=instead, vendor=vendor
            )
        ]
    parent = element.getparent()
    if parent is not None and vendor_of(etree.QName(parent).namespace) is not None:
        return []  # reported with its outermost vendor ancestor
    phrase = _vendor_phrase(vendor, element)
    return [
        problem(file, owner, "vendor.ignored", WARNING, element.sourceline, where=where, phrase=phrase, vendor=vendor)
    ]


def _vendor_attributes(file: str, element: etree._Element) -> list[Problem]:
    """Vendor attributes on a standard element (``camunda:asyncBefore="true"`` ...)."""
    problems: list[Problem] = []
    for name, value in element.attrib.items():
        qname = etree.QName(name)
        vendor = vendor_of(qname.namespace)
        if vendor is None:
            continue
        what = f'{_prefixed(element, name)}="{value}" on {_describe(element)}'
        owner, line = host_id(element), element.sourceline
        if qname.localname in _BEHAVIOUR_ATTRIBUTES and vendor != "unknown":
            instead = _BEHAVIOUR_ATTRIBUTES[qname.localname]
            problems.append(
                problem(file, owner, "vendor.behaviour", ERROR, line, where=what, instead=instead, vendor=vendor)
            )
        else:
            phrase = _vendor_phrase(vendor, element, name)
            problems.append(
                problem(file, owner, "vendor.ignored", WARNING, line, where=what, phrase=phrase, vendor=vendor)
            )
    return problems


def _script_format(file: str, element: etree._Element) -> list[Problem]:
    """A script task must be Python; ``scriptFormat="groovy"`` (or javascript, ...) cannot run here."""
    fmt = element.get("scriptFormat")
    if etree.QName(element).namespace != BPMN or not fmt or is_python(fmt):
        return []
    where = _describe(element)
    return [problem(file, host_id(element), "script.language", ERROR, element.sourceline, where=where, language=fmt)]


def is_python(language: str) -> bool:
    """``python``, ``Python3``, ``text/x-python`` ... all name Python."""
    return "python" in language.lower()


def foreign_language(text: str, language: str | None = None) -> str | None:
    """Name the non-Python language an expression is written in, or None if it may be Python.

    FEEL (Camunda 8) starts with ``=``; JUEL (Camunda 7, Activiti, Flowable) is ``${...}`` / ``#{...}``. A
    ``language`` attribute naming something else wins. A JUEL-looking text that is valid Python (a string
    literal containing ``${x}``) is Python.
    """
    if language and not is_python(language):
        return language
    stripped = text.strip()
    if stripped.startswith("="):
        return "FEEL (Camunda 8)"
    if _JUEL.search(stripped) and not _compiles(stripped):
        return "JUEL (Camunda 7)"
    return None


def _compiles(source: str) -> bool:
    try:
        compile(source, "<expr>", "eval", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _bpmn_host(element: etree._Element) -> str | None:
    """The id of the BPMN element a vendor extension hangs on."""
    node = element.getparent()
    while node is not None and (etree.QName(node).namespace != BPMN or not node.get("id")):
        node = node.getparent()
    return node.get("id") if node is not None else None


def _describe(element: etree._Element) -> str:
    """``bpmn:serviceTask send_mail`` for messages."""
    element_id = element.get("id")
    return f"{short_tag(element.tag)} {element_id}" if element_id else short_tag(element.tag)


def _named(element: etree._Element) -> str:
    owner = _bpmn_host(element)
    return f"{_prefixed(element, element.tag)} on {owner}" if owner else _prefixed(element, element.tag)


def _prefixed(element: etree._Element, name: str) -> str:
    """``camunda:asyncBefore`` using the prefix the file itself declares."""
    qname = etree.QName(name)
    for prefix, namespace in element.nsmap.items():
        if namespace == qname.namespace and prefix:
            return f"{prefix}:{qname.localname}"
    return short_tag(name)


def _vendor_phrase(vendor: str, element: etree._Element, name: str | None = None) -> str:
    if vendor != "unknown":
        return f"a {vendor} extension"
    return f"an extension in the unknown namespace {etree.QName(name or element.tag).namespace}"
