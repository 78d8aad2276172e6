"""Safe reading of untrusted BPMN/DMN XML, schema (XSD) checks, and helpers to point at elements.

Deployment bundles come from designers' uploads, so the XML is hostile until proven otherwise: no DTDs, no
entities (billion laughs, XXE), no network, no huge trees. Everything here returns ``Problem`` lists instead
of raising, so a caller can collect every finding of a bundle at once.
"""

from __future__ import annotations

import copy
import re
import threading
from collections.abc import Iterator
from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.dmn.parser.BpmnDmnParser import SCHEMAS as DMN_SCHEMAS
from SpiffWorkflow.spiff.parser import VALIDATOR

from engine.bpmn.problem_codes import ENGLISH, problem
from engine.errors import Problem
from engine.values import unshowable

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "spiffworkflow": SPIFF}
DMN_NAMESPACES = frozenset(DMN_SCHEMAS)

ERROR = "error"
WARNING = "warning"

#: An upload larger than this is refused before parsing; real diagrams are a few hundred KB at most.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: At most this many schema errors are listed per file; the rest are counted.
MAX_SCHEMA_ERRORS = 50

DTD_MESSAGE = ENGLISH["xml.dtd"]
#: At most this many elements with hidden characters are listed per file.
MAX_HIDDEN = 10
_DTD_MARK = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_PREFIXES = {BPMN: "bpmn", BPMNDI: "bpmndi", DC: "dc", DI: "di", SPIFF: "spiffworkflow"}
_PREFIXES.update({namespace: "dmn" for namespace in DMN_NAMESPACES})
_SCHEMA_LOCK = threading.Lock()  # lxml's XMLSchema keeps its error log on the shared schema object


def _parser() -> etree.XMLParser:
    """A fresh parser per document (lxml parsers are not shared across threads), locked down."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(file: str, data: bytes) -> tuple[etree._ElementTree | None, list[Problem]]:
    """Parse one uploaded XML file, refusing DTDs and entities; a tree, or the problems that stop it."""
    if len(data) > MAX_FILE_BYTES:
        return None, [problem(file, None, "file.too_large", mb=MAX_FILE_BYTES // (1024 * 1024))]
    if not data.strip():
        return None, [problem(file, None, "file.empty")]
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        if _DTD_MARK.search(data):
            return None, [problem(file, None, "xml.dtd", line=exc.lineno or None)]
        code = "xml.malformed_encoding" if "encoding" in exc.msg.lower() else "xml.malformed"
        return None, [problem(file, None, code, line=exc.lineno or None, detail=exc.msg)]
    if root is None:
        return None, [problem(file, None, "xml.no_root")]
    tree = root.getroottree()
    if tree.docinfo.doctype or _has_entity(root):
        return None, [problem(file, None, "xml.dtd", line=1)]
    hidden = _unshowable(file, root)
    return (None, hidden) if hidden else (tree, [])


def _unshowable(file: str, root: etree._Element) -> list[Problem]:
    """A name or text holding a bidirectional override (``\u202e``) reads otherwise than it is written, on the
    canvas, in the task list and in the letters: one finding per element (at most :data:`MAX_HIDDEN`)."""
    found: list[Problem] = []
    for element in elements(root):
        texts = [element.text or "", *element.attrib.values()]
        char = next((c for text in texts if (c := unshowable(text))), None)
        if char:
            where = host_id(element)
            found.append(problem(file, where, "xml.unshowable", line=element.sourceline, char=char))
            if len(found) == MAX_HIDDEN:
                break
    return found


def _has_entity(root: etree._Element) -> bool:
    """True if an (unresolved) entity reference survived parsing."""
    return any(isinstance(node, etree._Entity) for node in root.iter())


def check_root(file: str, tree: etree._ElementTree, kind: str) -> list[Problem]:
    """The document element must be BPMN (or DMN) ``definitions``; anything else is not ours to run."""
    root = tree.getroot()
    qname = etree.QName(root)
    wrong_bpmn = kind == "bpmn" and qname.namespace != BPMN
    if wrong_bpmn or qname.localname != "definitions":
        expected = "bpmn:definitions" if kind == "bpmn" else "DMN definitions"
        root_tag = short_tag(root.tag)
        return [
            problem(
                file, None, "xml.wrong_root", line=root.sourceline, kind=kind.upper(), root=root_tag, expected=expected
            )
        ]
    if kind == "dmn":
        if qname.namespace not in DMN_NAMESPACES:
            return [problem(file, None, "dmn.unknown_namespace", line=root.sourceline, namespace=qname.namespace)]
        if qname.namespace not in (root.nsmap.get(None), root.nsmap.get("dmn")):
            return [problem(file, None, "dmn.namespace_prefix", line=root.sourceline)]
    return []


def schema_problems(file: str, tree: etree._ElementTree, kind: str) -> list[Problem]:
    """Validate against the BPMN 2.0 + spiffworkflow XSDs (or the DMN XSD); one problem per XSD error."""
    if kind == "bpmn":
        validator = VALIDATOR
    else:
        validator = _dmn_validator(etree.QName(tree.getroot()).namespace or "")
    candidate = copy.deepcopy(tree.getroot())  # Spiff's preprocess renames tags in place
    with _SCHEMA_LOCK:
        validator.preprocess(candidate)
        if validator.validator.validate(candidate):
            return []
        errors = [(entry.line, entry.message) for entry in validator.validator.error_log]
    problems = [
        problem(file, element_id_at(tree, line), "schema.invalid", line=line or None, detail=shorten(message))
        for line, message in errors[:MAX_SCHEMA_ERRORS]
    ]
    if len(errors) > MAX_SCHEMA_ERRORS:
        hidden = len(errors) - MAX_SCHEMA_ERRORS
        problems.append(problem(file, None, "schema.more", count=hidden))
    return problems


@lru_cache(maxsize=len(DMN_SCHEMAS))
def _dmn_validator(namespace: str) -> BpmnValidator:
    """Build a DMN schema validator once per DMN version (loading the XSDs costs tens of ms)."""
    return BpmnValidator(DMN_SCHEMAS[namespace])


def short_tag(tag: str) -> str:
    """``{BPMN-ns}userTask`` -> ``bpmn:userTask`` for messages people read."""
    qname = etree.QName(tag)
    prefix = _PREFIXES.get(qname.namespace or "")
    if prefix:
        return f"{prefix}:{qname.localname}"
    return qname.localname if qname.namespace is None else f"{{{qname.namespace}}}{qname.localname}"


def shorten(message: str) -> str:
    """Replace full namespace URIs in an lxml message by their usual prefixes."""
    for namespace, prefix in _PREFIXES.items():
        message = message.replace(f"{{{namespace}}}", f"{prefix}:")
    return message


def elements(root: etree._Element) -> Iterator[etree._Element]:
    """Every element (no comments, processing instructions or entities)."""
    found: Iterator[etree._Element] = root.iter(etree.Element)
    return found


def host_id(element: etree._Element) -> str | None:
    """The id of the nearest element (itself or an ancestor) that has one: the BPMN element to blame."""
    node: etree._Element | None = element
    while node is not None:
        found: str | None = node.get("id")
        if found:
            return found
        node = node.getparent()
    return None


def owner_id(element: etree._Element) -> str | None:
    """The id of the flow element an expression belongs to: the event, not its timerEventDefinition."""
    node = element.getparent()
    while node is not None:
        qname = etree.QName(node)
        found: str | None = node.get("id")
        if (
            found
            and qname.namespace == BPMN
            and qname.localname not in _NOT_OWNERS
            and not qname.localname.endswith("EventDefinition")
        ):
            return found
        node = node.getparent()
    return host_id(element)


_NOT_OWNERS = frozenset({"multiInstanceLoopCharacteristics", "standardLoopCharacteristics"})


def element_id_at(tree: etree._ElementTree, line: int | None) -> str | None:
    """The id of the element that starts on ``line`` (or encloses it), to name it in a schema error."""
    if not line:
        return None
    best: etree._Element | None = None
    for element in elements(tree.getroot()):
        if element.sourceline is None:
            continue
        if element.sourceline > line:
            break
        if best is None or best.sourceline != line:  # the first element that starts on the line wins
            best = element
    return host_id(best) if best is not None else None


def line_of(tree: etree._ElementTree, element_id: str | None) -> int | None:
    """Source line of the element with this id (SpiffWorkflow's errors name elements but not lines)."""
    if not element_id:
        return None
    for element in elements(tree.getroot()):
        if element.get("id") == element_id:
            line_number: int | None = element.sourceline
            return line_number
    return None


def text_of(tree: etree._ElementTree, data: bytes) -> str:
    """The uploaded bytes as text, decoded the way the parser read them (declared encoding or UTF-8)."""
    encoding = (tree.docinfo.encoding or "utf-8").lower()
    try:
        return data.decode("utf-8-sig" if encoding in ("utf-8", "utf8") else encoding, errors="replace")
    except LookupError:  # an encoding libxml2 knows and Python does not
        return data.decode("utf-8", errors="replace")


def serialize(tree: etree._ElementTree) -> str:
    """The document as text the engine can parse, with every element on its original line.

    The XML declaration is dropped (lxml refuses a ``str`` that declares an encoding) and replaced by blank
    lines, so line numbers in runtime errors still match the designer's file.
    """
    root = tree.getroot()
    padding = "\n" * max((root.sourceline or 1) - 1, 0)
    text: str = etree.tostring(root, encoding="unicode", with_tail=False)
    return padding + text
