"""The sandbox's refusals (a script's check, a timer's preview) in the reader's language.

The engine gives each refusal a stable code and the values it names (``engine.script_codes``) with an English
default, as it does for the deploy check's findings (``web/problem_texts.py``). Here each code has its
Vietnamese sentence; Python's and the libraries' own words stay apart as ``detail`` ("Chi tiết kỹ thuật").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from engine.script_codes import Refusal
from web import i18n

#: What a bound counts (``unit`` of ``script.bound``).
UNITS = {"characters": "ký tự", "items": "phần tử", "bits": "bit"}
#: What a timer gives (``kind`` of ``timer.not_iso``).
TIMER_KINDS = {
    "duration": "khoảng thời gian ISO 8601, ví dụ PT2H hoặc P7D",
    "date": "thời điểm ISO 8601, ví dụ 2026-09-01T08:00:00+07:00",
    "cycle": "chu kỳ lặp ISO 8601, ví dụ R3/PT10M",
}

#: code -> Vietnamese sentence (``str.format`` with the refusal's parameters).
VIETNAMESE: dict[str, str] = {
    "script.empty": "Kịch bản đang trống.",
    "script.import": "Không được dùng lệnh import (dòng {line}); các hàm được phép đã có sẵn.",
    "script.class": "Không được định nghĩa lớp (class) trong kịch bản (dòng {line}).",
    "script.generator": "Không được dùng yield trong kịch bản (dòng {line}).",
    "script.finally": "Không được dùng khối finally trong kịch bản (dòng {line}).",
    "script.statement": "Không được dùng lệnh {statement} trong kịch bản (dòng {line}).",
    "script.forbidden_call": "Không được gọi hàm {name}() trong kịch bản.",
    "script.reserved_name": "Tên {name} dành riêng cho hệ thống, không dùng được trong kịch bản (dòng {line}).",
    "script.underscore_name": "Tên {name} bắt đầu bằng dấu gạch dưới «_», không được dùng (dòng {line}).",
    "script.underscore_attribute": "Không được truy cập thuộc tính {name} (bắt đầu bằng dấu gạch dưới «_»).",
    "script.forbidden_attribute": "Không được truy cập thuộc tính {name} (dòng {line}).",
    "script.syntax": "Kịch bản sai cú pháp Python ở dòng {line}.",
    "script.bound": "Giá trị tạo ra quá lớn: {size} {unit}, vượt giới hạn {bound} (thiết lập {setting}).",
    "script.memory": "Kịch bản dùng quá {mb} MB bộ nhớ.",
    "script.timeout": "Kịch bản chạy quá thời gian cho phép ({seconds} giây).",
    "script.other": "Môi trường an toàn không chấp nhận kịch bản này.",
    "timer.unknown_name": "Không có hàm hay biến nào tên {name}; hãy dùng working_time_after hoặc working_days_after.",
    "timer.bad_arguments": "Hàm thời gian được gọi với tham số không đúng.",
    "timer.not_text": "Biểu thức hẹn giờ phải cho ra một chuỗi ISO 8601.",
    "timer.not_iso": "Giá trị «{value}» không phải {kind}.",
    "timer.failed": "Không tính được biểu thức hẹn giờ.",
}


def vietnamese(reason: Refusal) -> str:
    """One refusal's Vietnamese sentence; an unknown code (a newer engine) falls back to a plain one."""
    template = VIETNAMESE.get(reason.code, VIETNAMESE["script.other"])
    values = defaultdict(str, reason.params)  # a name the parameters lack shows as nothing, never as a crash
    values.update({
        "unit": UNITS.get(reason.params.get("unit", ""), reason.params.get("unit", "")),
        "kind": TIMER_KINDS.get(reason.params.get("kind", ""), "giá trị hẹn giờ ISO 8601"),
    })
    return template.format_map(values)


def localized(reasons: Iterable[Refusal]) -> dict[str, Any]:
    """``text`` in the reader's language (the engine's English on an English page) and ``detail``, the
    libraries' own words, kept apart from the Vietnamese sentence."""
    found = list(reasons)
    if not found:
        return {"code": None, "text": None, "detail": ""}
    details = [reason.params["detail"] for reason in found if reason.params.get("detail")]
    if i18n.language() == "en":
        text = "; ".join(reason.message for reason in found)
    else:
        text = " ".join(vietnamese(reason) for reason in found)
    return {"code": found[0].code, "text": text, "detail": "; ".join(details)}
