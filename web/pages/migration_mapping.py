"""The migrate page's mapping: the current tasks' elements a version lacks, and the designer's choice of the
element each moves to (form fields ``map.<old element id>``), checked against what was offered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from engine.bpmn.migration import Activity
from engine.errors import AwardflowError
from engine.identity import Actor
from engine.values import printable
from web import i18n
from web.services import engine as _engine

#: The prefix of the form fields that carry the mapping.
FIELD = "map."
#: The most refused mapping fields a refusal names (the rest are refused all the same).
SHOWN_PROBLEMS = 5

i18n.TEXTS.update(
    {
        "designer.mapping_title": ("Ánh xạ bước đã đổi tên hoặc di chuyển", "Renamed or moved steps"),
        "designer.mapping_hint": (
            "Có hồ sơ đang ở một bước không còn trong phiên bản {version}. Nếu bước đó được đổi tên hoặc chuyển"
            " chỗ, hãy chọn bước tương ứng trong phiên bản mới; nếu không chọn, hồ sơ ấy bị từ chối và giữ nguyên.",
            "Some instances wait in a step version {version} no longer has. If the step was renamed or moved, choose"
            " its counterpart in the new version; without one, such an instance is refused and stays as it is.",
        ),
        "designer.mapping_current": ("Bước hiện tại (phiên bản cũ)", "Current step (old version)"),
        "designer.mapping_new": ("Bước tương ứng trong phiên bản mới", "Counterpart in the new version"),
        "designer.mapping_none": ("— không ánh xạ —", "— not mapped —"),
        "designer.missing_steps": ("Bước không còn trong phiên bản mới", "Steps missing in the new version"),
        "designer.mapping_bad": (
            "Ánh xạ “{field}” không hợp lệ: chỉ chọn trong danh sách được đưa ra. Chưa hồ sơ nào được chuyển.",
            "The mapping “{field}” is not valid: choose only from the list offered. No instance was migrated.",
        ),
    }
)


@dataclass(frozen=True)
class MappingOffer:
    """What the page offers to map: each instance's current elements missing in the version, and the version's
    elements to map them to."""

    missing: dict[int, list[Activity]]
    targets: list[Activity]

    @property
    def elements(self) -> list[Activity]:
        """The missing elements of all instances, once each, by id."""
        unique = {a.id: a for found in self.missing.values() for a in found}
        return [unique[key] for key in sorted(unique)]

    def for_instance(self, instance_id: int, mapping: Mapping[str, str]) -> dict[str, str]:
        """The part of the mapping that concerns one instance (the engine refuses ids its version lacks)."""
        own = {a.id for a in self.missing.get(instance_id, [])}
        return {old: new for old, new in mapping.items() if old in own}


def offer(me: Actor, instance_ids: Iterable[int], version: int) -> MappingOffer:
    """The mapping to offer for moving these instances to ``version`` (one read per instance; an instance the
    engine cannot plan for, e.g. one whose callee is gone, offers nothing and is refused when moved)."""
    missing: dict[int, list[Activity]] = {}
    targets: list[Activity] = []
    for instance_id in instance_ids:
        try:
            plan = _engine().runtime.migration_plan(instance_id, actor=me.username, to_version=version)
        except AwardflowError:
            continue
        targets = plan.targets
        if plan.missing:
            missing[instance_id] = plan.missing
    return MappingOffer(missing, targets)


def chosen(form: Iterable[tuple[str, str]], offered: MappingOffer) -> tuple[dict[str, str], list[str]]:
    """The mapping the form chose (unchosen elements left out) and the fields naming what was not offered."""
    known = {a.id for a in offered.elements}
    targets = {a.id for a in offered.targets}
    mapping: dict[str, str] = {}
    bad: list[str] = []
    for name, value in form:
        if not name.startswith(FIELD):
            continue
        old = name[len(FIELD) :]
        if old not in known or (value and value not in targets) or old in mapping:
            bad.append(printable(name[:100]))
        elif value:
            mapping[old] = value
    return mapping, bad
