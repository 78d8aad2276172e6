"""The deploy check's findings in the reader's language.

The engine gives each finding a stable code and the values it names (``engine.bpmn.problem_codes``) with an
English default. Here each code has its Vietnamese sentence; a page in English shows the engine's own text.
Details that come from a library (an XML parser's or SpiffWorkflow's own words) are kept apart as ``detail``,
so the Vietnamese sentence stays Vietnamese and the designer can still open the technical detail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.errors import Problem
from web import i18n

#: BPMN element tags (and the engine's English kinds) as a Vietnamese reader names them.
KINDS = {
    "process": "quy trình",
    "userTask": "công việc",
    "user task": "công việc",
    "manualTask": "công việc thủ công",
    "manual task": "công việc thủ công",
    "serviceTask": "nhiệm vụ tự động",
    "scriptTask": "nhiệm vụ kịch bản",
    "businessRuleTask": "nhiệm vụ quy tắc",
    "sendTask": "nhiệm vụ gửi tin",
    "receiveTask": "nhiệm vụ nhận tin",
    "task": "nhiệm vụ",
    "callActivity": "hoạt động gọi",
    "subProcess": "quy trình con",
    "sequenceFlow": "luồng",
    "exclusiveGateway": "cổng rẽ nhánh",
    "inclusiveGateway": "cổng bao hàm",
    "parallelGateway": "cổng song song",
    "eventBasedGateway": "cổng sự kiện",
    "startEvent": "sự kiện bắt đầu",
    "endEvent": "sự kiện kết thúc",
    "intermediateCatchEvent": "sự kiện chờ",
    "intermediateThrowEvent": "sự kiện phát",
    "boundaryEvent": "sự kiện biên",
}
#: The part of an element an expression sits in (``part`` of ``expression.*``).
PARTS = {
    "timeDuration": "thời hạn hẹn giờ",
    "timeDate": "thời điểm hẹn giờ",
    "timeCycle": "chu kỳ hẹn giờ",
    "conditionExpression": "điều kiện",
    "condition": "điều kiện",
    "loopCardinality": "số lần lặp",
    "completionCondition": "điều kiện hoàn thành",
    "loopCondition": "điều kiện lặp",
    "script": "kịch bản",
    "preScript": "kịch bản chạy trước",
    "postScript": "kịch bản chạy sau",
    "messagePayload": "nội dung thông điệp",
    "payloadExpression": "nội dung thông điệp",
    "parameter": "tham số",
}
#: What a timer literal should be, by its element (``kind`` of ``timer.value``).
TIMER_VALUES = {
    "timeDuration": "một khoảng thời gian ISO 8601, ví dụ PT2H hoặc P7D",
    "timeDate": "một thời điểm ISO 8601, ví dụ 2026-09-01T08:00:00+07:00",
    "timeCycle": "một chu kỳ lặp ISO 8601, ví dụ R3/PT10M",
}
_SOURCE = {
    "empty": "đang trống",
    "foreign": "viết bằng {language}; hệ thống chỉ chạy biểu thức Python",
    "syntax": "không phải Python hợp lệ",
    "invalid": "không phải Python hợp lệ",
}
_NO_COMPENSATION = "hệ thống không hỗ trợ bù trừ; hãy vẽ các bước hoàn tác thành bước trên luồng"

#: code -> Vietnamese sentence; ``{label}`` is the element's name (else its id), ``{kind}`` its kind.
VIETNAMESE: dict[str, str] = {
    "file.too_large": "Tệp lớn hơn {mb} MB.",
    "file.empty": "Tệp rỗng.",
    "xml.dtd": "Tệp không được chứa khai báo DTD hay thực thể XML.",
    "xml.malformed": "Tệp XML bị hỏng, không đọc được.",
    "xml.malformed_encoding": "Tệp XML không đọc được: hãy lưu tệp ở bảng mã UTF-8.",
    "xml.no_root": "Tệp XML không có phần tử gốc.",
    "xml.unshowable": (
        "Tên hoặc nội dung của {label} chứa ký tự điều khiển ẩn {char} (làm chữ hiển thị khác với chữ viết); "
        "hãy gõ lại."
    ),
    "xml.wrong_root": "Không phải tệp {kind_code}: phần tử gốc là {root}, cần {expected}.",
    "dmn.unknown_namespace": "Không phải tệp DMN 1.1/1.2/1.3: không gian tên lạ.",
    "dmn.namespace_prefix": "Không gian tên DMN phải là mặc định hoặc dùng tiền tố «dmn».",
    "schema.invalid": "Sơ đồ không đúng lược đồ chuẩn (XSD) tại {label}.",
    "schema.more": "Còn {count} lỗi lược đồ khác chưa hiện.",
    "form.invalid_json": "Biểu mẫu không phải JSON hợp lệ.",
    "form.not_object": "Biểu mẫu phải là một đối tượng JSON Schema.",
    "form.ref_outside": "Tham chiếu «{ref}» trỏ ra ngoài biểu mẫu; chỉ được tham chiếu bên trong biểu mẫu.",
    "form.ref_missing": "Tham chiếu «{ref}» không trỏ tới phần nào của biểu mẫu.",
    "form.pattern": "Mẫu kiểm tra «{pattern}» không dùng được (sai, quá dài hoặc có thể chạy rất lâu); hãy viết lại.",
    "form.schema_not_string": "Khai báo $schema phải là một chuỗi (địa chỉ lược đồ).",
    "form.schema_unknown": "Không biết lược đồ «{declared}»; đã kiểm tra theo JSON Schema 2020-12.",
    "form.schema_invalid": "Biểu mẫu không đúng chuẩn JSON Schema tại {label}.",
    "form.too_deep": "Biểu mẫu lồng quá {levels} tầng; hãy làm phẳng bớt.",
    "form.unshowable": "Chữ chứa ký tự không được phép (ký tự rỗng, ký tự điều khiển ẩn hoặc lỗi mã hóa).",
    "form.ref_cycle": "Tham chiếu «{ref}» đi vòng tròn mà không tới lược đồ nào; hãy bỏ vòng tham chiếu.",
    "form.schema_more": "Còn {count} lỗi biểu mẫu khác chưa hiện.",
    "bundle.internal": "Lỗi nội bộ khi kiểm tra gói; lỗi đã được ghi lại.",
    "bundle.no_process": "Gói không có quy trình nào chạy được.",
    "bundle.file_name": "Tên tệp không hợp lệ.",
    "bundle.file_type": "Loại tệp không được hỗ trợ (chỉ nhận .bpmn, .dmn hoặc .json).",
    "bundle.file_content": "Nội dung tệp không đọc được.",
    "decision.duplicate": "Bảng quyết định «{decision}» đã có trong tệp {other}.",
    "process.duplicate": "Quy trình «{process}» đã có trong tệp {other}.",
    "process.not_executable": "Quy trình {label} bị đánh dấu không chạy được; hệ thống không thể khởi động nó.",
    "call.no_target": "Hoạt động gọi {label} chưa chọn quy trình được gọi.",
    "call.unknown_target": (
        "Hoạt động gọi {label} gọi quy trình «{target}», không có trong gói và chưa được triển khai."
    ),
    "property.no_name": "Một thuộc tính của {label} chưa có tên.",
    "property.no_value": "Thuộc tính «{property}» của {label} chưa có giá trị.",
    "property.form_missing": "Biểu mẫu «{form}» của {label} không có trong gói và chưa được triển khai.",
    "property.budget": "Thời hạn «{budget}» của {label} phải tính bằng ngày hoặc giờ làm việc, ví dụ 0.5WD hoặc 4WH.",
    "property.page_unknown": "Trang «{page}» của {label} không có trong danh sách trang thực hiện của hệ thống.",
    "decision.no_ref": "Nhiệm vụ quy tắc {label} chưa chọn bảng quyết định.",
    "decision.unknown": (
        "Nhiệm vụ quy tắc {label} dùng bảng quyết định «{decision}», không có trong gói và chưa được triển khai."
    ),
    **{f"expression.{reason}": "{part} của {kind} {label} " + text + "." for reason, text in _SOURCE.items()},
    **{f"dmn.input.{reason}": "Biểu thức đầu vào của {label} " + text + "." for reason, text in _SOURCE.items()},
    **{f"dmn.output.{reason}": "Ô kết quả {label} " + text + "." for reason, text in _SOURCE.items()},
    "event_subprocess.interrupting": (
        "Quy trình con sự kiện «{subprocess}» là loại ngắt (sự kiện bắt đầu {label}), nhưng hệ thống chạy nó song "
        "song mà không dừng việc đang làm; hãy vẽ loại không ngắt và chủ động kết thúc việc kia."
    ),
    "compensation.event": "{kind} {label} là sự kiện bù trừ: " + _NO_COMPENSATION + ".",
    "compensation.handler": "{kind} {label} là bước xử lý bù trừ: " + _NO_COMPENSATION + ".",
    "script.missing": "Nhiệm vụ kịch bản {label} chưa có kịch bản.",
    "loop.reference": "Tập hợp lặp của {kind} {label} phải là tên một biến, không phải «{variable}».",
    "task.unassigned": (
        "{kind} {label} chưa thuộc làn nào và chưa có nhóm xử lý; việc sẽ giao cho người khởi động hồ sơ."
    ),
    "dmn.decision_count": "Mỗi tệp DMN phải chứa đúng một bảng quyết định; tệp này có {count}.",
    "dmn.no_table": "Quyết định {label} chưa có bảng quyết định.",
    "timer.value": "Giá trị «{value}» của bộ hẹn giờ {label} không phải {expected}.",
    "spiff.load": "Hệ thống không nạp được sơ đồ tại {label}.",
    "vendor.behaviour": (
        "Phần mở rộng của {vendor} trên {label} không chạy được ở đây; hãy dùng thuộc tính của hệ thống."
    ),
    "vendor.ignored": "Phần mở rộng của {vendor} trên {label} sẽ bị bỏ qua.",
    "script.language": "Kịch bản của {label} viết bằng {language}; hệ thống chỉ chạy Python.",
}


def vietnamese(code: str, params: Mapping[str, str]) -> str:
    """The Vietnamese sentence of one finding; an unknown code (a newer engine) falls back to a plain one."""
    template = VIETNAMESE.get(code)
    if template is None:
        return f"Sơ đồ có lỗi tại {_label(params)}."
    values = {
        **params,
        "label": _label(params),
        "kind": KINDS.get(params.get("kind", ""), "phần tử"),
        "kind_code": params.get("kind", ""),
        "part": PARTS.get(params.get("part", ""), "biểu thức"),
        "vendor": "hệ thống khác" if params.get("vendor", "unknown") == "unknown" else params.get("vendor", ""),
    }
    if code == "timer.value":
        values["expected"] = TIMER_VALUES.get(params.get("kind", ""), params.get("expected", ""))
    text = template.format_map(_Blank(values))
    return text[:1].upper() + text[1:]


def _label(params: Mapping[str, str]) -> str:
    """The element as the designer called it: «its name», else its id, else the diagram as a whole."""
    if params.get("name"):
        return f"«{params['name']}»"
    return params.get("element") or "sơ đồ"


class _Blank(dict[str, Any]):
    """A parameter a template names but the finding lacks shows as nothing, never as a crash."""

    def __missing__(self, key: str) -> str:
        return ""


def localized(problem: Problem) -> dict[str, Any]:
    """A finding as the API and the pages give it: the engine's fields, ``text`` in the reader's language and,
    on Vietnamese pages, the library's own words apart as ``detail``."""
    row = problem.to_dict()
    if i18n.language() == "en" or not problem.code:
        return {**row, "text": problem.message, "detail": ""}
    return {**row, "text": vietnamese(problem.code, problem.params), "detail": problem.params.get("detail", "")}


def localized_all(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [localized(problem) for problem in problems]
