"""The emulation cluster pages over HTTP (Flask test client, real database, the real emulation_year procedure):
a member's self-score sheet with evidence, the cross-grading sheets, the head's reconciliation with the gap
highlighted, the ranking with its exports, the cluster's years and the supervisor's dashboard. Hostile forms
come back with the field named and nothing changed; a member sees its own sheet, grades others, only the head
reconciles."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from engine import clock
from engine.db import Database
from handlers.domain import Domain
from handlers.units import Units
from tests.cluster_story import (
    BALLOTS,
    CLUSTER,
    EVIDENCE_CRITERIA,
    HEAD,
    INFLATED,
    TRUE,
    UNITS,
    YEAR,
    ClusterStory,
    officer,
    sheet,
)
from tests.pdf_text import pdf_text
from tests.web.dossier_world import PDF, domain_app, domain_engine
from tests.web.dossier_world import signed_in as login
from tests.web.dossiers.test_transactions import counting
from tests.web.test_pages_vietnamese import Visible, leaks
from web.auth import ROLES

BASE = f"/cum-khoi/{CLUSTER}/{YEAR}"
EVIDENCE, SELF = EVIDENCE_CRITERIA, INFLATED


@pytest.fixture
def world(database: Database, vclock: object, tmp_path: Path) -> Domain:
    return domain_engine(database, tmp_path / "files")


@pytest.fixture
def story(world: Domain, vclock: clock.VirtualClock) -> ClusterStory:
    return ClusterStory(world, vclock)


@pytest.fixture
def app(world: Domain) -> Flask:
    return domain_app(world)


def client_of(app: Flask, world: Domain, unit: str) -> tuple[FlaskClient, str]:
    groups = ["cluster_head", "cluster_member"] if officer(unit) == "truongcum" else ["cluster_member"]
    return login(app, world.engine, officer(unit), groups, unit)


def text(response: object) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))  # type: ignore[attr-defined]


def form(points: tuple[int, ...], token: str, **extra: object) -> dict[str, object]:
    return {"csrf_token": token, **{f"score.{c}": str(p) for c, p in sheet(points).items()}, **extra}


def files(*codes: str, data: bytes = PDF) -> dict[str, object]:
    return {f"evidence.{c}": (io.BytesIO(data + c.encode()), f"minh-chung-{c}.pdf") for c in codes}


def sheets(world: Domain) -> int:
    return len(world.clusters.sheets(CLUSTER, YEAR))


def test_a_member_sends_its_self_score_with_evidence(app: Flask, world: Domain, story: ClusterStory) -> None:
    story.to_scoring()
    member, token = client_of(app, world, "ubnd-hl")
    page = member.get(f"{BASE}/tu-cham")
    assert page.status_code == 200
    assert "Bảng tự chấm điểm" in text(page) and "UBND huyện Hòa Lạc" in text(page)
    assert text(page).count('type="file"') == len(EVIDENCE)

    too_many = member.post(f"{BASE}/tu-cham", data={**form((31, *SELF["ubnd-hl"][1:]), token), **files(*EVIDENCE)})
    assert too_many.status_code == 422
    assert 'data-field="scores.I.1"' in text(too_many) and "từ 0 đến 30" in text(too_many)
    assert 'value="31"' in text(too_many)  # what was typed is shown again
    words = member.post(
        f"{BASE}/tu-cham", data={**form(SELF["ubnd-hl"], token), "score.I.2": "mười", **files(*EVIDENCE)}
    )
    assert words.status_code == 422 and 'data-field="scores.I.2"' in text(words)
    no_proof = member.post(f"{BASE}/tu-cham", data={**form(SELF["ubnd-hl"], token), **files("I.1", "II.2")})
    assert no_proof.status_code == 422 and 'data-field="evidence.I.2"' in text(no_proof)
    not_pdf = member.post(f"{BASE}/tu-cham", data={**form(SELF["ubnd-hl"], token), **files(*EVIDENCE, data=b"MZ\x90")})
    assert not_pdf.status_code == 422 and 'data-field="evidence.I.1"' in text(not_pdf)
    assert "không được chấp nhận" in text(not_pdf)
    assert sheets(world) == 0  # nothing kept of a refused sheet
    assert member.post(f"{BASE}/tu-cham", data=form(SELF["ubnd-hl"], "sai")).status_code == 400

    sent = member.post(f"{BASE}/tu-cham", data={**form(SELF["ubnd-hl"], token), **files(*EVIDENCE)})
    assert sent.status_code == 303
    [mine] = world.clusters.sheets(CLUSTER, YEAR)
    assert (mine.kind, mine.graded_unit, mine.scores["I.1"]) == ("self", "ubnd-hl", "29")
    assert sorted(mine.evidence) == sorted(EVIDENCE)
    again = text(member.get(f"{BASE}/tu-cham"))
    assert "Đã nộp lúc" in again and "minh-chung-I.2.pdf" in again
    # sent again without files, the earlier evidence stays
    assert member.post(f"{BASE}/tu-cham", data=form(TRUE["ubnd-hl"], token)).status_code == 303
    [mine] = world.clusters.sheets(CLUSTER, YEAR)
    assert mine.scores["III.1"] == "15" and sorted(mine.evidence) == sorted(EVIDENCE)

    stranger, _ = login(app, world.engine, "tdkt-gd", ["cluster_member"], "so-gd")
    assert stranger.get(f"{BASE}/tu-cham").status_code == 403


def test_members_cross_grade_others_never_themselves(app: Flask, world: Domain, story: ClusterStory) -> None:
    story.to_cross_grading()
    member, token = client_of(app, world, "ubnd-hl")
    listed = text(member.get(f"{BASE}/cham-cheo"))
    assert listed.count('class="grade"') == len(UNITS) - 1 and "cham-cheo/ubnd-hl" not in listed
    assert member.get(f"{BASE}/cham-cheo/ubnd-hl").status_code == 403
    assert member.post(f"{BASE}/cham-cheo/ubnd-hl", data=form(TRUE["ubnd-hl"], token)).status_code == 403
    page = text(member.get(f"{BASE}/cham-cheo/ubnd-vl"))
    assert "Chấm chéo: UBND huyện Vĩnh Lộc" in page and "minh-chung-I.1.pdf" in page  # the graded unit's evidence
    proof = re.search(r'href="([^"]+/minh-chung/ubnd-vl/I.1/0)"[^>]*>minh-chung-I.1.pdf<', page)
    assert proof is not None
    opened = member.get(proof.group(1))
    assert opened.mimetype == "application/pdf" and opened.data.endswith(b"I.1")  # the graders read the evidence
    stranger, _ = login(app, world.engine, "tdkt-gd", ["cluster_member"], "so-gd")
    assert stranger.get(proof.group(1)).status_code == 404  # not a unit of this cluster
    above = member.post(f"{BASE}/cham-cheo/ubnd-vl", data=form((23, 11, 8, 7, 7, 21, 8), token))
    assert above.status_code == 422 and 'data-field="scores.III.1"' in text(above)
    assert [s.kind for s in world.clusters.sheets(CLUSTER, YEAR)].count("cross") == 0
    done = member.post(f"{BASE}/cham-cheo/ubnd-vl", data=form(TRUE["ubnd-vl"], token))
    assert done.status_code == 303
    [cross] = [s for s in world.clusters.sheets(CLUSTER, YEAR) if s.kind == "cross"]
    assert (cross.grader_unit, cross.graded_unit, cross.scores["I.1"]) == ("ubnd-hl", "ubnd-vl", "23")


def test_the_head_reconciles_the_gap_beyond_the_tolerance(app: Flask, world: Domain, story: ClusterStory) -> None:
    story.to_reconciling()
    member, _ = client_of(app, world, "ubnd-hl")
    assert member.get(f"{BASE}/tham-dinh").status_code == 403  # only the head reconciles
    head, token = client_of(app, world, "ubnd-tp")
    page = text(head.get(f"{BASE}/tham-dinh"))
    beyond = re.findall(r'<tr class="beyond" data-unit="([^"]+)">', page)
    assert beyond == ["UBND huyện Vĩnh Lộc"]
    assert "Chênh lệch cho phép: 5 điểm" in page and "Vượt mức cho phép" in page

    reconciled = {f"ubnd-vl.{c}": str(p) for c, p in sheet(TRUE["ubnd-vl"]).items()}
    bad = head.post(f"{BASE}/tham-dinh", data={"csrf_token": token, **reconciled, "ubnd-vl.I.1": "99"})
    assert bad.status_code == 422 and 'data-field="scores.I.1"' in text(bad)
    assert world.clusters.year(CLUSTER, YEAR).phase == "reconcile"  # nothing changed
    done = head.post(
        f"{BASE}/tham-dinh", data={"csrf_token": token, **reconciled, "ubnd-vl.I.3": "9", "ubnd-vl.note": "Xác minh"}
    )
    assert done.status_code == 303 and done.headers["Location"].endswith(f"{BASE}/xep-hang")
    assert world.clusters.year(CLUSTER, YEAR).phase == "meeting"
    vl = next(r for r in world.clusters.standings(CLUSTER, YEAR) if r.unit == "ubnd-vl")
    assert (vl.reconciled, str(vl.total)) == (True, "76.00")


def test_the_ranking_its_exports_and_the_clusters_years(app: Flask, world: Domain, story: ClusterStory) -> None:
    story.to_meeting()
    member, _ = client_of(app, world, "ubnd-hl")
    before = text(member.get(f"{BASE}/xep-hang"))
    assert "Chưa xếp hạng" in before and "bien-ban.pdf" not in before
    assert member.get(f"{BASE}/bien-ban.pdf").status_code == 404
    story.meet()

    page = text(member.get(f"{BASE}/xep-hang"))
    order = re.findall(r"<tr(?: class=\"leading\")?> <td>(\d+)</td><td>([^<]+)", page)
    assert [(int(r), n.strip()) for r, n in order][:2] == [(1, "UBND huyện Hòa Lạc"), (2, "UBND thành phố An Bình")]
    assert "Họp ngày 03/12/2026: có mặt 8/8 đơn vị; cần 7 phiếu" in page
    assert '<td class="num total">90</td>' in page  # totals as Vietnamese write them

    book = load_workbook(io.BytesIO(member.get(f"{BASE}/xep-hang.xlsx").data))
    [headers, *rows] = list(book["Xếp hạng"].iter_rows(min_row=2, values_only=True))
    first = dict(zip(headers, rows[0], strict=True))
    assert (first["Hạng"], first["Đơn vị"], first["I.1"], first["Tổng điểm"]) == (1, "UBND huyện Hòa Lạc", 29, 90)
    assert [r[1] for r in rows][-2:] == ["UBND huyện Vĩnh Lộc", "UBND huyện Tân Minh"]
    assert book["Hội nghị"]["B5"].value == "03/12/2026"

    ranking_pdf = member.get(f"{BASE}/xep-hang.pdf")
    assert ranking_pdf.mimetype == "application/pdf"
    shown = pdf_text(ranking_pdf.data).replace("\n", " ")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in shown and "UBND huyện Hòa Lạc" in shown
    minutes = pdf_text(member.get(f"{BASE}/bien-ban.pdf").data).replace("\n", " ")
    assert "BIÊN BẢN HỌP BÌNH XÉT" in minutes and "Ngày họp: 03/12/2026" in minutes

    listed = [
        world.dossiers.upload(c, f"{c.lower()}.pdf", PDF + c.encode())
        for c in ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_CUM_KHOI", "BIEN_BAN_BINH_XET")
    ]
    head = world.engine.identity.actor("truongcum")
    world.clusters.send_proposal(head, CLUSTER, YEAR, flags=["ubnd-hl"], certificates=["ubnd-tp"], listed_papers=listed)
    history = text(member.get(f"/cum-khoi/{CLUSTER}/lich-su"))
    assert "Năm 2026" in history and "UBND huyện Hòa Lạc" in history
    assert "Cờ thi đua cấp tỉnh" in history and "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in history
    minutes = pdf_text(member.get(f"{BASE}/bien-ban.pdf").data).replace("\n", " ")
    assert "Cờ thi đua cấp tỉnh" in minutes

    # every page of the year, filled in, read as a Vietnamese reader (no code, no English word, no raw data), and
    # read in reading units of work only
    codes = set(Units.load().names) | set(ROLES) | {"cluster_head", "cluster_member"}
    pages = ("", "/tu-cham", "/cham-cheo", "/cham-cheo/ubnd-vl", "/tham-dinh", "/hoi-nghi", "/xep-hang")
    for unit in ("ubnd-hl", "ubnd-tp"):
        client, _ = client_of(app, world, unit)
        for path in (*(BASE + p for p in pages), f"/cum-khoi/{CLUSTER}/lich-su", "/cum-khoi"):
            reader = Visible()
            with counting(world.engine.db) as count:
                reader.feed(client.get(path).get_data(as_text=True))
            assert leaks(" ".join(reader.parts), codes) == [], (unit, path)
            assert count.writes == 0, f"{path} only reads"
            english = Visible()
            english.feed(client.get(path + "?lang=en").get_data(as_text=True))
            assert "cluster." not in " ".join(english.parts), f"{path}: every text has its English"
            client.get(path + "?lang=vi")


def test_the_head_records_the_meeting(app: Flask, world: Domain, story: ClusterStory) -> None:
    story.to_meeting()
    member, member_token = client_of(app, world, "ubnd-hl")
    assert member.get(f"{BASE}/hoi-nghi").status_code == 403
    head, token = client_of(app, world, "ubnd-tp")
    page = text(head.get(f"{BASE}/hoi-nghi"))
    assert "từ 80% tổng số thành viên" in page and page.count('name="ballots.') == len(UNITS)
    everyone = {f"present.{u}": "1" for u in UNITS}
    votes = {f"ballots.{u}": str(n) for u, n in BALLOTS.items()}
    bad_day = head.post(f"{BASE}/hoi-nghi", data={"csrf_token": token, "held_on": "31/02/2026", **everyone, **votes})
    assert bad_day.status_code == 422 and 'data-field="held_on"' in text(bad_day)
    too_many = head.post(
        f"{BASE}/hoi-nghi",
        data={"csrf_token": token, "held_on": "03/12/2026", **everyone, **votes, "ballots.ubnd-hl": "9"},
    )
    assert too_many.status_code == 422
    assert "UBND huyện Hòa Lạc: số phiếu đồng ý nhiều hơn số đơn vị có mặt (8)" in text(too_many)
    words = head.post(
        f"{BASE}/hoi-nghi", data={"csrf_token": token, "held_on": "03/12/2026", **votes, "ballots.ubnd-tm": "ba"}
    )
    assert words.status_code == 422 and "Số phiếu của UBND huyện Tân Minh" in text(words)
    assert world.clusters.year(CLUSTER, YEAR).phase == "meeting"  # nothing recorded
    assert (
        member.post(f"{BASE}/hoi-nghi", data={"csrf_token": member_token, "held_on": "03/12/2026"}).status_code == 403
    )

    five = {f"present.{u}": "1" for u in UNITS[:5]}
    few = {f"ballots.{u}": "5" for u in UNITS[:5]}
    no_quorum = head.post(f"{BASE}/hoi-nghi", data={"csrf_token": token, "held_on": "03/12/2026", **five, **few})
    assert no_quorum.status_code == 303
    assert "chưa đủ túc số" in text(head.get(no_quorum.headers["Location"]))
    assert world.clusters.year(CLUSTER, YEAR).phase == "meeting"
    done = head.post(f"{BASE}/hoi-nghi", data={"csrf_token": token, "held_on": "04/12/2026", **everyone, **votes})
    assert done.status_code == 303 and world.clusters.year(CLUSTER, YEAR).phase == "proposal"
    ranked = world.clusters.standings(CLUSTER, YEAR)
    assert [(r.unit, r.rank, r.votes) for r in ranked][:2] == [("ubnd-hl", 1, 8), ("ubnd-tp", 2, 8)]


def test_the_supervisor_sees_the_clusters_progress(
    app: Flask, world: Domain, story: ClusterStory, vclock: clock.VirtualClock
) -> None:
    story.to_scoring()
    for unit in UNITS:
        if unit != "ubnd-tm":
            story.self_score(unit, INFLATED[unit])
    vclock.set(datetime(2026, 11, 23, 1, 0, tzinfo=UTC))  # Monday 23/11, past the self-scores' deadline (20/11)
    story.clusters.close_self_scores(story.who(HEAD), CLUSTER, YEAR)  # ubnd-tm left out
    supervisor, _ = login(app, world.engine, "giamsat", ["supervisor"])
    listed = text(supervisor.get("/cum-khoi?nam=2026"))
    assert "Cụm, khối thi đua năm 2026" in listed and listed.count("Xem</a>") == 3
    bad_year = supervisor.get("/cum-khoi?nam=hai-nghìn")
    assert bad_year.status_code == 400 and "Năm: hai-nghìn" in text(bad_year)
    assert supervisor.get("/cum-khoi/khong-co/2026").status_code == 404
    merged = text(supervisor.get("/cum-khoi/khoi-kinh-te/2025"))  # two units merged away on 01/03/2025
    assert merged.count("đến 28/02/2025") == 2 and merged.count("Cả năm") == 6
    page = text(supervisor.get("/dashboard"))
    section = page[page.index('id="clusters"') :]
    row = re.search(r"Cụm thi đua các huyện[^<]*</a></td> <td>([^<]+)</td> <td>([^<]*)</td> <td>([^<]*)</td>", section)
    assert row is not None, section[:2000]
    assert row.group(1) == "Chấm chéo" and row.group(2) == "30/11/2026"
    assert "ngày làm việc" in row.group(3)
    assert "UBND huyện Hòa Lạc" in section  # nobody has cross-graded yet


def papers() -> dict[str, object]:
    """The proposal's papers as the form sends them (fresh streams: a post reads them to the end)."""
    codes = ("TO_TRINH", "BAO_CAO_THANH_TICH", "BIEN_BAN_CUM_KHOI", "BIEN_BAN_BINH_XET")
    return {f"paper.{c}": (io.BytesIO(PDF + c.encode()), f"{c.lower()}.pdf") for c in codes}


def test_the_head_sends_the_proposal(app: Flask, world: Domain, story: ClusterStory) -> None:
    story.to_proposal()
    member, member_token = client_of(app, world, "ubnd-hl")
    assert member.get(f"{BASE}/de-nghi").status_code == 403
    head, token = client_of(app, world, HEAD)
    page = text(head.get(f"{BASE}/de-nghi"))
    assert page.count("<select") == 4  # the four units that passed the vote
    assert "Biên bản họp bình xét của cụm, khối thi đua" in page and "Cờ thi đua cấp tỉnh" in page
    second = head.post(
        f"{BASE}/de-nghi",
        data={"csrf_token": token, "award.ubnd-tp": "CO_TINH", **papers()},
        content_type="multipart/form-data",
    )
    assert second.status_code == 422 and 'data-field="flags"' in text(second)
    assert "Cờ thi đua chỉ dành cho đơn vị dẫn đầu cụm, khối; UBND thành phố An Bình xếp thứ 2" in text(second)
    bad = {**papers(), "paper.TO_TRINH": (io.BytesIO(b"MZ\x90"), "to-trinh.exe")}
    refused = head.post(f"{BASE}/de-nghi", data={"csrf_token": token, "award.ubnd-hl": "CO_TINH", **bad})
    assert refused.status_code == 422 and 'data-field="paper.TO_TRINH"' in text(refused)
    assert world.clusters.year(CLUSTER, YEAR).phase == "proposal"  # nothing sent
    assert member.post(f"{BASE}/de-nghi", data={"csrf_token": member_token}).status_code == 403

    choice = {"award.ubnd-hl": "CO_TINH", "award.ubnd-tp": "BK_UBND", "award.ubnd-pd": "BK_UBND"}
    sent = head.post(f"{BASE}/de-nghi", data={"csrf_token": token, **choice, **papers()})
    assert sent.status_code == 303 and world.clusters.year(CLUSTER, YEAR).phase == "sent"
    ranking = text(head.get(sent.headers["Location"]))
    assert "Đã gửi đề nghị; hồ sơ:" in ranking
    proposed = {r.unit: (r.proposal, r.dossier_code) for r in world.clusters.standings(CLUSTER, YEAR) if r.proposal}
    assert {u: p for u, (p, _) in proposed.items()} == {
        "ubnd-hl": "CO_TINH",
        "ubnd-tp": "BK_UBND",
        "ubnd-pd": "BK_UBND",
    }
    assert all(code and code in ranking for _, code in proposed.values())  # the dossiers named on the ranking
    reader = Visible()
    reader.feed(text(head.get(f"{BASE}/de-nghi")))
    assert leaks(" ".join(reader.parts), set(Units.load().names) | set(ROLES)) == []
