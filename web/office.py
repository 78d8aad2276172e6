"""The simulated office: units, people and dossiers submitted and worked in time order on a virtual clock.

The dossiers really run through the deployed processes: each one is submitted on its day, and every step is done
after a share of its budget (sometimes more: late steps and apologies happen), with supplements, refusals,
withdrawals and moved dates. `awardflow demo` runs it against the real database up to today; a what-if run
(:mod:`web.simulation`) subclasses it with staff who queue the work, on a scratch database.
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import click

from engine import clock
from engine.errors import AwardflowError, Conflict
from engine.identity import Actor
from handlers import records
from handlers.catalogue import Catalogue
from handlers.consultation_service import CommentForm
from handlers.domain import Domain
from handlers.models import Dossier

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PDF = b"%PDF-1.4\n% awardflow demo paper\n"

WORKERS = {
    "desk": ["motcua", "motcua2"],
    "division_head": ["truongphong"],
    "appraiser": ["thamdinh", "thamdinh2"],
    "agency_tax": ["thue"],
    "agency_insurance": ["bhxh"],
    "agency_police": ["congan"],
    "agency_inspectorate": ["thanhtra"],
    "council_secretary": ["thuky"],
    "leader": ["lanhdao"],
    "records": ["vanthu"],
}
UNITS = [
    ("so-gd", "Sở Giáo dục và Đào tạo"),
    ("so-yt", "Sở Y tế"),
    ("so-tc", "Sở Tài chính"),
    ("so-tp", "Sở Tư pháp"),
    ("so-nn", "Sở Nông nghiệp và Môi trường"),
    ("so-xd", "Sở Xây dựng"),
    ("so-vh", "Sở Văn hóa, Thể thao và Du lịch"),
    ("ubnd-tp", "UBND thành phố An Bình"),
    ("ubnd-hl", "UBND huyện Hòa Lạc"),
    ("ubnd-tm", "UBND huyện Tân Minh"),
    ("bv-tinh", "Bệnh viện Đa khoa tỉnh"),
    ("truong-cd", "Trường Cao đẳng Kỹ thuật An Bình"),
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE_F, MIDDLE_M = ["Thị", "Thị Thu", "Thị Minh", "Ngọc", "Thanh"], ["Văn", "Minh", "Quốc", "Đức", "Hữu"]
GIVEN_F = ["Hoa", "Lan", "Hương", "Mai", "Thảo", "Trang", "Linh", "Ngân", "Yến", "Hà", "Vân", "Nhung"]
GIVEN_M = ["Nam", "Hùng", "Dũng", "Tuấn", "Long", "Sơn", "Khoa", "Bình", "Phúc", "Toàn", "Thắng", "Quang"]
POSITIONS = [("Chuyên viên", False), ("Giáo viên", False), ("Bác sĩ", False), ("Kế toán viên", False),
             ("Trưởng phòng", True), ("Phó Giám đốc", True), ("Kỹ sư", False), ("Điều dưỡng", False)]  # fmt: skip
TEAMS = ["Phòng Tổ chức cán bộ", "Phòng Kế hoạch – Tài chính", "Khoa Nội", "Tổ Toán", "Phòng Tư pháp",
         "Phòng Nội vụ", "Văn phòng", "Trung tâm Y tế", "Phòng Giáo dục", "Đội Quản lý thị trường"]  # fmt: skip
AWARD_MIX = [("CSTD_CS", 30), ("BK_UBND", 30), ("CSTD_TINH", 15), ("TT_LDXS", 15), ("CO_TINH", 10)]
#: the share of appraisals (of dossiers complete at intake) that ask the applicant for a supplement
APPRAISAL_SUPPLEMENT_SHARE = 0.08


@dataclass(order=True)
class Event:
    at: datetime
    seq: int
    code: str = field(compare=False)
    action: str = field(compare=False)


class Simulation:
    """Submits dossiers and works their tasks in time order on a virtual clock."""

    def __init__(self, domain: Domain, rng: random.Random, until: datetime) -> None:
        self.engine, self.dossiers, self.rng, self.until = domain.engine, domain.dossiers, rng, until
        self.council, self.consultation = domain.council, domain.consultation
        self.admin = self.engine.identity.actor(self.engine.settings.admin_user)
        self.queue: list[Event] = []
        self.seq = 0
        self.calendar = self.engine.calendar.calendar()
        #: a year of dossiers up to ``until``, from the first Monday of that span
        first = (until - timedelta(days=365)).date()
        self.start = datetime.combine(first + timedelta(days=-first.weekday() % 7), time(8), VN)
        self.virtual = clock.VirtualClock(self.start - timedelta(days=1))
        self.errors = 0
        self.rescheduled: set[str] = set()
        self.plans: dict[str, dict[str, Any]] = {}
        self.instances: dict[str, int] = {}
        self.people: dict[str, Actor] = {}
        self.catalogue: tuple[date, Catalogue] | None = None

    def reserve(self) -> int:
        """The next place in the order of events (those at one moment happen in the order they were planned)."""
        self.seq += 1
        return self.seq

    def at(self, moment: datetime, code: str, action: str, seq: int | None = None) -> None:
        heapq.heappush(self.queue, Event(moment, self.reserve() if seq is None else seq, code, action))

    def after(self, budget: str, code: str, action: str = "work") -> None:
        share = self.rng.choice([0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0, 1.3])
        amount = float(budget.removesuffix("WD")) * share
        self.at(self.calendar.add(clock.now(), f"{amount:.3f}WD"), code, action)

    def run(self, count: int) -> dict[str, int]:
        previous = clock.install(self.virtual)
        try:
            for i, day in enumerate(self.arrivals(count)):
                self.at(day, f"demo-{i}", "submit")
            fired_day: date | None = None
            while self.next_at() is not None:
                event = heapq.heappop(self.queue)
                if event.at > clock.now():
                    self.virtual.set(event.at)
                self.reached(clock.now())
                if fired_day != event.at.date():
                    fired_day = event.at.date()
                    self.engine.timers.fire_due(limit=1000)
                try:
                    self.handle(event)
                except AwardflowError as err:
                    self.errors += 1
                    click.echo(f"  {event.code}: {err.message}", err=True)
            self.settle(None)  # steps asked for that end after the run still took their people's time
            return self.summary()
        finally:
            clock.install(previous)

    def next_at(self) -> datetime | None:
        """When the next event of the run happens, once every step that could end before it has its end."""
        self.settle(self.queue[0].at if self.queue else None)
        return self.queue[0].at if self.queue and self.queue[0].at <= self.until else None

    def settle(self, before: datetime | None) -> None:
        """Steps asked for whose end may come before ``before`` (all, with None) have it now: here every step's
        end is known when it is planned (see the what-if run's shared staff)."""

    def reached(self, moment: datetime) -> None:
        """The clock is at ``moment``, the next event's: nothing before it will happen any more (a what-if run's
        shards tell their shared staff)."""

    # -- actions ------------------------------------------------------------------------------------
    def handle(self, event: Event) -> None:
        if event.action == "submit":
            code = self.submit()
            self.pace(code, "0.3WD")
        elif event.action == "supplement":
            if self.brief(event.code).status != records.SUPPLEMENT:  # withdrawn while the papers were gathered
                return
            rules = self.rules()
            papers = [self.paper(c, rules) for c in self.plans[event.code]["missing"]]
            self.dossiers.return_supplement(self.person_named("motcua"), event.code, papers)
            self.pace(event.code, "0.2WD")
        elif event.action == "comment":
            self.comment(event.code)
        elif event.action == "answer":
            self.answer_comment(event.code)
        elif event.action == "timer":
            self.engine.timers.fire_due(limit=1000)
            self.work(event.code)
        elif event.action == "withdraw":
            try:
                self.dossiers.withdraw(self.person_named("motcua"), event.code, "Đơn vị đề nghị xin rút hồ sơ.")
            except Conflict:  # already at signing or finished: too late to withdraw
                pass
        else:
            self.work(event.code)

    def paper(self, kind: str, rules: Catalogue) -> dict[str, Any]:
        """A scanned paper as a unit sends it with its dossier's form: ``bao-cao-thanh-tich.pdf``."""
        return self.dossiers.upload(kind, f"{kind.lower().replace('_', '-')}.pdf", PDF + kind.encode(), rules)

    def submit(self) -> str:
        rules = self.rules()
        award = self.rng.choices([a for a, _ in AWARD_MIX], [w for _, w in AWARD_MIX])[0]
        unit, unit_name = self.rng.choice(UNITS)
        kinds = rules.award(award).recipients
        nominees = [self.nominee(self.rng.choice(kinds), award) for _ in range(self.rng.choice([1, 1, 1, 2, 3]))]
        required = list(rules.award(award).required_papers)
        missing = self.rng.sample(required, 1) if self.rng.random() < 0.15 else []
        papers = [self.paper(c, rules) for c in required if c not in missing]
        submission = {
            "award_type": award,
            "unit": unit,
            "unit_name": unit_name,
            "title": f"Đề nghị tặng {rules.award(award).name} năm {self.year()}",
            "achievement_year": self.year(),
            "channel": self.rng.choice(["truc_tiep", "truc_tuyen", "buu_chinh"]),
            "applicant": {"name": self.person("nu" if self.rng.random() < 0.5 else "nam"), "phone": "0912 345 678"},
            "nominees": nominees,
            "papers": papers,
        }
        code = self.dossiers.receive(self.person_named(self.rng.choice(WORKERS["desk"])), submission)
        self.plans[code] = {"missing": missing, "refuse": self.rng.random() < 0.05}
        return code

    def year(self) -> int:
        """The year whose achievements are proposed: the one before the submission."""
        return clock.now().astimezone(VN).year - 1

    def person(self, gender: str) -> str:
        middle, given = (MIDDLE_F, GIVEN_F) if gender == "nu" else (MIDDLE_M, GIVEN_M)
        return f"{self.rng.choice(SURNAMES)} {self.rng.choice(middle)} {self.rng.choice(given)}"

    def nominee(self, kind: str, award: str) -> dict[str, Any]:
        good = self.rng.random() < 0.85
        if kind == "individual":
            gender = "nu" if self.rng.random() < 0.55 else "nam"
            position, leader = self.rng.choice(POSITIONS)
            title = {"CSTD_TINH": "CSTD_CS", "BK_UBND": "HTXSNV"}.get(award, "LDTT")
            last = self.year()
            years = [last - 2, last - 1, last] if good else [last - 2, last]
            return {
                "kind": "individual",
                "name": self.person(gender),
                "gender": gender,
                "position": position,
                "is_leader": leader,
                "unit": self.rng.choice(TEAMS),
                "titles": [{"year": y, "title": title} for y in years],
                "initiatives": [{"name": "Sáng kiến cải tiến quy trình", "scope": "tinh" if good else "co_so"}],
                "discipline": not good and self.rng.random() < 0.3,
            }
        total = self.rng.randint(8, 40)
        return {
            "kind": kind,
            "name": self.rng.choice(TEAMS) if kind == "collective" else f"Hộ gia đình ông {self.person('nam')}",
            "members_total": total,
            "women_members": self.rng.randint(0, total),
            "members_completing": total if good else total - 1,
            "members_ldtt": int(total * (0.8 if good else 0.6)),
            "members_cstd_cs": 1 + self.rng.randint(0, 2),
            "cluster_rank": 1 if good else 2,
            "titles": [{"year": y, "title": "HTXSNV"} for y in (self.year() - 1, self.year())],
        }

    def instance_id(self, code: str) -> int:
        """The process instance of a dossier (or comment), looked up once: a code has one instance for good."""
        found = self.instances.get(code)
        if found is None:
            found = self.instances[code] = self.engine.runtime.ids_for(code)[0]
        return found

    def ready(self, code: str) -> list[Any]:
        """The tasks of ``code``'s instance that someone can work on now."""
        return self.engine.tasks.for_instance(self.instance_id(code), state="ready")

    def work(self, code: str) -> None:
        tasks = self.ready(code)
        if not tasks:
            self.wait_for_timer(code, self.instance_id(code))
            return
        meeting = self.meeting(code) if any(t.element_id == "record_session" for t in tasks) else None
        if meeting is not None and meeting > clock.now():  # a sitting is recorded from its meeting's date on
            self.at(meeting, code, "work")
            return
        for task in tasks:
            self.maybe_apologise(code)
            group = (task.candidate_groups or ["desk"])[0]
            user = task.assignee or self.rng.choice(WORKERS.get(group, ["admin"]))
            data = self.answer(code, task.element_id)
            if task.assignee is None:
                self.engine.tasks.claim(task.id, user)
            self.engine.tasks.complete(task.id, user, data)
        plan = self.plans[code]
        if plan.pop("supplement_pending", False):
            if plan.get("asked_in_appraisal"):  # the unit sends the papers back well within `supplement_within`
                self.after("4WD", code, "supplement")
            elif self.rng.random() < 0.1:
                self.after("2WD", code, "withdraw")
            elif self.rng.random() < 0.9:
                self.after("4WD", code, "supplement")
            return
        if self.rng.random() < 0.01:
            self.after("1WD", code, "withdraw")
        budgets = [float(t.properties.get("budget", "1WD").removesuffix("WD")) for t in tasks]
        self.pace(code, f"{max(budgets)}WD")

    def wait_for_timer(self, code: str, instance_id: int) -> None:
        """A dossier waiting on its own timer (the public consultation's days) is worked just after it fires;
        while it is published, a citizen comments on some (handled well before the period ends)."""
        due = [t.due_at for t in self.engine.timers.pending(instance_id) if t.kind == "bpmn"]
        if due:
            self.at(max(min(due), clock.now()) + timedelta(seconds=1), code, "timer")
            if self.consultation.published(code) and self.rng.random() < 0.6:
                self.after("3WD", code, "comment")

    def comment(self, code: str) -> None:
        """A citizen's comment on the published list (an objection now and then), through the public service."""
        nominees = self.record(code).nominees
        kind = self.rng.choice(["ung_ho", "ung_ho", "phan_anh", "khac"])
        text = {
            "ung_ho": "Tôi biết và đồng ý với đề nghị khen thưởng này.",
            "phan_anh": "Đề nghị xác minh lại thành tích được kê khai trong hồ sơ.",
            "khac": "Đề nghị công khai thêm báo cáo thành tích.",
        }[kind]
        form = CommentForm(
            code=code,
            nominee_id=self.rng.choice(nominees).id if nominees else None,
            kind=kind,
            author_name=self.person(self.rng.choice(["nu", "nam"])),
            contact=f"09{self.rng.randint(10_000_000, 99_999_999)}",
            text=text,
            address_hash=f"{self.rng.getrandbits(256):064x}",
            nonce=f"{self.rng.getrandbits(128):032x}",
        )
        receipt = self.consultation.comment(form)
        self.after("2WD", receipt, "answer")

    def answer_comment(self, receipt: str) -> None:
        """The appraiser verifies and answers the comment; now and then an objection proves true."""
        for task in self.engine.tasks.for_instance(self.instance_id(receipt)):
            if task.state == "ready":
                true = self.rng.random() < 0.2
                answer = "Đã xác minh, nội dung phản ánh đúng." if true else "Đã xác minh, hồ sơ kê khai đúng."
                data = {"substantiated": true, "answer": answer, "changes_proposal": False}
                self.engine.tasks.complete(task.id, task.assignee or "thamdinh", data)

    def pace(self, code: str, budget: str) -> None:
        """When the dossier's next steps are done: after a share of ``budget`` (the demo's people are never
        busy; a what-if simulation queues the work for the staff it has)."""
        self.after(budget, code)

    def arrivals(self, count: int) -> list[datetime]:
        """When the dossiers come in: spread evenly over the span, at random times of the working morning."""
        span = (self.until - self.start).days
        return [
            self.start + timedelta(days=int(span * i / count), minutes=self.rng.randint(0, 8 * 60))
            for i in range(count)
        ]

    def answer(self, code: str, element: str) -> dict[str, Any]:
        plan, rng = self.plans[code], self.rng
        if element == "check_completeness":
            if plan["refuse"]:
                return {"completeness": "tu_choi", "refusal_reason": "Hồ sơ không thuộc thẩm quyền giải quyết."}
            if plan["missing"]:
                plan["supplement_pending"] = True
                return {"completeness": "bo_sung", "missing": plan["missing"]}
            return {"completeness": "tiep_nhan"}
        if element == "recheck_completeness":
            return {"recheck": "tiep_nhan"}
        if element == "assign_appraiser":
            return {"appraiser": rng.choice(WORKERS["appraiser"])}
        if element == "appraise":
            return self.appraisal(code)
        if element.startswith("cross_check_"):
            return {"answer": "dong_y" if rng.random() < 0.97 else "khong_dong_y", "cross_check_note": ""}
        if element == "draft_submission":
            return {"summary": "Các cá nhân, tập thể đủ tiêu chuẩn theo quy định."}
        if element == "approve_draft":
            return {"approval": "tra_lai" if rng.random() < 0.08 else "duyet"}
        if element == "convene_session":
            return {"session_date": (clock.now() + timedelta(days=3)).astimezone(VN).date().isoformat()}
        if element == "record_session":
            return self.sitting(code)
        if element == "chair_tiebreak":
            return {"chair_order": [n["id"] for n in self.candidates(code)]}
        if element == "sign_decision":
            return {"signed": True}
        if element == "return_result":
            return {"delivery": rng.choice(["truc_tiep", "truc_tuyen", "buu_chinh"])}
        return {}

    def appraisal(self, code: str) -> dict[str, Any]:
        """The appraiser's finding; for a few dossiers not asked at intake (a dossier is asked once), a supplement
        instead: a paper whose content falls short, which the desk later receives back (see :meth:`work`)."""
        plan = self.plans[code]
        if plan["missing"] or plan.get("asked_in_appraisal") or self.rng.random() >= APPRAISAL_SUPPLEMENT_SHARE:
            return {"excluded": self.failing(code)}
        required = self.rules().award(self.brief(code).award_type).required_papers
        plan.update(missing=self.rng.sample(list(required), 1), asked_in_appraisal=True, supplement_pending=True)
        return {
            "appraisal_outcome": "bo_sung",
            "supplement_missing": plan["missing"],
            "supplement_note": "Báo cáo, giấy tờ chưa có xác nhận của thủ trưởng đơn vị; đề nghị bổ sung bản hợp lệ.",
        }

    def meeting(self, code: str) -> datetime | None:
        """When the dossier's latest sitting meets (09:00 on its date), if one was convened with a date."""
        session = self.council.sitting(self.admin, code).session
        if session is None or session.session_date is None:
            return None
        return datetime.combine(session.session_date, time(9), VN)

    def rules(self) -> Catalogue:
        """The award rules in force today, read once a day: a version takes effect from a day on, never within one
        (the desk's forms ask at every dossier)."""
        today = clock.now().astimezone(VN).date()
        if self.catalogue is None or self.catalogue[0] != today:
            self.catalogue = (today, self.dossiers.catalogue(today))
        return self.catalogue[1]

    def person_named(self, username: str) -> Actor:
        """Who works under ``username``, as signed in once for the run (nobody's roles change during it)."""
        found = self.people.get(username)
        if found is None:
            found = self.people[username] = self.engine.identity.actor(username)
        return found

    def record(self, code: str) -> Dossier:
        return self.dossiers.dossier(self.admin, code)

    def brief(self, code: str) -> Dossier:
        """The dossier's own columns (status, dates, award type): its nominees and papers are not read."""
        return self.dossiers.dossier(self.admin, code, parts=False)

    def failing(self, code: str) -> list[dict[str, Any]]:
        dossier = self.record(code)
        return [
            {"nominee": n.id, "reason": "Không đủ tiêu chuẩn theo kết quả đối chiếu"}
            for n in dossier.nominees
            if n.facts.get("discipline") or len(n.facts.get("titles", [])) == 2 and n.kind == "individual"
        ][: len(dossier.nominees) - (1 if self.rng.random() < 0.9 else 0)]

    def candidates(self, code: str) -> list[dict[str, Any]]:
        return [{"id": n.id} for n in self.record(code).nominees if n.state in ("eligible", "passed", "failed")]

    def sitting(self, code: str) -> dict[str, Any]:
        rules = self.rules()
        award = rules.award(self.brief(code).award_type)
        assert award.vote is not None
        members = rules.councils[award.vote.council].codes()
        present = self.rng.sample(members, max(1, len(members) - self.rng.choice([0, 0, 1, 1, 2, 4])))
        ballots = [
            {"nominee": c["id"], "approve": max(0, len(present) - self.rng.choice([0, 0, 0, 1, 2]))}
            for c in self.candidates(code)
        ]
        absent = [m for m in members if m not in present]
        written = [{"member": m, "approve": [c["nominee"] for c in ballots]} for m in absent[:1]]
        return {"present": present, "ballots": ballots, "written_votes": written}

    def maybe_apologise(self, code: str) -> None:
        if code in self.rescheduled or self.rng.random() > 0.3:
            return
        dossier = self.brief(code)
        due, status = dossier.due_at, dossier.status
        if due is None or status not in (4,):
            return
        left = self.calendar.between(clock.now(), due)
        if timedelta(hours=8) <= left <= timedelta(hours=16):
            new_due = self.calendar.add(due, "5WD")
            try:
                self.dossiers.reschedule(self.person_named("truongphong"), code, new_due, "chờ ý kiến hiệp y")
                self.rescheduled.add(code)
            except AwardflowError:
                pass

    def stuck(self) -> list[str]:
        """Dossiers nobody can move: an incident, or a running process with no ready task and nothing to wait
        for (a supplement asked at intake waits on the desk's task, one asked in appraisal on the applicant: the
        desk receives it; timers are the engine's)."""
        found = []
        for code in self.plans:
            instance = self.engine.runtime.list(business_key=code)[0]
            if instance.state == "error":
                found.append(code)
            elif (
                instance.state == "running"
                and self.brief(code).status != records.SUPPLEMENT
                and not any(t.state == "ready" for t in self.engine.tasks.for_instance(instance.id))
                and not any(t.kind == "bpmn" for t in self.engine.timers.pending(instance.id))
            ):
                found.append(code)
        return found

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for status in self.dossiers.statuses(self.admin, self.plans).values():
            key = f"{status} {records.STATUS_NAMES[status]}"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items(), key=lambda kv: int(kv[0].split()[0])))
