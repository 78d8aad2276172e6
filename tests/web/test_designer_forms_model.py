"""The form editor's draft: every shipped form opens and saves back unchanged; a draft made in the editor becomes a
JSON Schema the task page renders; faulty drafts are refused naming the entry, in Vietnamese."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from engine.errors import InvalidInput
from web.pages.designer_forms_model import draft_of, read_draft, schema_of, slug


@pytest.fixture(autouse=True)
def in_vietnamese() -> Iterator[None]:
    """The messages are in the request's language (Vietnamese unless asked)."""
    app = Flask(__name__)
    app.secret_key = "forms"
    with app.test_request_context():
        yield


FORMS = sorted((Path(__file__).resolve().parents[2] / "processes" / "forms").glob("*.schema.json"))


@pytest.mark.parametrize("path", FORMS, ids=lambda p: p.name)
def test_a_shipped_form_opens_and_saves_back_unchanged(path: Path) -> None:
    stored = json.loads(path.read_text())
    name, made = schema_of(draft_of(path.name, stored))
    for prop in stored["properties"].values():  # an empty help text is no help text
        if prop.get("description") == "":
            del prop["description"]
    name, made = schema_of(draft_of(path.name, stored))
    assert name == path.name
    assert set(made.pop("required", [])) == set(stored.pop("required", []))
    assert made == stored


def test_editable_rows_for_plain_fields_and_kept_ones_for_the_rest() -> None:
    stored = json.loads(next(p for p in FORMS if p.name == "appraise.schema.json").read_text())
    kinds = {row["key"]: row["kind"] for row in draft_of("appraise.schema.json", stored)["fields"]}
    assert kinds["appraisal_note"] == "text"
    assert kinds["excluded"] == "kept", "a table of rows is carried as it is"
    assert kinds["appraisal_outcome"] == "kept", "a list filled from the dossier (x-choices) is carried as it is"


def draft(**fields: object) -> dict[str, object]:
    row = {"kind": "text", "label": "Ý kiến của phòng", "key": "", "required": True, **fields}
    return {"name": "y_kien.schema.json", "title": "Ý kiến", "description": "", "fields": [row], "extra": {}}


def test_a_draft_makes_the_schema_the_task_page_reads() -> None:
    name, schema = schema_of(
        {
            "name": "y_kien.schema.json",
            "title": "Ý kiến phòng",
            "fields": [
                {"kind": "choice", "label": "Kết luận", "required": True, "choices": "dong_y = Đồng ý\nKhông đồng ý"},
                {"kind": "integer", "label": "Số phiếu", "minimum": "0", "maximum": "15"},
                {"kind": "text", "label": "Ghi chú", "key": "ghi_chu", "maxLength": "500", "help": "Tóm tắt"},
                {"kind": "date", "label": "Ngày họp"},
                {"kind": "boolean", "label": "Đã đủ giấy tờ"},
                {"kind": "choices", "label": "Giấy tờ thiếu", "choices": "Tờ trình\nBáo cáo thành tích"},
            ],
        }
    )
    assert name == "y_kien.schema.json" and schema["$id"] == name and schema["required"] == ["ket_luan"]
    props = schema["properties"]
    assert list(props) == ["ket_luan", "so_phieu", "ghi_chu", "ngay_hop", "da_du_giay_to", "giay_to_thieu"]
    assert props["ket_luan"]["enum"] == ["dong_y", "khong_dong_y"]
    assert props["ket_luan"]["x-enumNames"] == ["Đồng ý", "Không đồng ý"]
    assert props["so_phieu"] == {"type": "integer", "title": "Số phiếu", "minimum": 0, "maximum": 15}
    assert props["ghi_chu"] == {"type": "string", "title": "Ghi chú", "description": "Tóm tắt", "maxLength": 500}
    assert props["ngay_hop"]["format"] == "date"
    assert props["giay_to_thieu"]["items"]["enum"] == ["to_trinh", "bao_cao_thanh_tich"]


@pytest.mark.parametrize(
    ("change", "where", "says"),
    [
        ({"label": "  "}, "fields.0.label", "Nhãn"),
        ({"key": "Sai Mã"}, "fields.0.key", "Mã trường"),
        ({"kind": "script"}, "fields.0.kind", "không được hỗ trợ"),
        ({"kind": "choice", "choices": "\n \n"}, "fields.0.choices", "ít nhất một lựa chọn"),
        ({"kind": "choice", "choices": "Có\nCó"}, "fields.0.choices", "bị lặp"),
        ({"kind": "integer", "minimum": "1,5"}, "fields.0.minimum", "số nguyên"),
        ({"kind": "number", "minimum": "abc"}, "fields.0.minimum", "Phải là số"),
        ({"kind": "text", "maxLength": "-1"}, "fields.0.maxLength", "không âm"),
        ({"kind": "integer", "minimum": "9", "maximum": "2"}, "fields.0.minimum", "lớn hơn giá trị lớn nhất"),
        ({"kind": "kept", "schema": "x"}, "fields.0.kind", "lược đồ"),
    ],
)
def test_a_faulty_field_is_named_in_vietnamese(change: dict[str, object], where: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        schema_of(draft(**change))
    assert says in " ".join(refused.value.fields[where])


def test_the_form_itself_is_checked() -> None:
    for bad, where in [
        ({"name": "../x.json"}, "name"),
        ({"title": ""}, "title"),
        ({"fields": {"a": 1}}, "fields"),  # an empty list is a confirmation form (see below)
        ({"extra": {"properties": {}}}, "extra"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            schema_of({**draft(), **bad})
        assert where in refused.value.fields, bad
    twice = {**draft(), "fields": [draft()["fields"][0], draft()["fields"][0]]}  # type: ignore[index]
    with pytest.raises(InvalidInput) as refused:
        schema_of(twice)
    assert refused.value.fields["fields.1.key"] == ["Mã trường trùng với trường số 1."]
    _, confirmation = schema_of({**draft(), "fields": []})
    assert confirmation["properties"] == {}, "a step confirmed as it is has a form without fields"


def test_what_the_deployment_check_refuses_is_refused_here() -> None:
    """A kept property is checked as an uploaded form is: a pattern that can backtrack forever is refused."""
    with pytest.raises(InvalidInput) as refused:
        schema_of(draft(kind="kept", schema={"type": "string", "pattern": "(a+)+$"}))
    assert "Lược đồ không hợp lệ" in refused.value.fields["_"][0]


def test_an_unreadable_draft() -> None:
    for text in ("", "[]", "{", '{"fields": 3}', "[" * 100_000):
        with pytest.raises(InvalidInput) as refused:
            read_draft(text)
        assert "draft" in refused.value.fields


def test_codes_made_from_vietnamese_labels() -> None:
    assert slug("Ý kiến đề xuất của Đơn vị") == "y_kien_de_xuat_cua_don_vi"
