"""What a designer's change changed, in words a designer reads: the elements a deployment added, removed or
changed in each file (BPMN, DMN, form), a rule set's changed fields, a document template's changed lines. Pure
formatting of the audit events' data (no I/O); the history pages call it."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from web import i18n
from web.pages.designer import JS_TEXTS as STEP_SETTINGS

__all__ = ["deployment_changes", "rule_set_changes", "template_changes"]

#: the kinds of element the engine's diff names (engine.design_diff), in Vietnamese
KINDS = {
    "process": "Quy trình",
    "subProcess": "Quy trình con",
    "lane": "Làn",
    "message": "Thông điệp",
    "signal": "Tín hiệu",
    "error": "Lỗi",
    "escalation": "Chuyển cấp",
    "dataObject": "Dữ liệu",
    "dataObjectReference": "Dữ liệu",
    "dataStoreReference": "Kho dữ liệu",
    "sequenceFlow": "Luồng",
    "startEvent": "Sự kiện bắt đầu",
    "endEvent": "Sự kiện kết thúc",
    "intermediateCatchEvent": "Sự kiện chờ",
    "intermediateThrowEvent": "Sự kiện phát",
    "boundaryEvent": "Sự kiện biên",
    "task": "Bước",
    "userTask": "Bước người xử lý",
    "manualTask": "Bước thủ công",
    "serviceTask": "Bước dịch vụ",
    "scriptTask": "Bước kịch bản",
    "businessRuleTask": "Bước quy tắc nghiệp vụ",
    "sendTask": "Bước gửi thông điệp",
    "receiveTask": "Bước nhận thông điệp",
    "callActivity": "Gọi quy trình",
    "exclusiveGateway": "Cổng rẽ một nhánh",
    "parallelGateway": "Cổng song song",
    "inclusiveGateway": "Cổng rẽ nhiều nhánh",
    "eventBasedGateway": "Cổng theo sự kiện",
    "complexGateway": "Cổng phức hợp",
    "textAnnotation": "Ghi chú",
    "association": "Liên kết ghi chú",
    "decision": "Bảng quyết định",
    "input": "Cột đầu vào",
    "output": "Cột đầu ra",
    "rule": "Quy tắc",
    "inputData": "Dữ liệu đầu vào",
    "knowledgeSource": "Nguồn tri thức",
    "form": "Biểu mẫu",
    "field": "Trường",
    "file": "Tệp",
}
#: the facets the diff compares, in Vietnamese (a facet not listed is shown by its own name)
FACETS = {
    "name": "Tên",
    "label": "Nhãn",
    "title": "Tiêu đề",
    "type": "Kiểu",
    "required": "Bắt buộc",
    "enum": "Các lựa chọn",
    "conditionExpression": "Điều kiện",
    "timeDuration": "Hẹn giờ (khoảng)",
    "timeDate": "Hẹn giờ (thời điểm)",
    "timeCycle": "Hẹn giờ (chu kỳ)",
    "script": "Kịch bản",
    "calledElement": "Quy trình được gọi",
    "default": "Luồng mặc định",
    "sourceRef": "Từ",
    "targetRef": "Đến",
    "attachedToRef": "Gắn vào",
    "cancelActivity": "Ngắt bước",
    "documentation": "Mô tả",
    "inputExpression": "Biểu thức đầu vào",
    "typeRef": "Kiểu",
    "hitPolicy": "Chính sách khớp",
    "description": "Mô tả",
    "flowNodeRef": "Các bước trong làn",
    "text": "Nội dung",
}
ENTRY = {"inputEntry": "Khi, cột {n}", "outputEntry": "Thì, cột {n}"}
#: a working-time amount as the engine writes it: "0.5WD" (working days), "4WH" (working hours)
WORKING_TIME = re.compile(r"(-?\d+(?:\.\d+)?)(WD|WH)\b")
#: how many lines of a template's change the history shows
TEMPLATE_LINES = 6

i18n.TEXTS.update(
    {
        "design.change.file": ("Tệp {file}", "File {file}"),
        "design.change.added": ("thêm {what}", "added {what}"),
        "design.change.removed": ("bỏ {what}", "removed {what}"),
        "design.change.changed": ("sửa {what}: {facets}", "changed {what}: {facets}"),
        "design.change.none": ("không đổi phần tử nào", "no element changed"),
        "design.change.lines": ("{removed} dòng bỏ, {added} dòng thêm", "{removed} lines removed, {added} added"),
        "design.change.yes": ("có", "yes"),
        "design.change.no": ("không", "no"),
        "design.change.empty": ("(trống)", "(empty)"),
        "design.change.property": ("thuộc tính {name}", "property {name}"),
        "design.change.WD": ("{n} ngày làm việc", "{n} working days"),
        "design.change.WH": ("{n} giờ làm việc", "{n} working hours"),
    }
)


def deployment_changes(details: Mapping[str, Any]) -> list[str]:
    """One line per file a deployment changed: its elements added, removed, changed (with before → after)."""
    lines = []
    for file, diff in (details.get("changes") or {}).items():
        parts = [i18n.gettext("design.change.added", what=_what(e)) for e in diff.get("added", [])]
        parts += [i18n.gettext("design.change.removed", what=_what(e)) for e in diff.get("removed", [])]
        parts += [
            i18n.gettext(
                "design.change.changed", what=_what(e), facets=_facets(e.get("before", {}), e.get("after", {}))
            )
            for e in diff.get("changed", [])
        ]
        body = "; ".join(parts) or i18n.gettext("design.change.none")
        lines.append(f"{i18n.gettext('design.change.file', file=file)}: {body}")
    return lines


def _what(element: Mapping[str, Any]) -> str:
    kind = KINDS.get(str(element.get("kind")), str(element.get("kind")))
    name = element.get("name") or element.get("id")
    return f"{kind} «{name}»" if name else kind


def _facets(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    return ", ".join(f"{_facet(key)}: {_value(before.get(key))} → {_value(after.get(key))}" for key in after)


def _facet(key: str) -> str:
    if key.startswith("property:"):
        name = key.split(":", 1)[1]
        label = STEP_SETTINGS.get(name)
        if label is not None and label[0].endswith(f" ({name})"):  # a setting of the workbench's panel, by its label
            return label[i18n.LANGUAGES.index(i18n.language())].removesuffix(f" ({name})")
        return i18n.gettext("design.change.property", name=name)
    head, _, n = key.partition(":")
    if head in ENTRY:
        return ENTRY[head].format(n=n)
    return FACETS.get(key, FACETS.get(key.split(".")[-1], key))


def _value(value: str | None) -> str:
    if value in (None, ""):
        return i18n.gettext("design.change.empty")
    if value in ("true", "false"):
        return i18n.gettext("design.change.yes" if value == "true" else "design.change.no")
    return WORKING_TIME.sub(_working_time, str(value))


def _working_time(found: re.Match[str]) -> str:
    """ "0.5WD" -> "0,5 ngày làm việc", "4WH" -> "4 giờ làm việc" (the engine's notation in words)."""
    return i18n.gettext(f"design.change.{found.group(2)}", n=i18n.format_number(float(found.group(1))))


def rule_set_changes(details: Mapping[str, Any]) -> list[str]:
    """A rule set's publication: each changed field by its Vietnamese name, before → after."""
    return [f"{c.get('label')}: {c.get('before')} → {c.get('after')}" for c in details.get("changes") or []]


def template_changes(before: str, after: str) -> list[str]:
    """A template's changed lines ("− old", "+ new"), the first few, and how many in all."""
    diff = [
        line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]  # fmt: skip
    removed, added = sum(1 for d in diff if d[0] == "-"), sum(1 for d in diff if d[0] == "+")
    shown = [("− " if d[0] == "-" else "+ ") + d[1:].strip() for d in diff[:TEMPLATE_LINES]]
    return [i18n.gettext("design.change.lines", removed=removed, added=added), *shown]
