"""The award catalogue and its rules as typed, checked values (pure: no database, no clock).

A rule set is one YAML document (``processes/catalogue/*.yaml``) with an effective date; this module reads
it into frozen dataclasses and refuses, with every problem listed, a document whose numbers do not add up
(a procedure's step budgets must sum to the statutory limit) or whose references dangle (a paper, council,
agency, issuing body or procedure that is not defined). Ratios are exact fractions ("2/3", "90%", "0.8")
so that "at least 90 % of all members" is decided without floating-point doubt.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

import yaml

from engine.calendar import WorkDuration, parse_duration
from engine.errors import InvalidInput

__all__ = [
    "AwardType",
    "Catalogue",
    "CatalogueInvalid",
    "Consultation",
    "Council",
    "Member",
    "Procedure",
    "Rule",
    "Step",
    "Vote",
    "content_hash",
    "parse",
    "parse_ratio",
    "read_yaml",
]

RECIPIENT_KINDS = ("individual", "collective", "household")
POLICIES = ("resume", "restart")
#: Eligibility rule kinds (see handlers.eligibility) and the parameters each needs.
RULE_PARAMS: dict[str, tuple[str, ...]] = {
    "freeze": (),
    "has_title": ("title",),
    "consecutive_titles": ("title", "count"),
    "initiative": ("min_scope",),
    "ratio": ("part", "min"),
    "min_count": ("field", "min"),
    "max_value": ("field", "max"),
}
RULE_KINDS = tuple(RULE_PARAMS)
#: The keys a rule set, an award type and a vote may have: any other is a typing mistake, refused by name.
KNOWN_KEYS = frozenset(
    "version name effective_from legal_basis office base_salary bonus_rounding_vnd papers titles initiative_scopes"
    " issuing_bodies agencies councils women_priority_ratio procedures award_types consultation".split()
)
AWARD_KEYS = frozenset(
    "name recipients issuing_body required_papers eligibility vote quota agencies limit procedure supplement_policy"
    " supplement_within bonus_multiple".split()
)
VOTE_KEYS = frozenset({"council", "threshold", "quorum"})


class CatalogueInvalid(InvalidInput):
    """A rule set that cannot be used; ``fields`` maps a path in the document to what is wrong there."""


def parse_ratio(value: Any) -> Fraction:
    """ "2/3", "90%", "0.8" or 0.8 as an exact fraction between 0 and 1."""
    text = str(value).strip()
    try:
        result = Fraction(text[:-1].strip()) / 100 if text.endswith("%") else Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{value!r} không phải là tỷ lệ; hãy ghi 2/3, 90% hoặc 0.8") from None
    if not 0 <= result <= 1:
        raise ValueError(f"{value!r} không nằm trong khoảng từ 0 đến 1")
    return result


def format_ratio(value: Fraction) -> str:
    """A ratio as people read it: "90%", "66,67%"."""
    percent = value * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return f"{float(percent):.2f}%".replace(".", ",")


@dataclass(frozen=True)
class Rule:
    """One eligibility rule: its kind (see :mod:`handlers.eligibility`) and parameters."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Vote:
    """Which council votes, the share of ALL its members a candidate needs, and the quorum to sit."""

    council: str
    threshold: Fraction
    quorum: Fraction


@dataclass(frozen=True)
class Member:
    code: str
    name: str
    role: str


@dataclass(frozen=True)
class Council:
    code: str
    name: str
    members: tuple[Member, ...]

    @property
    def chair(self) -> Member:
        return next((m for m in self.members if m.role == "chu_tich"), self.members[0])

    def codes(self) -> list[str]:
        return [m.code for m in self.members]


@dataclass(frozen=True)
class Step:
    """A row of the ISO table: B-number, BPMN task id(s), role, budget."""

    step: str
    task: str | None
    role: str
    budget: str
    name: str
    parallel: Mapping[str, str] = field(default_factory=dict)

    @property
    def tasks(self) -> dict[str, str]:
        """Task id → budget for every task this step stands for."""
        return dict(self.parallel) if self.parallel else {str(self.task): self.budget}


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    steps: tuple[Step, ...]
    alternates: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def budgets(self) -> dict[str, str]:
        """Every task id of the procedure (alternates included) → its budget."""
        found = {task: budget for step in self.steps for task, budget in step.tasks.items()}
        found.update({task: str(alt["budget"]) for task, alt in self.alternates.items()})
        return found


@dataclass(frozen=True)
class AwardType:
    code: str
    name: str
    recipients: tuple[str, ...]
    issuing_body: str
    required_papers: tuple[str, ...]
    eligibility: Mapping[str, tuple[Rule, ...]]
    vote: Vote | None
    quota: int | None
    agencies: tuple[str, ...]
    limit: str
    procedure: str
    supplement_policy: str
    bonus_multiple: Mapping[str, Decimal]
    #: the working days the applicant has to bring what a supplement request lists ("10WD"); None: the rule set
    #: sets no date (the request then names none)
    supplement_within: str | None = None


@dataclass(frozen=True)
class Consultation:
    """Public consultation before the vote (Law 06/2022 art. 84): which awards are published for comment, for
    how many working days, what a citizen must give, and the bounds that keep the public form from abuse."""

    award_types: tuple[str, ...]
    days: int
    contact_required: bool
    max_text: int
    max_attachment_bytes: int
    attachment_types: tuple[str, ...]
    per_address_per_hour: int
    per_proposal_per_day: int

    def applies(self, award_type: str) -> bool:
        return award_type in self.award_types


@dataclass(frozen=True)
class Catalogue:
    """One rule-set version: everything the handlers need to know about the awards it covers."""

    version: str
    name: str
    effective_from: date
    legal_basis: tuple[str, ...]
    office: Mapping[str, str]
    base_salary: tuple[tuple[date, int], ...]
    bonus_rounding_vnd: int
    max_paper_bytes: int
    paper_types: tuple[str, ...]
    papers: Mapping[str, str]
    titles: Mapping[str, str]
    initiative_scopes: tuple[str, ...]
    scope_names: Mapping[str, str]
    issuing_bodies: Mapping[str, Mapping[str, str]]
    agencies: Mapping[str, Mapping[str, str]]
    councils: Mapping[str, Council]
    women_priority_ratio: Fraction
    procedures: Mapping[str, Procedure]
    award_types: Mapping[str, AwardType]
    #: None: this version publishes nothing for comment
    consultation: Consultation | None = None

    def award(self, code: str) -> AwardType:
        try:
            return self.award_types[code]
        except KeyError:
            known = ", ".join(sorted(self.award_types))
            raise InvalidInput(
                f"unknown award type {code!r} in rule set {self.version}", {"award_type": [f"one of {known}"]}
            ) from None

    def base_salary_on(self, day: date) -> int:
        """The base salary (VND/month) in force on ``day``."""
        amounts = [vnd for start, vnd in self.base_salary if start <= day]
        if not amounts:
            raise InvalidInput(f"rule set {self.version} has no base salary in force on {day:%d/%m/%Y}")
        return amounts[-1]


#: libyaml's safe loader where PyYAML has it (the same documents, read several times faster: each process reads the
#: catalogue at start, and each shard of a what-if run), else PyYAML's own. A document it refuses is read again
#: with PyYAML's, whose messages (and our bounds, found first) are those people have seen.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Deepest nesting of a rule-set document (the shipped ones nest 6 deep).
MAX_YAML_DEPTH = 32
_OPENING = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSING = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def read_yaml(text: str, source: str = "<catalogue>") -> dict[str, Any]:
    """The YAML document as plain JSON-ready data (dates as ISO text)."""
    try:
        try:
            data = _load(text, source, _LOADER)
        except yaml.YAMLError:  # libyaml words its errors (and its own nesting bound) otherwise: say them as ever
            data = _load(text, source, yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise CatalogueInvalid(
            f"{source}: không phải YAML hợp lệ: {exc}", {"_": [f"không phải YAML hợp lệ: {exc}"]}
        ) from None
    if not isinstance(data, dict):
        raise CatalogueInvalid(
            f"{source}: bộ quy tắc phải là một bảng khóa: giá trị", {"_": ["phải là một bảng khóa: giá trị"]}
        )
    result: dict[str, Any] = json.loads(json.dumps(data, default=_jsonable, ensure_ascii=False))
    return result


def _load(text: str, source: str, loader: Any) -> Any:
    _scan(text, source, loader)
    return yaml.load(text, Loader=loader)  # a safe loader (SafeLoader or CSafeLoader)


def _scan(text: str, source: str, loader: Any) -> None:
    """Refuse before loading what the loader would choke on: an alias repeats a whole subtree (a few lines can
    stand for billions of values once stored); ten thousand nested brackets made the loader recurse for seconds
    and fail (a 500)."""
    depth = 0
    for token in yaml.scan(text, Loader=loader):
        if isinstance(token, yaml.AliasToken):
            raise CatalogueInvalid(f"{source}: YAML aliases", {"_": ["không dùng tham chiếu YAML (*tên)"]})
        depth += isinstance(token, _OPENING) - isinstance(token, _CLOSING)
        if depth > MAX_YAML_DEPTH:
            raise CatalogueInvalid(f"{source}: nested too deep", {"_": [f"lồng quá {MAX_YAML_DEPTH} tầng"]})


def content_hash(content: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in a rule set")


class _Reader:
    """Collects every problem of a document instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: dict[str, list[str]] = {}

    def fail(self, path: str, message: str) -> None:
        self.problems.setdefault(path, []).append(message)

    def get(
        self, data: Mapping[str, Any], key: str, path: str, kind: type | tuple[type, ...], default: Any = ...
    ) -> Any:
        if key not in data or data[key] is None:
            if default is ...:
                self.fail(f"{path}{key}", "bắt buộc phải có")
                return None
            return default
        value = data[key]
        if not isinstance(value, kind):
            self.fail(f"{path}{key}", f"phải là {_kind_name(kind)}")
            return None
        return value

    def only(self, data: Mapping[str, Any], known: frozenset[str], path: str) -> None:
        """Refuse every key of ``data`` that is not one of ``known``, naming it."""
        for key in data:
            if str(key) not in known:
                self.fail(f"{path}{key}", "không phải là mục của bộ quy tắc (viết sai tên?)")

    def ratio(self, value: Any, path: str) -> Fraction:
        try:
            return parse_ratio(value)
        except ValueError as exc:
            self.fail(path, str(exc))
            return Fraction(0)

    def duration(self, value: Any, path: str) -> WorkDuration | None:
        try:
            return parse_duration(str(value))
        except ValueError as exc:
            self.fail(path, str(exc))
            return None

    def day(self, value: Any, path: str) -> date:
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(path, f"{value!r} không phải là ngày (YYYY-MM-DD)")
            return date.min


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        dict: "một bảng khóa: giá trị",
        list: "một danh sách",
        str: "văn bản",
        int: "một số nguyên",
        bool: "true hoặc false",
        date: "một ngày",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " hoặc ".join(names.get(k, k.__name__) for k in kinds)


def parse(data: Mapping[str, Any], source: str = "<catalogue>") -> Catalogue:
    """Read and check a rule-set document; CatalogueInvalid lists every problem by path."""
    r = _Reader()
    r.only(data, KNOWN_KEYS, "")
    version = r.get(data, "version", "", str)
    effective = r.day(r.get(data, "effective_from", "", (str, date)), "effective_from")
    papers = r.get(data, "papers", "", dict) or {}
    kinds = r.get(papers, "kinds", "papers.", dict) or {}
    scopes = r.get(data, "initiative_scopes", "", dict) or {}
    catalogue_councils = _councils(r, r.get(data, "councils", "", dict) or {})
    procedures = _procedures(r, r.get(data, "procedures", "", dict) or {})
    salary = sorted(
        (r.day(row.get("from"), f"base_salary[{i}].from"), int(row.get("vnd") or 0))
        for i, row in enumerate(r.get(data, "base_salary", "", list) or [])
        if isinstance(row, dict)
    )
    catalogue = Catalogue(
        version=str(version),
        name=str(r.get(data, "name", "", str) or ""),
        effective_from=effective,
        legal_basis=tuple(r.get(data, "legal_basis", "", list, []) or []),
        office={k: str(v) for k, v in (r.get(data, "office", "", dict, {}) or {}).items()},
        base_salary=tuple(salary),
        bonus_rounding_vnd=int(r.get(data, "bonus_rounding_vnd", "", int, 1) or 1),
        max_paper_bytes=int(r.get(papers, "max_bytes", "papers.", int) or 0),
        paper_types=tuple(r.get(papers, "content_types", "papers.", list) or ()),
        papers={str(k): str(v) for k, v in kinds.items()},
        titles={str(k): str(v) for k, v in (r.get(data, "titles", "", dict, {}) or {}).items()},
        initiative_scopes=tuple(scopes),
        scope_names={str(k): str(v) for k, v in scopes.items()},
        issuing_bodies=r.get(data, "issuing_bodies", "", dict) or {},
        agencies=r.get(data, "agencies", "", dict) or {},
        councils=catalogue_councils,
        women_priority_ratio=r.ratio(data.get("women_priority_ratio", "70%"), "women_priority_ratio"),
        procedures=procedures,
        award_types={},
    )
    awards = {}
    for code, body in (r.get(data, "award_types", "", dict) or {}).items():
        if isinstance(body, dict):
            awards[str(code)] = _award(r, str(code), body, catalogue)
        else:
            r.fail(f"award_types.{code}", "phải là một bảng khóa: giá trị")
    if not salary:
        r.fail("base_salary", "cần ít nhất một mức lương kèm ngày áp dụng")
    consultation = _consultation(r, data.get("consultation"), awards)
    if r.problems:
        first = next(iter(r.problems.items()))
        raise CatalogueInvalid(f"{source}: bộ quy tắc không hợp lệ ({first[0]}: {first[1][0]})", r.problems)
    return replace(catalogue, award_types=awards, consultation=consultation)


def _consultation(r: _Reader, data: Any, awards: Mapping[str, AwardType]) -> Consultation | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        r.fail("consultation", "phải là một bảng khóa: giá trị, hoặc bỏ trống")
        return None
    listed = tuple(str(code) for code in r.get(data, "award_types", "consultation.", list) or ())
    for code in listed:
        if code not in awards:
            r.fail("consultation.award_types", f"{code!r} không có trong các hình thức khen thưởng")
    numbers = {}
    for key in ("days", "max_text", "max_attachment_bytes", "per_address_per_hour", "per_proposal_per_day"):
        value = r.get(data, key, "consultation.", int)
        if value is not None and value < 1:
            r.fail(f"consultation.{key}", "phải là số nguyên dương")
        numbers[key] = int(value or 1)
    return Consultation(
        award_types=listed,
        contact_required=bool(r.get(data, "contact_required", "consultation.", bool, False)),
        attachment_types=tuple(str(t) for t in r.get(data, "attachment_types", "consultation.", list) or ()),
        **numbers,
    )


def _councils(r: _Reader, data: Mapping[str, Any]) -> dict[str, Council]:
    councils = {}
    for code, body in data.items():
        members = tuple(
            Member(str(m.get("code")), str(m.get("name")), str(m.get("role", "uy_vien")))
            for m in (body.get("members") or [])
            if isinstance(m, dict)
        )
        if not members:
            r.fail(f"councils.{code}.members", "hội đồng phải có thành viên")
        elif len({m.code for m in members}) != len(members):
            r.fail(f"councils.{code}.members", "mã thành viên không được trùng nhau")
        councils[str(code)] = Council(str(code), str(body.get("name", code)), members)
    return councils


def _procedures(r: _Reader, data: Mapping[str, Any]) -> dict[str, Procedure]:
    procedures = {}
    for code, body in data.items():
        path = f"procedures.{code}"
        steps = []
        for i, row in enumerate(body.get("steps") or []):
            parallel = {str(k): str(v) for k, v in (row.get("parallel") or {}).items()}
            if not parallel and not row.get("task"):
                r.fail(f"{path}.steps[{i}]", "cần một bước trên sơ đồ (task) hoặc các nhánh song song")
            for task, budget in parallel.items():
                if _days(r, budget, f"{path}.steps[{i}].parallel.{task}") > _days(r, row.get("budget"), ""):
                    r.fail(f"{path}.steps[{i}].parallel.{task}", "một nhánh không được dài hơn bước của nó")
            steps.append(
                Step(
                    step=str(row.get("step", f"B{i + 1}")),
                    task=row.get("task"),
                    role=str(row.get("role", "")),
                    budget=str(row.get("budget")),
                    name=str(row.get("name", "")),
                    parallel=parallel,
                )
            )
        alternates = {str(k): {kk: str(vv) for kk, vv in v.items()} for k, v in (body.get("alternates") or {}).items()}
        procedures[str(code)] = Procedure(str(code), str(body.get("name", code)), tuple(steps), alternates)
    return procedures


def _days(r: _Reader, value: Any, path: str) -> Decimal:
    """A budget in working days; the ISO table is kept in WD so that it can be summed against the limit."""
    duration = r.duration(value, path) if path else _quiet(value)
    if duration is None:
        return Decimal(0)
    if duration.unit != "WD":
        r.fail(path or "procedures", f"{value!r}: định mức các bước và thời hạn ghi bằng ngày làm việc (WD)")
        return Decimal(0)
    return duration.amount


def _quiet(value: Any) -> WorkDuration | None:
    try:
        return parse_duration(str(value))
    except ValueError:
        return None


def _award(r: _Reader, code: str, data: Mapping[str, Any], cat: Catalogue) -> AwardType:
    path = f"award_types.{code}."
    r.only(data, AWARD_KEYS, path)
    recipients = tuple(r.get(data, "recipients", path, list) or ())
    for kind in recipients:
        if kind not in RECIPIENT_KINDS:
            r.fail(f"{path}recipients", f"{kind!r} không thuộc {', '.join(RECIPIENT_KINDS)}")
    papers = tuple(r.get(data, "required_papers", path, list) or ())
    for paper in papers:
        if paper not in cat.papers:
            r.fail(f"{path}required_papers", f"giấy tờ {paper!r} không có trong danh mục giấy tờ")
    body = r.get(data, "issuing_body", path, str)
    if body is not None and body not in cat.issuing_bodies:
        r.fail(f"{path}issuing_body", f"{body!r} không có trong các cơ quan ban hành")
    agencies = tuple(r.get(data, "agencies", path, list, []) or ())
    for agency in agencies:
        if agency not in cat.agencies:
            r.fail(f"{path}agencies", f"cơ quan {agency!r} không có trong các cơ quan hiệp y")
    vote = _vote(r, data.get("vote"), path, cat)
    procedure = r.get(data, "procedure", path, str)
    limit = str(r.get(data, "limit", path, str) or "")
    if procedure is not None and procedure not in cat.procedures:
        r.fail(f"{path}procedure", f"{procedure!r} không có trong các quy trình nội bộ")
    elif procedure is not None:
        total = sum(_days(r, s.budget, f"procedures.{procedure}.{s.step}") for s in cat.procedures[procedure].steps)
        if total != _days(r, limit, f"{path}limit"):
            r.fail(
                f"{path}procedure", f"định mức các bước của {procedure} cộng lại {total}WD, không bằng thời hạn {limit}"
            )
    policy = r.get(data, "supplement_policy", path, str)
    if policy is not None and policy not in POLICIES:
        r.fail(f"{path}supplement_policy", f"phải là một trong {', '.join(POLICIES)}")
    within = data.get("supplement_within")
    parsed = None if within is None else r.duration(within, f"{path}supplement_within")
    if parsed is not None and (parsed.unit != "WD" or parsed.amount <= 0):
        r.fail(f"{path}supplement_within", f"{within!r}: phải là số ngày làm việc dương, ví dụ 10WD")
    eligibility = {
        str(kind): tuple(_rule(r, rule, f"{path}eligibility.{kind}[{i}]") for i, rule in enumerate(rules or []))
        for kind, rules in (r.get(data, "eligibility", path, dict, {}) or {}).items()
    }
    multiples = {}
    for kind, value in (r.get(data, "bonus_multiple", path, dict) or {}).items():
        try:
            multiples[str(kind)] = Decimal(str(value))
        except InvalidOperation:
            r.fail(f"{path}bonus_multiple.{kind}", f"{value!r} không phải là số")
    for kind in recipients:
        if kind not in multiples:
            r.fail(f"{path}bonus_multiple", f"thiếu hệ số tiền thưởng cho {kind}")
    quota = data.get("quota")
    if quota is not None and (not isinstance(quota, int) or quota < 1):
        r.fail(f"{path}quota", "phải là số nguyên dương hoặc null (không giới hạn)")
    return AwardType(
        code=code,
        name=str(r.get(data, "name", path, str) or code),
        recipients=recipients,
        issuing_body=str(body),
        required_papers=papers,
        eligibility=eligibility,
        vote=vote,
        quota=quota if isinstance(quota, int) else None,
        agencies=agencies,
        limit=limit,
        procedure=str(procedure),
        supplement_policy=str(policy),
        bonus_multiple=multiples,
        supplement_within=None if within is None else str(within),
    )


def _vote(r: _Reader, data: Any, path: str, cat: Catalogue) -> Vote | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        r.fail(f"{path}vote", "phải là một bảng khóa: giá trị, hoặc null (không bỏ phiếu)")
        return None
    r.only(data, VOTE_KEYS, f"{path}vote.")
    council = str(data.get("council"))
    if council not in cat.councils:
        r.fail(f"{path}vote.council", f"{council!r} không có trong các hội đồng")
    return Vote(
        council=council,
        threshold=r.ratio(data.get("threshold"), f"{path}vote.threshold"),
        quorum=r.ratio(data.get("quorum", "2/3"), f"{path}vote.quorum"),
    )


def _rule(r: _Reader, data: Any, path: str) -> Rule:
    if not isinstance(data, dict) or data.get("rule") not in RULE_KINDS:
        r.fail(path, f"phải là một bảng khóa: giá trị có rule thuộc {', '.join(RULE_KINDS)}")
        return Rule("freeze")
    params = {k: v for k, v in data.items() if k != "rule"}
    for key in RULE_PARAMS[data["rule"]]:
        if params.get(key) is None:
            r.fail(f"{path}.{key}", f"điều kiện {data['rule']} cần tham số {key}")
    for key in ("min",) if data["rule"] == "ratio" else ():
        params[key] = r.ratio(params.get(key), f"{path}.{key}")
    return Rule(str(data["rule"]), params)
