"""A new decision table for the designer: a blank table (one input, one output, hit policy UNIQUE) under a key
checked once, and the file it is deployed as.

The file is named by its decision id (``key.dmn``) and must keep that id: business-rule tasks name a decision
by id, and decisions are shared across bundles, so a table deployed under a taken id would silently replace
another one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from xml.sax.saxutils import quoteattr

from engine.bpmn.lint import decision_ids
from engine.bpmn.xml import parse_xml
from engine.errors import InvalidInput
from handlers.decision_tables import MAX_DMN_BYTES
from web import i18n

i18n.TEXTS.update(
    {
        "decisions.new": ("Bảng quyết định mới", "New decision table"),
        "decisions.new_key": ("Mã bảng quyết định", "Decision key"),
        "decisions.new_key_hint": (
            "chữ cái không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ cái; bước quy tắc nghiệp vụ chọn bảng"
            " theo mã này, không đổi được về sau",
            "letters, digits and underscores, starting with a letter; business-rule steps pick the table by it",
        ),
        "decisions.new_name": ("Tên bảng", "Table name"),
        "decisions.create": ("Tạo và mở trình soạn thảo", "Create and open the editor"),
        "decisions.new_unsaved": ("chưa triển khai", "not deployed yet"),
        "decisions.bad_key": (
            "Mã bảng quyết định: chỉ gồm chữ cái không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ cái"
            " (tối đa 100 ký tự).",
            "Decision key: letters, digits and underscores only, starting with a letter (at most 100).",
        ),
        "decisions.key_taken": (
            "Mã bảng quyết định: đã có bảng «{table}»; hãy mở nó trong danh sách thay vì tạo mới.",
            "Decision key: «{table}» is already deployed; open it from the list instead.",
        ),
        "decisions.bad_name": ("Tên bảng: cần từ 1 đến {limit} ký tự.", "Table name: 1 to {limit} characters."),
        "decisions.empty": ("Nội dung bảng: trống.", "Table content: empty."),
        "decisions.too_large": (
            "Nội dung bảng: không được vượt quá {kb} KB.",
            "Table content: at most {kb} KB.",
        ),
        "decisions.other_id": (
            "Nội dung bảng: quyết định phải giữ mã «{table}» (đang là «{found}»).",
            "Table content: the decision must keep the key «{table}» (it is «{found}»).",
        ),
        "decisions.created": (
            "Đã triển khai bảng quyết định mới {file}; các bước quy tắc nghiệp vụ chọn được bảng này.",
            "Deployed the new decision table {file}; business-rule steps can pick it now.",
        ),
    }
)

#: a decision id: what a business-rule task names, and (with ``.dmn``) the new file's name
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,99}")
NAME_LIMIT = 200

BLANK = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
  xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/"
  id="Definitions_{key}" name={name} namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="{key}" name={name}>
    <decisionTable id="DecisionTable_{key}" hitPolicy="UNIQUE">
      <input id="Input_1" label={input}>
        <inputExpression id="InputExpression_1" typeRef="string">
          <text></text>
        </inputExpression>
      </input>
      <output id="Output_1" label={output} name="ket_qua" typeRef="string" />
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="DMNDiagram_{key}">
      <dmndi:DMNShape id="DMNShape_{key}" dmnElementRef="{key}">
        <dc:Bounds height="80" width="180" x="160" y="100" />
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""


def file_of(key: str) -> str:
    return f"{key}.dmn"


def check_key(key: str, taken: Callable[[str], bool]) -> None:
    """InvalidInput naming ``key`` (in the page's language) unless a new table may take it."""
    if not KEY.fullmatch(key):
        raise refusal("key", i18n.gettext("decisions.bad_key"))
    if taken(key):
        raise taken_refusal(key)


def taken_refusal(key: str) -> InvalidInput:
    return refusal("key", i18n.gettext("decisions.key_taken", table=key))


def refusal(field: str, text: str) -> InvalidInput:
    """InvalidInput naming ``field``, its message the text the page shows."""
    return InvalidInput(text, {field: [text]})


def check_name(name: str) -> None:
    """InvalidInput naming ``name`` unless it can name a table."""
    if not name.strip() or len(name) > NAME_LIMIT:
        raise refusal("name", i18n.gettext("decisions.bad_name", limit=NAME_LIMIT))


def blank(key: str, name: str) -> str:
    """The new table's first text: its decision named, one input whose expression the designer writes."""
    return BLANK.format(key=key, name=quoteattr(name.strip()), input=quoteattr("Đầu vào"), output=quoteattr("Kết quả"))


def new_file(key: str, xml: str, taken: Callable[[str], bool]) -> dict[str, bytes]:
    """The bundle deploying the edited table alone; InvalidInput naming ``key`` as :func:`check_key` does, or
    ``xml`` when it is empty, too large or names another decision. Anything else wrong with it is the
    repository's check to find."""
    check_key(key, taken)
    data = xml.encode()
    if not xml.strip():
        raise refusal("xml", i18n.gettext("decisions.empty"))
    if len(data) > MAX_DMN_BYTES:
        raise refusal("xml", i18n.gettext("decisions.too_large", kb=MAX_DMN_BYTES // 1000))
    tree, _ = parse_xml(file_of(key), data)
    other = [found for found in (decision_ids(tree.getroot()) if tree is not None else []) if found != key]
    if other:
        raise refusal("xml", i18n.gettext("decisions.other_id", table=key, found=other[0]))
    return {file_of(key): data}
