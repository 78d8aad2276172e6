"""/admin/jobs: administrators see every job with its schedule, next and last run, run one now, pause it and
change its schedule; nobody else may. The dashboard lists the archived period reports."""

from __future__ import annotations

from dataclasses import replace

from flask import Flask

from engine import Engine
from engine.clock import VirtualClock
from engine.scheduler import JobRun
from tests.web.pages_support import signed_in, token_of
from web import jobs


def test_the_admin_sees_runs_pauses_and_reschedules_jobs(app: Flask, engine: Engine, vclock: VirtualClock) -> None:
    admin = signed_in(app, engine, "admin")
    page = admin.get("/admin/jobs").get_data(as_text=True)
    assert "Tác vụ định kỳ" in page and 'href="/admin/jobs"' in page, "the menu offers it"
    assert "Tóm tắt công việc buổi sáng" in page and "30 7 * * *" in page and "chưa chạy" in page
    assert "07:30 03/03/2026" in page, "the next digest: Tuesday morning, in Vietnam time"
    token = token_of(admin, "/admin/jobs")
    answer = admin.post(f"/admin/jobs/{jobs.HOUSEKEEPING_JOB}/run", data={"csrf_token": token})
    assert answer.status_code == 302
    page = admin.get("/admin/jobs").get_data(as_text=True)
    assert "Đã chạy housekeeping: thành công." in page and "chạy thủ công (admin)" in page and " ms" in page
    admin.post(f"/admin/jobs/{jobs.DIGEST_JOB}/enabled", data={"csrf_token": token, "enabled": "0"})
    [digest] = [v for v in engine.jobs.overview() if v.name == jobs.DIGEST_JOB]
    assert not digest.enabled and "tạm dừng" in admin.get("/admin/jobs").get_data(as_text=True)
    bad = admin.post(
        f"/admin/jobs/{jobs.DIGEST_JOB}/settings",
        data={"csrf_token": token, "cron": "mỗi sáng", "days": "skip", "recipients": "appraiser"},
    )
    assert bad.status_code == 422 and "Lịch chạy không hợp lệ" in bad.get_data(as_text=True)
    admin.post(
        f"/admin/jobs/{jobs.DIGEST_JOB}/settings",
        data={"csrf_token": token, "cron": "0 8 * * mon-sat", "days": "next", "recipients": "appraiser, leader"},
    )
    [digest] = [v for v in engine.jobs.overview() if v.name == jobs.DIGEST_JOB]
    assert (digest.cron, digest.days, digest.recipients) == ("0 8 * * mon-sat", "next", ("appraiser", "leader"))


def test_nobody_else_manages_jobs(app: Flask, engine: Engine, vclock: VirtualClock) -> None:
    supervisor = signed_in(app, engine, "supervisor")
    assert supervisor.get("/admin/jobs").status_code == 403
    assert 'href="/admin/jobs"' not in supervisor.get("/dashboard").get_data(as_text=True)
    token = token_of(supervisor, "/dashboard")
    assert supervisor.post(f"/admin/jobs/{jobs.DIGEST_JOB}/run", data={"csrf_token": token}).status_code == 403
    with engine.db.reading() as session:
        assert session.query(JobRun).count() == 0


def test_the_dashboard_lists_the_archived_reports(app: Flask, engine: Engine, vclock: VirtualClock, tmp_path) -> None:
    engine.settings = replace(engine.settings, storage_dir=str(tmp_path))
    run = engine.jobs.run_now(jobs.PERIOD_JOB, "admin")  # 02/03/2026: February's report
    assert run.outcome == "ok", run.error
    supervisor = signed_in(app, engine, "supervisor")
    page = supervisor.get("/dashboard").get_data(as_text=True)
    assert "Báo cáo định kỳ đã lưu" in page and "Tháng 02/2026" in page
    [report] = run.result["reports"]
    name = report["files"][0].rsplit("/", 1)[-1]
    url = f"/dashboard/archive/{run.id}/{name}"
    download = supervisor.get(url)
    assert download.status_code == 200 and download.data[:2] == b"PK"
    head = signed_in(app, engine, "division_head")
    assert "Báo cáo định kỳ đã lưu" not in head.get("/dashboard").get_data(as_text=True)
    assert head.get(url).status_code == 404
    assert supervisor.get(f"/dashboard/archive/{run.id}/other.xlsx").status_code == 404
