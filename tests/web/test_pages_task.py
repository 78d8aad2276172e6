"""The task page: dossier summary, the form rendered from its JSON Schema and typed back, field errors that keep
what was typed, claim / unclaim / complete, history, the control slip, and 404 for other units."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from engine import Engine, clock
from tests.web.pages_support import FIXTURES, deploy, signed_in, start, task_of, token_of, user_task
from web.pages import forms

ALL_TYPES = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Mọi kiểu trường",
    "description": "Biểu mẫu thử mọi kiểu trường.",
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Họ và tên", "description": "Ghi đủ họ tên.", "maxLength": 100},
        "level": {"type": "string", "title": "Cấp", "enum": ["co_so", "tinh"]},
        "award": {
            "type": "string",
            "title": "Hình thức",
            "oneOf": [{"const": "BK", "title": "Bằng khen"}, {"const": "GK", "title": "Giấy khen"}],
        },
        "meeting": {"type": "string", "format": "date", "title": "Ngày họp"},
        "report": {"type": "string", "title": "Báo cáo", "maxLength": 2000},
        "members": {"type": "integer", "title": "Số thành viên", "minimum": 1},
        "ratio": {"type": "number", "title": "Tỷ lệ", "maximum": 100},
        "women_first": {"type": "boolean", "title": "Ưu tiên nữ"},
        "papers": {
            "type": "array",
            "title": "Giấy tờ",
            "items": {"type": "string", "enum": ["to_trinh", "bao_cao", "bien_ban"]},
            "minItems": 1,
        },
        "codes": {"type": "array", "title": "Mã thành viên", "items": {"type": "string"}},
        "address": {
            "type": "object",
            "title": "Địa chỉ",
            "required": ["street"],
            "properties": {
                "street": {"type": "string", "title": "Đường"},
                "ward": {"type": "string", "title": "Phường"},
            },
        },
        "nominees": {
            "type": "array",
            "title": "Đối tượng",
            "items": {
                "type": "object",
                "required": ["id", "reason"],
                "properties": {
                    "id": {"type": "integer", "title": "Mã"},
                    "reason": {"type": "string", "title": "Lý do"},
                },
            },
        },
        "quota": {"type": ["integer", "null"], "title": "Chỉ tiêu"},
    },
    "required": ["name", "level", "papers"],
    "additionalProperties": False,
}


def page_of(client: FlaskClient, task_id: str) -> str:
    answer = client.get(f"/tasks/{task_id}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_data(as_text=True)


def text(page: str) -> str:
    """The page's text without tags, spaces collapsed (what a reader sees)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def field_block(page: str, field_id: str) -> str:
    """The markup from a field's input to the next field (where its messages are)."""
    start = page.index(f'id="{field_id}"')
    following = page.find('<div class="field', start + 1)
    return page[start : following if following > 0 else None]


def submit(client: FlaskClient, task_id: str, data: dict[str, object]) -> TestResponse:
    return client.post(f"/tasks/{task_id}", data={"csrf_token": token_of(client, f"/tasks/{task_id}"), **data})


@pytest.fixture
def review(app: Flask, engine: Engine) -> tuple[FlaskClient, str, int]:
    """HS-1 waiting in the appraiser's review step, and "an" signed in."""
    deploy(engine)
    instance = start(engine, "HS-1", data={"nominee": "Nguyễn Văn A", "received_on": "2026-03-02", "_token": "x"})
    return signed_in(app, engine, "an"), task_of(engine, instance).id, instance


def test_the_page_shows_the_dossier_the_form_history_and_slip(review, engine: Engine) -> None:
    client, task_id, _ = review
    page = page_of(client, task_id)
    seen = text(page)
    assert "<h1>Review dossier</h1>" in page and "Mã hồ sơ: HS-1" in seen
    assert "Quy trình User task in a lane" in seen and "(user_task)" not in seen and "Phiên bản 1" in seen
    assert "Bắt đầu 08:00 02/03/2026" in seen and "Người tạo desk" in seen
    assert "nominee Nguyễn Văn A" in seen and "received_on 02/03/2026" in seen, "data as a definition list"
    assert "_token" not in seen and "1 mục dữ liệu nội bộ hoặc dài không hiển thị." in seen
    assert "Kết quả thẩm định hồ sơ" in seen and "Biểu mẫu cho bước thẩm định" in seen, "the schema's title"
    assert '<select id="f-decision" name="decision"' in page and '<option value="approve"' in page
    assert 'for="f-decision">Quyết định<span class="req"' in page, "required fields are marked"
    assert "Đồng ý (approve) hoặc từ chối (reject) hồ sơ." in seen, "descriptions are the help text"
    assert '<textarea id="f-comment" name="comment"' in page, "maxLength 500 > 200: a textarea"
    assert "Tối đa 500 ký tự." in seen
    assert 'id="claim"' in page and "Hạn xử lý 14:00 02/03/2026" in seen and "còn 4 giờ làm việc" in seen
    history = text(page[page.index('id="history"') :])
    assert "08:00 02/03/2026 desk Bắt đầu hồ sơ" in history
    slip = text(page[page.index('id="slip"') : page.index('id="history"')])
    assert "Review dossier desk appraiser 08:00 02/03/2026 0,5 ngày 14:00 02/03/2026 — — Trong hạn" in slip


def test_claim_and_unclaim_buttons(review, app: Flask, engine: Engine) -> None:
    client, task_id, _ = review
    claimed = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": token_of(client)})
    assert claimed.status_code == 302 and claimed.headers["Location"] == f"/tasks/{task_id}"
    page = page_of(client, task_id)
    assert 'id="unclaim"' in page and "Người xử lý an" in text(page)
    assert "an → —" not in text(page) and "— → an" in text(page), "the claim is in the history"

    other = signed_in(app, engine, "appraiser")
    theirs = page_of(other, task_id)
    assert "Việc này do an đang xử lý." in theirs and 'id="complete" disabled' in theirs
    refused = submit(other, task_id, {"decision": "approve", "comment": "Tôi làm thay"})
    assert refused.status_code == 403 and "Bạn không phải người xử lý việc này." in refused.get_data(as_text=True)
    assert "Tôi làm thay" in refused.get_data(as_text=True), "the values stay"
    assert engine.tasks.get(task_id).state == "ready"

    back = client.post(f"/tasks/{task_id}/unclaim", data={"csrf_token": token_of(client)})
    assert back.status_code == 302 and engine.tasks.get(task_id).assignee is None
    assert 'id="claim"' in page_of(client, task_id)


def test_field_errors_keep_the_values_and_sit_next_to_their_fields(review, engine: Engine) -> None:
    client, task_id, _ = review
    long = "Nhận xét rất dài. " * 30  # 540 characters
    refused = submit(client, task_id, {"decision": "", "comment": long})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Vui lòng sửa các mục được đánh dấu bên dưới." in page
    assert "Vui lòng nhập mục này." in field_block(page, "f-decision")
    assert f"Tối đa 500 ký tự (đang có {len(long)})." in field_block(page, "f-comment")
    assert f">{long}</textarea>" in page and 'aria-invalid="true"' in page
    assert engine.tasks.get(task_id).state == "ready"

    wrong = submit(client, task_id, {"decision": "maybe", "comment": "Ngắn gọn"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 422 and "Vui lòng chọn một giá trị trong danh sách." in field_block(page, "f-decision")
    assert ">Ngắn gọn</textarea>" in page and "Tối đa 500 ký tự (đang" not in page

    english = client.post(
        f"/tasks/{task_id}?lang=en", data={"csrf_token": token_of(client, f"/tasks/{task_id}"), "comment": "x"}
    )
    assert english.status_code == 422 and "This field is required." in english.get_data(as_text=True)


def test_completing_goes_back_to_the_inbox_with_a_message(review, engine: Engine) -> None:
    client, task_id, instance = review
    done = submit(client, task_id, {"decision": "approve", "comment": "Đủ điều kiện"})
    assert done.status_code == 302 and done.headers["Location"] == "/inbox"
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Đã hoàn thành “Review dossier” của hồ sơ HS-1." in inbox and "Không có việc nào." in inbox
    assert engine.tasks.get(task_id).state == "completed"
    assert engine.runtime.get(instance).data["decision"] == "approve"
    page = page_of(client, task_id)
    seen = text(page)
    assert "Bước này đã hoàn thành lúc 08:00 02/03/2026 bởi an." in seen and 'id="task-form"' not in page
    assert "an Hoàn thành bước Review dossier Quyết định: approve; Nhận xét: Đủ điều kiện" in seen  # the form's words
    assert "Kết thúc hồ sơ" in seen
    assert (
        "Review dossier desk appraiser 08:00 02/03/2026 0,5 ngày 14:00 02/03/2026 08:00 02/03/2026 0 giờ Đúng hạn"
        in seen
    )


def test_another_units_task_is_a_404_page(review, app: Flask, engine: Engine) -> None:
    _, task_id, _ = review
    khac = signed_in(app, engine, "khac")
    for answer in (
        khac.get(f"/tasks/{task_id}"),
        khac.post(f"/tasks/{task_id}", data={"csrf_token": token_of(khac), "decision": "approve"}),
        khac.post(f"/tasks/{task_id}/claim", data={"csrf_token": token_of(khac)}),
        khac.get("/tasks/no-such-task"),
    ):
        assert answer.status_code == 404 and "Không tìm thấy công việc này." in answer.get_data(as_text=True)
    assert engine.tasks.get(task_id).state == "ready" and engine.tasks.get(task_id).assignee is None
    assert page_of(signed_in(app, engine, "supervisor"), task_id), "a supervisor sees every unit"


def test_a_line_agency_sees_its_task_but_not_the_dossier(app: Flask, engine: Engine) -> None:
    deploy(engine, {"tax_check.bpmn": user_task(key="tax_check").replace(b'name="appraiser"', b'name="thue"')})
    task = task_of(engine, start(engine, "HS-T", key="tax_check", data={"secret": "chỉ đơn vị thụ lý"}))
    page = page_of(signed_in(app, engine, "hiepy"), task.id)
    assert "Thông tin hồ sơ chỉ hiển thị cho đơn vị thụ lý." in page and "chỉ đơn vị thụ lý" not in page
    assert 'id="slip"' not in page and 'id="claim"' in page


def deploy_all_types(engine: Engine) -> str:
    bpmn = user_task().replace(b"review.schema.json", b"all_types.schema.json")
    files = {"user_task.bpmn": bpmn, "all_types.schema.json": json.dumps(ALL_TYPES).encode()}
    engine.repository.deploy(files, actor="admin")
    return task_of(engine, start(engine, "HS-7")).id


def test_every_supported_type_is_rendered(app: Flask, engine: Engine) -> None:
    task_id = deploy_all_types(engine)
    page = page_of(signed_in(app, engine, "an"), task_id)
    assert '<input id="f-name" name="name" value=""' in page and "Ghi đủ họ tên." in page
    assert '<select id="f-level" name="level"' in page and '<option value="tinh" >tinh</option>' in page
    assert '<option value="BK" >Bằng khen</option>' in page, "oneOf const + title labels the choices"
    assert '<input id="f-meeting" name="meeting" value="" placeholder="dd/mm/yyyy"' in page
    assert '<textarea id="f-report" name="report"' in page
    assert '<input id="f-members" name="members" value="" inputmode="numeric"' in page
    assert '<input id="f-ratio" name="ratio" value="" inputmode="decimal"' in page
    assert '<input id="f-women_first" type="checkbox" name="women_first" value="true"' in page
    assert page.count('type="checkbox" name="papers"') == 3 and 'value="bien_ban"' in page
    assert '<textarea id="f-codes" name="codes"' in page and "Mỗi dòng một giá trị." in page
    assert '<fieldset class="group" id="f-address">' in page and 'name="address.street"' in page
    assert 'name="nominees.0.id"' in page and 'name="nominees.1.reason"' in page and "nominees.2." not in page
    assert '<input id="f-quota" name="quota"' in page
    for required in ("name", "level"):
        assert re.search(rf'for="f-{required}">[^<]+<span class="req"', page), required
    assert not re.search(r'for="f-report">[^<]+<span class="req"', page)


def test_the_posted_fields_become_json_of_the_schemas_types(app: Flask, engine: Engine) -> None:
    task_id = deploy_all_types(engine)
    client = signed_in(app, engine, "an")
    posted = {
        "name": "Trần Thị B",
        "level": "tinh",
        "award": "BK",
        "meeting": "05/03/2026",
        "report": "Báo cáo",
        "members": "12",
        "ratio": "72,5",
        "women_first": "true",
        "papers": ["to_trinh", "bien_ban"],
        "codes": "TV01\n\nTV02\n",
        "address.street": "Hùng Vương",
        "address.ward": "",
        "nominees.0.id": "",
        "nominees.0.reason": "",
        "nominees.1.id": "7",
        "nominees.1.reason": "Đang bị xem xét kỷ luật",
        "quota": "",
    }
    done = submit(client, task_id, posted)
    assert done.status_code == 302, done.get_data(as_text=True)
    data = engine.runtime.get(engine.tasks.get(task_id).instance_id).data
    assert {k: data[k] for k in ALL_TYPES["properties"]} == {
        "name": "Trần Thị B",
        "level": "tinh",
        "award": "BK",
        "meeting": "2026-03-05",
        "report": "Báo cáo",
        "members": 12,
        "ratio": 72.5,
        "women_first": True,
        "papers": ["to_trinh", "bien_ban"],
        "codes": ["TV01", "TV02"],
        "address": {"street": "Hùng Vương"},
        "nominees": [{"id": 7, "reason": "Đang bị xem xét kỷ luật"}],
        "quota": None,
    }


def test_errors_reach_nested_fields_and_table_rows(app: Flask, engine: Engine) -> None:
    task_id = deploy_all_types(engine)
    client = signed_in(app, engine, "an")
    posted = {
        "name": "Trần Thị B",
        "level": "tinh",
        "members": "mười hai",
        "ratio": "150",
        "meeting": "31/02/2026",
        "address.ward": "Phường 1",
        "nominees.0.id": "",
        "nominees.0.reason": "",
        "nominees.1.id": "7",
        "nominees.1.reason": "",
    }
    refused = submit(client, task_id, posted)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Phải là số nguyên." in field_block(page, "f-members") and 'value="mười hai"' in page
    assert "Vui lòng nhập mục này." not in field_block(page, "f-members"), "one message per problem"
    assert "Phải không quá 100." in field_block(page, "f-ratio")
    assert "Ngày không hợp lệ" in field_block(page, "f-meeting")
    assert "Vui lòng nhập mục này." in field_block(page, "f-papers")
    assert "Vui lòng nhập mục này." in field_block(page, "f-address-street")
    assert "Vui lòng nhập mục này." in field_block(page, "f-nominees-1-reason"), "the row as typed, blank rows aside"
    assert "Vui lòng nhập mục này." not in field_block(page, "f-nominees-0-reason")
    assert 'value="Phường 1"' in page and 'name="nominees.1.id" value="7"' in page
    assert 'name="nominees.3.id"' in page, "two blank rows more under the last one typed"
    assert engine.tasks.get(task_id).state == "ready"


def test_the_slip_shows_the_dossier_clock_and_each_step(app: Flask, engine: Engine, vclock: clock.VirtualClock) -> None:
    bundle = {"sla_dossier.bpmn": (FIXTURES / "sla" / "sla_dossier.bpmn").read_bytes()}
    engine.repository.deploy(bundle, actor="admin")
    instance = start(engine, "HS-9", key="sla_dossier", data={"limit": "20WD", "policy": "resume"})
    vclock.advance(hours=1)
    engine.tasks.complete(task_of(engine, instance).id, "desk", {})
    vclock.advance(timedelta(days=2, hours=1))  # Wed 04/03 10:00
    appraise = task_of(engine, instance)
    page = page_of(signed_in(app, engine, "an"), appraise.id)
    slip = text(page[page.index('id="slip"') : page.index('id="history"')])
    assert "Ngày nhận hồ sơ 08:00 02/03/2026" in slip and "Thời hạn giải quyết 20 ngày" in slip
    assert "Hẹn trả kết quả 17:30 30/03/2026" in slip, "20 working days after Mon 02/03/2026"
    assert "B1 Tiếp nhận, kiểm tra hồ sơ desk desk 08:00 02/03/2026 0,5 ngày 14:00 02/03/2026" in slip
    assert "09:00 02/03/2026 1 giờ Đúng hạn" in slip
    assert "B2 Thẩm định desk appraiser 09:00 02/03/2026 8 ngày 09:00 12/03/2026 — — Trong hạn" in slip
    assert "còn 5 ngày 7 giờ làm việc" in text(page), "64 working hours less Mon 6.5 h, Tue 8 h and Wed 2.5 h"
    history = text(page[page.index('id="history"') :])
    assert "Bắt đầu tính hạn" in history and "desk Hoàn thành bước B1 Tiếp nhận, kiểm tra hồ sơ" in history


def test_initial_values_come_from_defaults_and_dates_read_dd_mm_yyyy(app: Flask) -> None:
    schema = {
        "type": "object",
        "properties": {
            "meeting": {"type": "string", "format": "date", "default": "2026-03-05"},
            "agree": {"type": "boolean", "default": True},
            "papers": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "default": ["b"]},
            "codes": {"type": "array", "items": {"type": "integer"}},
            "extra": {"type": "object"},
        },
    }
    with app.test_request_context():  # the texts are in the request's language
        tree = forms.fields(schema)
        values = forms.initial(tree, {"codes": [1, 2], "extra": {"k": "v"}})
        assert values["meeting"] == "05/03/2026" and values["agree"] == "true" and values.getlist("papers") == ["b"]
        assert values["codes"] == "1\n2" and json.loads(values["extra"]) == {"k": "v"}
        assert [f.kind for f in tree] == ["date", "checkbox", "checkboxes", "lines", "json"]
        parsed = forms.parse(tree, MultiDict([("meeting", "2026-03-06"), ("codes", "3\nx"), ("extra", "{")]))
        assert parsed.data == {"meeting": "2026-03-06", "agree": False}
        assert parsed.problems == {"codes": ["Dòng 2: Phải là số nguyên."], "extra": ["Không phải JSON hợp lệ."]}


def test_a_list_narrows_an_enum_and_what_goes_with_a_dropped_value_is_not_shown(app: Flask) -> None:
    """An outcome the dossier can no longer take disappears from the select (the form keeps its labels), and the
    fields that go with it (``x-with``) are not offered; the deployed schema itself is unchanged."""
    schema = {
        "type": "object",
        "properties": {
            "outcome": {
                "type": "string",
                "enum": ["done", "more"],
                "x-enumNames": ["Xong", "Bổ sung"],
                "x-choices": "outcomes",
            },
            "missing": {"type": "array", "items": {"type": "string"}, "x-with": {"outcome": "more"}},
            "note": {"type": "string"},
        },
    }
    with app.test_request_context():
        both = forms.offered(forms.with_choices(schema, {"outcomes": [("done", ""), ("more", "")]}))
        offered = [f.options for f in forms.fields(both) if f.key == "outcome"]
        assert offered == [[("done", "Xong"), ("more", "Bổ sung")]]
        assert [f.key for f in forms.fields(both)] == ["outcome", "missing", "note"]
        once = forms.offered(forms.with_choices(schema, {"outcomes": [("done", "")]}))
        assert [f.options for f in forms.fields(once) if f.key == "outcome"] == [[("done", "Xong")]]
        assert [f.key for f in forms.fields(once)] == ["outcome", "note"]
        assert list(schema["properties"]) == ["outcome", "missing", "note"]
