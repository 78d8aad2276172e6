"""The deploy check's findings in Vietnamese: every code the engine emits has a Vietnamese sentence, and a
diagram with each kind of error shows its problems in Vietnamese on the designer's page, naming the element."""

from __future__ import annotations

import html as html_lib
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import Engine
from engine.bpmn.problem_codes import ENGLISH
from tests.web.test_pages_designer import BPMN, USER_TASK, VALIDATION, sign_in, token_of
from tests.web.test_pages_vietnamese import ENGLISH as ENGLISH_WORDS
from web.problem_texts import VIETNAMESE, vietnamese

#: Every parameter any code names, with a value a designer might have written.
SAMPLE = {
    "element": "xet_duyet",
    "name": "Xét duyệt hồ sơ",
    "kind": "userTask",
    "part": "conditionExpression",
    "mb": "10",
    "count": "3",
    "root": "html",
    "expected": "bpmn:definitions",
    "ref": "#/$defs/x",
    "pattern": "(a+)+",
    "declared": "urn:x",
    "decision": "muc_khen",
    "other": "khac.dmn",
    "process": "ho_so",
    "target": "tham_dinh",
    "property": "han",
    "form": "xet.schema.json",
    "budget": "2 ngày",
    "language": "FEEL (Camunda 8)",
    "subprocess": "huy",
    "variable": "ds nguoi",
    "value": "PT2X",
    "vendor": "Camunda",
}


def test_every_code_has_a_vietnamese_sentence_and_nothing_else_does() -> None:
    assert set(VIETNAMESE) == set(ENGLISH)


@pytest.mark.parametrize("code", sorted(ENGLISH))
def test_each_sentence_is_vietnamese_and_fills_its_parameters(code: str) -> None:
    text = vietnamese(code, SAMPLE)
    assert "{" not in text and "}" not in text, text
    assert not ENGLISH_WORDS.findall(text.lower()), text
    assert text[0].isupper()
    if "{label}" in VIETNAMESE[code]:
        assert "«Xét duyệt hồ sơ»" in text, "the element is named as the designer called it"


def test_an_element_without_a_name_is_named_by_its_id() -> None:
    assert vietnamese("script.missing", {"element": "tinh_diem"}) == "Nhiệm vụ kịch bản tinh_diem chưa có kịch bản."


def bad_timer() -> bytes:
    return (VALIDATION / "timer_bare_duration.bpmn").read_text().replace(">PT2H<", '>"PT2X"<').encode()


#: a diagram with one kind of error -> its file name, content, the element and the Vietnamese it shows
CASES = {
    "syntax": ("bad_condition.bpmn", None, "không phải Python hợp lệ"),
    "foreign": ("feel_condition.bpmn", None, "viết bằng FEEL (Camunda 8); hệ thống chỉ chạy biểu thức Python"),
    "call": ("call_missing.bpmn", None, "không có trong gói và chưa được triển khai"),
    "form": ("missing_form.bpmn", None, "Biểu mẫu «missing.schema.json» của «Appraise» không có trong gói"),
    "not_executable": ("not_executable.bpmn", None, "bị đánh dấu không chạy được"),
    "vendor": ("camunda_class.bpmn", None, "Phần mở rộng của Camunda trên «Issue a number» không chạy được ở đây"),
    "decision": ("business_rule.bpmn", None, "Nhiệm vụ quy tắc «Award level» dùng bảng quyết định «award_level»"),
    "budget": (
        "user_task.bpmn",
        USER_TASK.replace('value="0.5WD"', 'value="2 ngày"').encode(),
        "Thời hạn «2 ngày» của «Review dossier» phải tính bằng ngày hoặc giờ làm việc",
    ),
    "timer": ("timer.bpmn", bad_timer(), "Giá trị «PT2X» của bộ hẹn giờ «Two hours» không phải một khoảng thời gian"),
}


@pytest.fixture
def designer(app: Flask, engine: Engine) -> FlaskClient:
    return sign_in(app, engine, "designer")


def problem_texts(page: str) -> list[str]:
    """The text of the message cell of each problem row, as a person reads it (technical detail left out)."""
    rows = re.findall(r'<tr class="problem [^"]+">(.*?)</tr>', page, re.S)
    cells = [re.findall(r"<td>(.*?)</td>", row, re.S)[-1] for row in rows]
    return [html_lib.unescape(re.sub(r"<details.*?</details>|<[^>]+>", "", cell)).strip() for cell in cells]


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_refused_diagram_shows_its_problems_in_vietnamese(designer: FlaskClient, engine: Engine, case: str) -> None:
    name, content, expected = CASES[case]
    data = content if content is not None else (VALIDATION / name).read_bytes()
    files = [(io.BytesIO(data), name)]
    if name == "user_task.bpmn":
        files.append((io.BytesIO((BPMN / "review.schema.json").read_bytes()), "review.schema.json"))
    form = {"csrf_token": token_of(designer), "files": files}
    refused = designer.post("/designer/deploy", data=form, content_type="multipart/form-data")
    assert refused.status_code == 422
    texts = problem_texts(refused.get_data(as_text=True))
    assert any(expected in text for text in texts), texts
    for text in texts:  # what the designer wrote (names, values) is quoted «…» and may be in any language
        assert not ENGLISH_WORDS.findall(re.sub("«[^»]*»", "", text).lower()), text
    assert engine.repository.definitions() == []


def test_the_validation_endpoint_gives_code_parameters_and_the_readers_language(designer: FlaskClient) -> None:
    token = token_of(designer)

    def check() -> dict[str, object]:
        files = [(io.BytesIO((VALIDATION / "missing_form.bpmn").read_bytes()), "m.bpmn")]
        answer = designer.post(
            "/api/definitions/validate",
            data={"files": files},
            content_type="multipart/form-data",
            headers={"X-CSRF-Token": token},
        )
        assert answer.status_code == 200, answer.json
        assert answer.json is not None
        problem: dict[str, object] = next(p for p in answer.json["problems"] if p["code"] == "property.form_missing")
        return problem

    found = check()
    assert found["element_id"] == "appraise"
    assert found["params"] == {"element": "appraise", "form": "missing.schema.json", "name": "Appraise"}
    assert found["message"] == "form 'missing.schema.json' is neither in this bundle nor deployed"
    assert str(found["text"]).startswith("Biểu mẫu «missing.schema.json» của «Appraise»")
    designer.get("/designer?lang=en")
    assert check()["text"] == found["message"]
