"""/admin/jobs: the periodic jobs (schedule, next run, last run with outcome and duration), run now, pause and
resume, and their settings. Administrators only; every command checks the role again inside the engine."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import InvalidInput
from engine.identity import Actor
from web import i18n
from web.pages.guard import page
from web.services import engine as _engine

__all__ = ["blp"]

i18n.TEXTS.update(
    {
        "nav.jobs": ("Tác vụ định kỳ", "Scheduled jobs"),
        "jobs.title": ("Tác vụ định kỳ", "Scheduled jobs"),
        "jobs.hint": (
            "Lịch chạy dạng cron 'phút giờ ngày tháng thứ' theo giờ Việt Nam (thứ ghi bằng tên: mon-fri). "
            "Ngày nghỉ theo lịch làm việc: chạy bình thường, dời sang ngày làm việc kế tiếp, hoặc bỏ qua.",
            "Cron schedule 'minute hour day month weekday' in Vietnam time (weekdays by name: mon-fri). On a day "
            "off of the working calendar a run happens anyway, moves to the next working day, or is skipped.",
        ),
        "jobs.job": ("Tác vụ", "Job"),
        "jobs.schedule": ("Lịch chạy", "Schedule"),
        "jobs.days": ("Ngày nghỉ", "Days off"),
        "jobs.days.any": ("vẫn chạy", "run anyway"),
        "jobs.days.next": ("dời sang ngày làm việc kế tiếp", "move to the next working day"),
        "jobs.days.skip": ("bỏ qua", "skip"),
        "jobs.recipients": ("Người nhận (nhóm)", "Recipients (groups)"),
        "jobs.next": ("Lần chạy tới", "Next run"),
        "jobs.last": ("Lần chạy gần nhất", "Last run"),
        "jobs.never": ("chưa chạy", "never"),
        "jobs.paused": ("tạm dừng", "paused"),
        "jobs.outcome.ok": ("thành công", "succeeded"),
        "jobs.outcome.failed": ("lỗi", "failed"),
        "jobs.manual": ("chạy thủ công", "run by hand"),
        "jobs.run_now": ("Chạy ngay", "Run now"),
        "jobs.pause": ("Tạm dừng", "Pause"),
        "jobs.resume": ("Tiếp tục", "Resume"),
        "jobs.save": ("Lưu", "Save"),
        "jobs.ran": ("Đã chạy {name}: {outcome}.", "Ran {name}: {outcome}."),
        "jobs.saved": ("Đã lưu cài đặt của {name}.", "Saved the settings of {name}."),
    }
)

blp = Blueprint("admin_jobs", __name__, url_prefix="/admin")
DAY_POLICIES = ("any", "next", "skip")


@blp.get("/jobs")
@page(roles=("admin",))
def index(me: Actor) -> Any:
    """Every job with its settings, next and last run, and the forms that act on it."""
    return render_template("admin_jobs.html", jobs=_engine().jobs.overview(), days=DAY_POLICIES, errors={})


@blp.post("/jobs/<name>/run")
@page(roles=("admin",))
def run_now(me: Actor, name: str) -> Any:
    run = _engine().jobs.run_now(name, me.username)
    outcome = i18n.gettext(f"jobs.outcome.{run.outcome}") + (f" — {run.error}" if run.error else "")
    flash(i18n.gettext("jobs.ran", name=name, outcome=outcome), "error" if run.error else "info")
    return redirect(url_for("admin_jobs.index"))


@blp.post("/jobs/<name>/enabled")
@page(roles=("admin",))
def enabled(me: Actor, name: str) -> Any:
    _engine().jobs.set_enabled(name, request.form.get("enabled") == "1", me.username)
    return redirect(url_for("admin_jobs.index"))


@blp.post("/jobs/<name>/settings")
@page(roles=("admin",))
def settings(me: Actor, name: str) -> Any:
    """Schedule, day policy and recipients; field errors come back next to the job."""
    form = request.form
    try:
        _engine().jobs.configure(
            name,
            me.username,
            cron=form.get("cron", ""),
            days=form.get("days", ""),
            recipients=form.get("recipients", "").split(","),
        )
    except InvalidInput as bad:
        errors = {name: bad.fields}
        return render_template("admin_jobs.html", jobs=_engine().jobs.overview(), days=DAY_POLICIES, errors=errors), 422
    flash(i18n.gettext("jobs.saved", name=name), "info")
    return redirect(url_for("admin_jobs.index"))
