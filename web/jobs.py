"""The product's periodic jobs, registered on the engine's scheduler when the app is built.

Defaults in code, overridable by the administrator (/admin/jobs): the morning digest, the weekly overdue report
to supervisors (the dashboard's Excel and PDF, made by the dashboard's own export code), the ISO on-time
report of each month, quarter and year archived as files the dashboard lists, and housekeeping. Jobs that build
the dashboard run in a request context of the app (its links and texts need one), as the signed-in recipient.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask import Flask

from engine import Engine, clock
from engine.digest import members, send_digests
from engine.errors import PermissionDenied
from engine.housekeeping import purge
from engine.identity import SYSTEM_ACTOR, actor_of
from engine.notifications import notify
from engine.reports import Rate
from engine.scheduler import SCHEDULER_ACTOR, JobContext, JobSpec
from web import services
from web.pages import exports, names
from web.pages.dashboard_data import Dashboard, Lang, Query, build, scope

__all__ = ["ARCHIVE_FOLDER", "PERIOD_JOB", "register"]

DIGEST_JOB, WEEKLY_JOB, PERIOD_JOB, HOUSEKEEPING_JOB = "digest", "weekly_overdue", "period_report", "housekeeping"
#: Where report files go, under ``Settings.storage_dir``.
ARCHIVE_FOLDER = "reports"
VI = Lang("vi")


def register(app: Flask) -> None:
    """Put the product's jobs on the app's engine (run by `awardflow worker` and by `serve`)."""
    engine = _engine_of(app)
    jobs = _Jobs(app, engine)
    engine.jobs.register(
        JobSpec(
            DIGEST_JOB,
            "Tóm tắt công việc buổi sáng (việc quá hạn, đến hạn hôm nay, sắp đến hạn)",
            "30 7 * * *",
            jobs.digest,
            days="skip",
            grace=timedelta(hours=4),
            recipients=("appraiser", "division_head"),
        ),
        JobSpec(
            WEEKLY_JOB,
            "Báo cáo việc quá hạn hằng tuần gửi giám sát (Excel, PDF)",
            "0 8 * * mon",
            jobs.weekly,
            days="next",
            grace=timedelta(days=3),
            recipients=("supervisor",),
        ),
        JobSpec(
            PERIOD_JOB,
            "Báo cáo đúng hạn theo tháng, quý, năm (ISO), lưu trữ",
            "0 6 1 * *",
            jobs.period_report,
            grace=timedelta(days=20),
        ),
        JobSpec(HOUSEKEEPING_JOB, "Dọn dữ liệu cũ (thông báo đã gửi, nhật ký chạy)", "0 2 * * *", jobs.housekeeping),
    )


def _engine_of(app: Flask) -> Engine:
    found: Engine = app.extensions[services.ENGINE_KEY]
    return found


@dataclass(frozen=True)
class _Jobs:
    app: Flask
    engine: Engine

    def digest(self, ctx: JobContext) -> dict[str, Any]:
        return send_digests(ctx.session, ctx.recipients, self.engine.access, ctx.calendar, clock.now())

    def weekly(self, ctx: JobContext) -> dict[str, Any]:
        """Each recipient gets the overdue report of the units they reach: in-app, and by e-mail with the files."""
        today = clock.now().astimezone(ctx.calendar.zone).date()
        query = Query(date(today.year, 1, 1), today)
        made: dict[str | None, tuple[Dashboard, list[str]]] = {}
        sent = []
        with self._request():
            for username in members(ctx.session, ctx.recipients):
                try:
                    unit = scope(actor_of(ctx.session, username), None, VI)
                except PermissionDenied:  # neither a unit nor every unit: nothing to report to them
                    continue
                if unit not in made:
                    view = build(self.engine, query, unit, VI)
                    made[unit] = view, self._files(view, ctx, unit or "tat-ca")
                view, files = made[unit]
                tiles = dict(view.tiles)
                where = names.unit_name(view.unit) if view.unit else "tất cả đơn vị"
                overdue, soon = tiles["overdue"].value, tiles["due_soon"].value
                message = (
                    f"Báo cáo việc quá hạn tuần {today:%d/%m/%Y} ({where}): {overdue} việc "
                    f"quá hạn, {soon} việc sắp đến hạn. Chi tiết: trang Giám sát và tệp Excel, PDF đính kèm."
                )
                notify(ctx.session, [("user", username)], "weekly_report", message, attachments=files)
                sent.append(username)
        return {"sent": sent, "files": sorted({f for _, files in made.values() for f in files})}

    def period_report(self, ctx: JobContext) -> dict[str, Any]:
        """The on-time report of each period that ended before the slot's day: the month, and the quarter and
        year when they ended too; its files archived, its numbers kept on the run."""
        ended = ctx.slot.astimezone(ctx.calendar.zone).date().replace(day=1) - timedelta(days=1)
        reports = []
        with self._request():
            for period, start in _periods_ending(ended):
                query = Query(start, ended, period=period, level="dossier", group_by="unit")
                view = build(self.engine, query, None, VI)
                rates = self.engine.reports.on_time(start, ended, period=period, level="dossier")
                label = _label(start, period)
                files = self._files(view, ctx, label)
                numbers = {"received": self.engine.reports.received(start, ended), **_numbers(rates)}
                reports.append({"period": label, "kind": period, "numbers": numbers, "files": files})
        return {"reports": reports}

    def housekeeping(self, ctx: JobContext) -> dict[str, Any]:
        settings = self.engine.settings
        retention = timedelta(days=settings.retention_days)
        return purge(ctx.session, clock.now(), retention, mailing=bool(settings.smtp_host), keep_jobs=(PERIOD_JOB,))

    @contextmanager
    def _request(self) -> Iterator[None]:
        """The app's context for the dashboard code (its links, its texts in Vietnamese)."""
        with self.app.test_request_context("/", headers={"Accept-Language": "vi"}):
            yield

    def _files(self, view: Dashboard, ctx: JobContext, name: str) -> list[str]:
        """The view as Excel and PDF under the run's folder; returns their paths under the storage folder."""
        folder = Path(ARCHIVE_FOLDER) / ctx.job / f"{ctx.slot:%Y%m%d-%H%M%S}"
        author = names.person_name(SYSTEM_ACTOR if ctx.actor == SCHEDULER_ACTOR else ctx.actor)
        made = [(f"{name}-{exports.file_name(view, 'xlsx')}", exports.workbook(view, VI, author))]
        try:
            made.append((f"{name}-{exports.file_name(view, 'pdf')}", exports.pdf_document(view, VI, author)))
        except exports.PdfUnavailable:
            pass  # the workbook alone; the page says why when someone asks for the PDF
        root = Path(self.engine.settings.storage_dir)
        (root / folder).mkdir(parents=True, exist_ok=True)
        for file_name, data in made:
            (root / folder / file_name).write_bytes(data)
        return [str(folder / file_name) for file_name, _ in made]


def _periods_ending(day: date) -> list[tuple[str, date]]:
    """The periods whose last day is ``day`` (the last day of a month), each with its first day."""
    found = [("month", day.replace(day=1))]
    if day.month % 3 == 0:
        found.append(("quarter", date(day.year, day.month - 2, 1)))
    if day.month == 12:
        found.append(("year", date(day.year, 1, 1)))
    return found


def _label(start: date, period: str) -> str:
    return {"month": f"{start:%Y-%m}", "quarter": f"{start.year}-Q{(start.month - 1) // 3 + 1}"}.get(
        period, str(start.year)
    )


def _numbers(rates: list[Rate]) -> dict[str, Any]:
    total = Rate("", None, *(sum(getattr(r, n) for r in rates) for n in ("early", "on_time", "late")))
    return {k: v for k, v in total.to_dict().items() if k not in ("period", "group")}


def archived(engine: Engine) -> list[dict[str, Any]]:
    """The archived period reports, newest first: run id, period, kind, numbers and files (for the dashboard)."""
    found = []
    for run in engine.jobs.runs(PERIOD_JOB, outcome="ok"):
        for report in (run.result or {}).get("reports", []):
            found.append({"run_id": run.id, "generated_at": run.finished_at, **report})
    return found


def archive_file(engine: Engine, run_id: int, name: str) -> Path | None:
    """The file ``name`` of an archived run, if that run archived it."""
    run = engine.jobs.run(run_id)
    if run.job != PERIOD_JOB:
        return None
    for report in (run.result or {}).get("reports", []):
        for path in report.get("files", []):
            if Path(path).name == name:
                return Path(engine.settings.storage_dir) / path
    return None
