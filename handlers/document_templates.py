"""The wording of the dossier's documents as templates a designer edits, versioned by effective date.

A template is Jinja2 text run in a :class:`~jinja2.sandbox.SandboxedEnvironment` over plain values (strings,
numbers, lists and dicts made for it, never a database row). Its output is read line by line: ``# …`` is the
document's title, ``## …`` its subtitle, ``**…**`` a bold paragraph, ``^ …`` a bold centred one, ``[bảng]`` places
the next table the code made, ``[chữ ký]`` the signature, any other line a paragraph. The code keeps what must stay
right whatever the wording: the national header, the number and dateline, the fonts and layout
(:mod:`handlers.render`), and the tables' figures.

Why Jinja and not docxtpl: the PDF is the document of record and the checks below need the template's syntax
tree; a Word template hides its text in XML runs a designer cannot see break. Why these checks on top of the
sandbox: the sandbox stops attribute access to internals at run time, but not work or output without bound. So a
template may call nothing (no ``range``, no methods), loop at most two deep over the lists it is given, assign
nothing, multiply nothing, use only the filters listed, and its output is cut at :data:`MAX_OUTPUT`.

The version in force on a dossier's submission day is used; before any is published, the shipped default
(``processes/documents/<kind>.j2``). A published version never changes (:func:`publish` refuses a date already
taken and a date already past).
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NoReturn

from jinja2 import StrictUndefined, Template, TemplateSyntaxError, nodes
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine import clock
from engine.errors import Conflict, InvalidInput
from handlers.models import DocumentTemplate
from handlers.render import Block, Paragraph, Signature, Table
from handlers.rulesets import far_ahead, furthest_effective
from handlers.timefmt import local_day

__all__ = [
    "KINDS",
    "SHIPPED",
    "Wording",
    "in_force",
    "publish",
    "render",
    "require_kind",
    "shipped",
    "versions",
    "wording",
]

#: The shipped defaults, one file per kind.
SHIPPED = Path(__file__).resolve().parent.parent / "processes" / "documents"
#: The documents whose wording is a template, with their Vietnamese names.
KINDS: dict[str, str] = {
    "receipt": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
    "supplement_request": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "refusal": "Phiếu từ chối tiếp nhận, giải quyết hồ sơ",
    "apology": "Văn bản xin lỗi và hẹn lại ngày trả kết quả",
    "control_slip": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "minutes": "Biên bản kiểm phiếu",
    "draft_decision": "Dự thảo quyết định khen thưởng",
    "decision": "Quyết định khen thưởng",
}
MAX_SOURCE = 20_000
MAX_OUTPUT = 50_000
MAX_LOOP_DEPTH = 2
FILTERS = frozenset({"upper", "lower", "capitalize", "title", "trim", "join", "length", "first", "last", "default"})
#: Nodes a template may not hold, with the Vietnamese name of what they are.
_REFUSED: dict[type[nodes.Node], str] = {
    nodes.Call: "lời gọi hàm",
    nodes.Macro: "macro",
    nodes.CallBlock: "khối call",
    nodes.Assign: "lệnh set",
    nodes.AssignBlock: "lệnh set",
    nodes.Extends: "extends",
    nodes.Include: "include",
    nodes.Import: "import",
    nodes.FromImport: "import",
    nodes.FilterBlock: "khối filter",
    nodes.Mul: "phép nhân",
    nodes.Pow: "phép lũy thừa",
    nodes.FloorDiv: "phép chia",
    nodes.Mod: "phép %",  # "%0100000000d" % 1 is a hundred megabytes in one step
}
TABLE_MARK = "[bảng]"
SIGNATURE_MARK = "[chữ ký]"


#: Attribute and item reads, filters and tests one document may run: two loops over the longest text a dossier
#: holds would otherwise run millions of them, with no output to stop them.
MAX_STEPS = 100_000
_STEPS: ContextVar[list[int]] = ContextVar("template_steps")


class _TooMuchWork(Exception):
    """The template ran past :data:`MAX_STEPS`."""


def _step() -> None:
    left = _STEPS.get()
    left[0] -= 1
    if left[0] < 0:
        raise _TooMuchWork


def _counted(function: Any) -> Callable[..., Any]:
    """A filter or test that counts as a step (keeping the marker that tells Jinja what to pass it)."""

    def counted(*args: Any, **kwargs: Any) -> Any:
        _step()
        return function(*args, **kwargs)

    if hasattr(function, "jinja_pass_arg"):
        counted.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return counted


class _Env(SandboxedEnvironment):
    """The sandbox, with the filters a template may use and nothing else in scope; every read, filter and test
    counts against the document's steps."""

    def __init__(self) -> None:
        super().__init__(
            undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, autoescape=False, finalize=_quoted
        )
        self.filters = {name: _counted(self.filters[name]) for name in FILTERS}
        self.globals = {}
        self.tests = {name: _counted(self.tests[name]) for name in ("defined", "none", "number", "string")}

    def getattr(self, obj: Any, attribute: str) -> Any:
        _step()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _step()
        return super().getitem(obj, argument)


def _quoted(value: Any) -> str:
    """A value as it is printed, fenced so that data never reads as a mark (a note saying ``[chữ ký]``, a name
    starting with ``#``) and its line breaks stay inside its paragraph."""
    text = "" if value is None else str(value)
    return OPEN + text.translate(_UNFENCE).replace("\n", LINE) + CLOSE


#: Fences around printed values (control characters no input may carry, web.boundary) and a line break inside one.
OPEN, CLOSE, LINE = "\x01", "\x02", "\x03"
_UNFENCE = str.maketrans("", "", OPEN + CLOSE + LINE)
_ENV = _Env()


@dataclass(frozen=True)
class Wording:
    """A document's wording made from its template: the title and subtitle (if it gives them) and its blocks."""

    title: str | None
    blocks: tuple[Block, ...]
    subtitle: str | None = None


#: Lines that head the document (before any paragraph), by their mark.
HEADS = {"# ": "title", "## ": "subtitle"}


def render(
    kind: str, source: str, context: Mapping[str, Any], *, tables: Sequence[Table], signature: Signature | None
) -> Wording:
    """The wording of ``kind`` from ``source`` over ``context``, the code's tables and signature put where the
    template marks them (the ones it does not place go at the end); InvalidInput naming ``body`` (in Vietnamese,
    with the line) for a syntax error, a name the document does not have, a refused construct or too much text."""
    require_kind(kind)
    heads: dict[str, str] = {}
    blocks: list[Block] = []
    left = list(tables)
    signed = False
    for raw in _output(source, context).split("\n"):
        line = raw.strip()
        mark = next((m for m in HEADS if line.startswith(m)), None)
        if not _plain(line).strip():
            continue
        if mark is not None and not blocks and HEADS[mark] not in heads:
            heads[HEADS[mark]] = _plain(line[len(mark) :]).strip()
        elif line == TABLE_MARK:
            blocks.extend(left[:1])
            left = left[1:]
        elif line == SIGNATURE_MARK:
            blocks.extend((signature,) if signature and not signed else ())
            signed = True
        else:
            blocks.append(_paragraph(line))
    blocks.extend(left)
    if signature is not None and not signed:
        blocks.append(signature)
    return Wording(heads.get("title"), tuple(blocks), heads.get("subtitle"))


def _paragraph(line: str) -> Paragraph:
    """``**…**`` bold, ``^ …`` bold and centred, else a justified paragraph."""
    if len(line) > 4 and line.startswith("**") and line.endswith("**"):
        return Paragraph(_plain(line[2:-2]).strip(), bold=True)
    if line.startswith("^ "):
        return Paragraph(_plain(line[2:]).strip(), bold=True, align="C")
    return Paragraph(_plain(line).strip())


def require_kind(kind: str) -> None:
    """InvalidInput naming ``kind`` unless its wording is a template."""
    if kind not in KINDS:
        raise InvalidInput(f"no document kind {kind!r}", {"kind": ["Không có loại văn bản này."]})


def _plain(line: str) -> str:
    return line.replace(OPEN, "").replace(CLOSE, "").replace(LINE, "\n")


def _output(source: str, context: Mapping[str, Any]) -> str:
    template = _compiled(source)
    steps = _STEPS.set([MAX_STEPS])
    try:
        made: list[str] = []
        size = 0
        for piece in template.generate(**context):
            size += len(piece)
            if size > MAX_OUTPUT:
                _refuse(None, f"Văn bản sinh ra dài quá {MAX_OUTPUT} ký tự.")
            made.append(piece)
    except UndefinedError as err:
        name = str(err.message or "").split("'")[1::2]
        what = f"«{name[-1]}»" if name else "một biến"
        _refuse(_template_line(err), f"{what} không có trong dữ liệu của văn bản này.")
    except SecurityError as err:
        _refuse(_template_line(err), "truy cập bị chặn trong môi trường an toàn.")
    except (TypeError, ValueError, ArithmeticError, LookupError) as err:
        _refuse(_template_line(err), "không tính được giá trị.")
    except _TooMuchWork as err:
        _refuse(_template_line(err), f"bản mẫu cần quá {MAX_STEPS} bước tính.")
    finally:
        _STEPS.reset(steps)
    return "".join(made)


@lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    """The checked, compiled template of ``source`` (kept by its exact text, so it cannot go stale: every document
    made with the wording in force reuses it; a refusal is raised, never kept)."""
    if len(source) > MAX_SOURCE:
        _refuse(None, f"Bản mẫu dài quá {MAX_SOURCE} ký tự.")
    try:
        tree = _ENV.parse(source)
        _vet(tree)
        return _ENV.from_string(tree)
    except TemplateSyntaxError as err:
        _refuse(err.lineno, f"lỗi cú pháp ở «{_line(source, err.lineno)}».")
    except RecursionError:  # ``{{ ((((…1)))) }}``: the parser and the compiler recurse once per bracket
        _refuse(None, "biểu thức lồng quá sâu; hãy viết đơn giản hơn.")


def _vet(tree: nodes.Template) -> None:
    """Refuse what the sandbox would let run without bound, and any name that reaches for internals."""
    for node in tree.find_all(nodes.Node):
        for kind, said in _REFUSED.items():
            if isinstance(node, kind):
                _refuse(node.lineno, f"không được dùng {said}.")
        if isinstance(node, nodes.Filter | nodes.Test) and node.name not in FILTERS | set(_ENV.tests):
            _refuse(node.lineno, f"không được dùng bộ lọc «{node.name}».")
        attribute = node.attr if isinstance(node, nodes.Getattr) else None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attribute = str(node.arg.value)
        if attribute is not None and attribute.startswith("_"):
            _refuse(node.lineno, f"không được truy cập «{attribute}».")
    for loop in tree.find_all(nodes.For):
        if _depth(loop) > MAX_LOOP_DEPTH:
            _refuse(loop.lineno, f"vòng lặp lồng quá {MAX_LOOP_DEPTH} tầng.")


def _depth(loop: nodes.For) -> int:
    inner = [_depth(child) for child in _loops_in(loop)]
    return 1 + max(inner, default=0)


def _loops_in(node: nodes.Node) -> Iterator[nodes.For]:
    for child in node.iter_child_nodes():
        if isinstance(child, nodes.For):
            yield child
        else:
            yield from _loops_in(child)


def _template_line(err: BaseException) -> int | None:
    """The template's line an error was raised at (Jinja maps its frames back to the template's lines)."""
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename == "<template>"]
    return frames[-1].lineno if frames else None


def _line(source: str, number: int | None) -> str:
    lines = source.splitlines()
    text = lines[number - 1].strip() if number and 0 < number <= len(lines) else ""
    return text if len(text) <= 80 else text[:77] + "…"


def _refuse(line: int | None, message: str) -> NoReturn:
    said = message[:1].upper() + message[1:]
    raise InvalidInput(f"the template is refused (line {line})", {"body": [f"Dòng {line}: {said}" if line else said]})


# -- versions ------------------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def shipped(kind: str) -> str:
    """The default wording shipped with the product (read once: the product's files do not change under it)."""
    return (SHIPPED / f"{kind}.j2").read_text(encoding="utf-8")


def in_force(session: Session, kind: str, day: date) -> str:
    """The template of ``kind`` in force on ``day``: the newest published version effective by then, else the
    shipped default."""
    row = session.scalars(_IN_FORCE, {"kind": kind, "day": day}).first()
    return row.body if row is not None else shipped(kind)


#: built once: every document made asks for its wording
_IN_FORCE = (
    select(DocumentTemplate)
    .where(DocumentTemplate.kind == bindparam("kind"), DocumentTemplate.effective_from <= bindparam("day"))
    .order_by(DocumentTemplate.effective_from.desc())
    .limit(1)
)


def versions(session: Session, kind: str) -> list[DocumentTemplate]:
    """The published versions of ``kind``, newest effective date first."""
    stmt = select(DocumentTemplate).where(DocumentTemplate.kind == kind)
    return list(session.scalars(stmt.order_by(DocumentTemplate.effective_from.desc())))


def publish(session: Session, kind: str, effective_from: date, body: str, actor: str, today: date) -> DocumentTemplate:
    """Store a checked template as the version of ``kind`` from ``effective_from`` (today or later: a document
    already made keeps the wording it was made with); Conflict if that day already has a version."""
    if effective_from < today:
        raise InvalidInput("the effective date is past", {"effective_from": ["Ngày hiệu lực phải từ hôm nay trở đi."]})
    if effective_from > furthest_effective(today):
        said = f"Ngày hiệu lực {far_ahead(today)}."
        raise InvalidInput("the effective date is too far ahead", {"effective_from": [said]})
    taken = session.scalars(
        select(DocumentTemplate).where(DocumentTemplate.kind == kind, DocumentTemplate.effective_from == effective_from)
    ).first()
    if taken is not None:
        raise Conflict(f"a version of {kind} already takes effect on {effective_from:%d/%m/%Y}")
    row = DocumentTemplate(
        kind=kind,
        effective_from=effective_from,
        body=body,
        content_hash=hashlib.sha256(body.encode()).hexdigest(),
        published_at=clock.now(),
        published_by=actor,
    )
    session.add(row)
    session.flush()
    return row


def wording(
    session: Session | None,
    kind: str,
    day: datetime,
    context: Mapping[str, Any],
    *,
    tables: Sequence[Table] = (),
    signature: Signature | None = None,
    source: str | None = None,
) -> Wording:
    """The wording of a dossier's document: ``source`` if given (a preview), else the version in force on the
    dossier's day (the shipped default without a session)."""
    if source is None:
        source = in_force(session, kind, local_day(day)) if session is not None else shipped(kind)
    return render(kind, source, context, tables=tables, signature=signature)
