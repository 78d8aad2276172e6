"""Clusters and blocs as data: the shipped YAML (``processes/clusters/``) loaded into the domain's tables, and the
scoring rule versions in force.

``clusters.yaml`` lists each cluster (cụm, by area) or bloc (khối, by sector) with, per year, its rotating head
and deputy and its member units, each member from/until an effective date when units merged or split (the 2025
reorganisation). Loading is idempotent and adds only what is missing (a year already loaded is left as it is, so a
year under way is never rewritten); a document that breaks a rule — a unit in two clusters at the same time, an
unknown unit, a head who is not a member — is refused whole, naming the field. ``rules/*.yaml`` are the scoring
rule versions (:mod:`handlers.cluster_rules`), stored once and never changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidInput, NotFound
from handlers import rulesets
from handlers.catalogue import read_yaml
from handlers.cluster_rules import ClusterRules, as_day, parse
from handlers.models import Cluster, ClusterMember, ClusterRuleSet, ClusterYear
from handlers.units import SHIPPED as UNITS_FILE
from handlers.units import Units

__all__ = ["KINDS", "SHIPPED", "ensure_shipped", "load_rules", "province", "rules_by_id", "rules_in_force"]

SHIPPED = Path(__file__).resolve().parent.parent / "processes" / "clusters"
KINDS = {"cum": "Cụm thi đua", "khoi": "Khối thi đua"}


@dataclass(frozen=True)
class Province:
    """The shipped document, checked: the desk that receives the clusters' proposals, and the clusters."""

    desk_unit: str
    clusters: tuple[Mapping[str, Any], ...]


@cache
def province(directory: Path = SHIPPED, units_file: Path = UNITS_FILE) -> Province:
    """``clusters.yaml`` read and checked (once per process: the shipped file does not change under it)."""
    path = directory / "clusters.yaml"
    content = read_yaml(path.read_text(encoding="utf-8"), path.name)
    return check(content, Units.load(units_file), path.name)


def check(content: Mapping[str, Any], units: Units, source: str) -> Province:
    """The document if every unit is known and in one cluster at a time each year; InvalidInput naming the field."""
    problems: dict[str, list[str]] = {}
    desk = str(content.get("desk_unit") or "")
    if desk not in units.names:
        problems["desk_unit"] = ["Đơn vị tiếp nhận đề nghị không có trong danh mục đơn vị"]
    seen: dict[tuple[str, int], list[tuple[date, date, str]]] = {}
    listed = content.get("clusters") or []
    codes = [str(c.get("code")) for c in listed if isinstance(c, Mapping)]
    for i, cluster in enumerate(listed):
        where = f"clusters[{i}]"
        if not isinstance(cluster, Mapping) or not cluster.get("code") or not cluster.get("name"):
            problems[where] = ["Mỗi cụm, khối cần mã (code) và tên (name)"]
            continue
        if codes.count(str(cluster["code"])) > 1:
            problems[f"{where}.code"] = [f"Mã cụm, khối {cluster['code']} bị trùng"]
        if cluster.get("kind") not in KINDS:
            problems[f"{where}.kind"] = ["Loại phải là cum (theo địa bàn) hoặc khoi (theo ngành, lĩnh vực)"]
        for year, term in (cluster.get("years") or {}).items():
            _check_year(f"{where}.years.{year}", str(cluster["code"]), int(year), term, units, seen, problems)
    if problems:
        raise InvalidInput(f"{source}: danh sách cụm, khối thi đua chưa hợp lệ", problems)
    return Province(desk, tuple(listed))


def _check_year(
    where: str,
    code: str,
    year: int,
    term: Any,
    units: Units,
    seen: dict[tuple[str, int], list[tuple[date, date, str]]],
    problems: dict[str, list[str]],
) -> None:
    if not isinstance(term, Mapping):
        problems[where] = ["Mỗi năm cần trưởng (head), phó (deputy) và thành viên (members)"]
        return
    members = [_member(m, year) for m in term.get("members") or []]
    present = {m[0] for m in members}
    for role in ("head", "deputy"):
        unit = term.get(role)
        if (unit or role == "head") and unit not in present:
            problems[f"{where}.{role}"] = [f"{'Trưởng' if role == 'head' else 'Phó'} cụm, khối phải là thành viên"]
    for j, (unit, start, end) in enumerate(members):
        spot = f"{where}.members[{j}]"
        if unit not in units.names:
            problems[spot] = [f"Đơn vị {unit} không có trong danh mục đơn vị"]
        if end < start or start.year != year or end.year != year:
            problems.setdefault(spot, []).append(f"Thời gian thành viên phải nằm trong năm {year}")
        for other_start, other_end, other in seen.get((unit, year), []):
            if start <= other_end and other_start <= end:
                problems.setdefault(spot, []).append(
                    f"Đơn vị {units.name(unit)} đã thuộc {other} trong năm {year}: mỗi đơn vị chỉ thuộc một cụm "
                    "hoặc một khối tại một thời điểm"
                )
        seen.setdefault((unit, year), []).append((start, end, code))


def _member(given: Any, year: int) -> tuple[str, date, date]:
    """(unit, from, until) of a members entry: a code, or {unit, from, until}."""
    if isinstance(given, Mapping):
        return (
            str(given.get("unit")),
            as_day(given.get("from")) or date(year, 1, 1),
            as_day(given.get("until")) or date(year, 12, 31),
        )
    return str(given), date(year, 1, 1), date(year, 12, 31)


def ensure_shipped(session: Session, directory: Path = SHIPPED) -> int:
    """Load the shipped rule versions, clusters and years missing from the database; how many rows were added."""
    added = 0
    for path in rulesets.shipped_files(directory / "rules"):
        content = rulesets.read_shipped(path)
        known = session.scalar(select(ClusterRuleSet.id).where(ClusterRuleSet.version == str(content.get("version"))))
        if known is None:
            load_rules(session, dict(content), path.name)
            added += 1
    for given in province(directory).clusters:
        added += _ensure_cluster(session, given)
    return added


def _ensure_cluster(session: Session, given: Mapping[str, Any]) -> int:
    row = session.scalars(select(Cluster).where(Cluster.code == str(given["code"]))).first()
    added = 0
    if row is None:
        row = Cluster(
            code=str(given["code"]), name=str(given["name"]), kind=str(given["kind"]), basis=given.get("basis")
        )
        session.add(row)
        session.flush()
        added += 1
    years = set(session.scalars(select(ClusterYear.year).where(ClusterYear.cluster_id == row.id)))
    for year, term in (given.get("years") or {}).items():
        if int(year) in years:
            continue
        entry = ClusterYear(cluster_id=row.id, year=int(year), head_unit=term["head"], deputy_unit=term.get("deputy"))
        for unit, start, end in (_member(m, int(year)) for m in term.get("members") or []):
            entry.members.append(ClusterMember(year=int(year), unit=unit, valid_from=start, valid_to=end))
        session.add(entry)
        added += 1
    return added


def load_rules(session: Session, content: dict[str, object], source: str) -> ClusterRuleSet:
    """Store a scoring rule version (checked first) unless it is there already; Conflict if it differs."""
    rules = parse(content, source)
    return rulesets.store_version(
        session, ClusterRuleSet, rules.version, rules.name, rules.effective_from, content, source
    )


def rules_in_force(session: Session, day: date) -> tuple[ClusterRuleSet, ClusterRules]:
    """The scoring rule version in force on ``day``."""
    row = rulesets.latest_on(session, ClusterRuleSet, day)
    if row is None:
        raise NotFound(f"no cluster scoring rules are in force on {day:%d/%m/%Y}")
    return row, rulesets.parsed_once(row, parse, _PARSED)


def rules_by_id(session: Session, rule_set_id: int) -> ClusterRules:
    row = session.get(ClusterRuleSet, rule_set_id)
    if row is None:
        raise NotFound(f"no cluster scoring rules {rule_set_id}")
    return rulesets.parsed_once(row, parse, _PARSED)


_PARSED: dict[tuple[str, str], ClusterRules] = {}
