"""Vietnamese names for the places of a rule-set document, so that a refusal or a change names the field as a
designer reads it ("Chiến sĩ thi đua cấp tỉnh › Biểu quyết › Tỷ lệ phiếu đồng ý"), not as YAML spells it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["label", "split"]

#: a document key -> its Vietnamese name
KEYS = {
    "version": "Mã phiên bản",
    "name": "Tên",
    "effective_from": "Ngày hiệu lực",
    "legal_basis": "Căn cứ pháp lý",
    "office": "Bộ phận một cửa",
    "base_salary": "Lương cơ sở",
    "bonus_rounding_vnd": "Làm tròn tiền thưởng",
    "papers": "Giấy tờ",
    "kinds": "Danh mục giấy tờ",
    "max_bytes": "Dung lượng tối đa",
    "content_types": "Loại tệp được nhận",
    "titles": "Danh hiệu",
    "initiative_scopes": "Phạm vi sáng kiến",
    "issuing_bodies": "Cơ quan ban hành",
    "agencies": "Cơ quan hiệp y",
    "councils": "Hội đồng",
    "members": "Thành viên",
    "women_priority_ratio": "Tỷ lệ nữ được ưu tiên",
    "procedures": "Quy trình nội bộ",
    "steps": "Các bước",
    "budget": "Định mức",
    "parallel": "Nhánh song song",
    "alternates": "Bước thay thế",
    "award_types": "Hình thức khen thưởng",
    "recipients": "Đối tượng",
    "issuing_body": "Cơ quan ban hành",
    "required_papers": "Giấy tờ bắt buộc",
    "eligibility": "Điều kiện",
    "vote": "Biểu quyết",
    "council": "Hội đồng",
    "threshold": "Tỷ lệ phiếu đồng ý",
    "quorum": "Túc số họp",
    "quota": "Số lượng tối đa",
    "limit": "Thời hạn giải quyết",
    "procedure": "Quy trình nội bộ",
    "supplement_policy": "Cách tính thời hạn sau bổ sung",
    "supplement_within": "Thời hạn bổ sung hồ sơ",
    "bonus_multiple": "Hệ số tiền thưởng",
    "consultation": "Lấy ý kiến công khai",
    "days": "Số ngày làm việc",
    "contact_required": "Bắt buộc ghi liên hệ",
    "individual": "Cá nhân",
    "collective": "Tập thể",
    "household": "Hộ gia đình",
    "title": "Danh hiệu",
    "count": "Số năm liên tục",
    "min_scope": "Phạm vi tối thiểu",
    "min": "Mức tối thiểu",
    "max": "Mức tối đa",
    "part": "Thành phần",
    "field": "Chỉ tiêu",
    "_": "Nội dung",
}

#: sections whose items have a name of their own, shown instead of the section's
NAMED = ("award_types", "councils", "procedures")
_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def split(path: str) -> list[str | int]:
    """``award_types.X.eligibility.individual[1].count`` -> ['award_types', 'X', 'eligibility', 'individual', 1,
    'count']."""
    return [int(index) if index else key for key, index in _PART.findall(path)]


def label(path: str, content: Mapping[str, Any] | None = None) -> str:
    """The Vietnamese name of a place in the document; an award type, council or procedure by its own name."""
    parts = split(path)
    words: list[str] = []
    node: Any = content or {}
    for i, part in enumerate(parts):
        parent = parts[i - 1] if i else None
        node = node.get(part) if isinstance(node, Mapping) and isinstance(part, str) else _item(node, part)
        if part in NAMED and i + 1 < len(parts):
            continue  # the item's own name says what it is
        if isinstance(part, int):
            words.append(f"mục {part + 1}")
        elif parent in NAMED and isinstance(node, Mapping):
            words.append(str(node.get("name") or part))
        else:
            words.append(KEYS.get(part, part))
    return " › ".join(words)


def _item(node: Any, part: str | int) -> Any:
    if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
        return node[part]
    return None
