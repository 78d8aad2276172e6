"""The morning digest's lists: a person's open work overdue, due today and due by the end of the next working
day; nothing for someone with nothing due."""

from __future__ import annotations

from engine import Engine, clock
from engine.clock import VirtualClock
from engine.digest import digest_for, send_digests
from tests.engine.test_sla import dossier, vn  # noqa: F401  (the dossier fixture)


def lists(engine: Engine, username: str) -> tuple[list[str], list[str], list[str]]:
    with engine.db.reading() as session:
        found = digest_for(session, username, engine.access, engine.calendar.calendar(), clock.now())
    return tuple([t.business_key or "" for t in part] for part in (found.overdue, found.today, found.soon))  # type: ignore[return-value]


def test_work_is_split_by_its_due_time(engine: Engine, dossier, vclock: VirtualClock) -> None:  # noqa: F811
    dossier("HS-NAY")  # Mon 02/03 08:00: the desk's check is due today 14:00
    vclock.set(vn(2, 3, 9))
    assert lists(engine, "chi") == ([], ["HS-NAY"], [])
    vclock.set(vn(2, 3, 15))
    assert lists(engine, "chi") == (["HS-NAY"], [], [])
    assert lists(engine, "an") == ([], [], []), "nothing due for the appraisers yet"


def test_due_soon_reaches_over_the_weekend(engine: Engine, dossier, vclock: VirtualClock) -> None:  # noqa: F811
    vclock.set(vn(6, 3, 16))  # Friday 16:00: half a working day runs into Monday
    dossier("HS-THU6")
    vclock.set(vn(6, 3, 16, 30))
    assert lists(engine, "chi") == ([], [], ["HS-THU6"]), "due Monday, the next working day: soon"


def test_only_people_with_work_due_get_a_digest(engine: Engine, dossier, vclock: VirtualClock) -> None:  # noqa: F811
    dossier("HS-1")
    vclock.set(vn(2, 3, 9))
    with engine.db.transaction() as session:
        sent = send_digests(session, ["desk", "appraiser"], engine.access, engine.calendar.calendar(), clock.now())
    # the desk's task is chi's; dung, a division head, hears of every open task of the unit; an and binh of none
    assert sent == {"sent": ["chi", "dung"], "people": 2}
    assert engine.notifications.for_user("an") == []
    [note] = engine.notifications.for_user("chi")
    assert note.kind == "digest" and note.message.startswith("Tóm tắt công việc ngày 02/03/2026: 0 việc quá hạn, 1")
    assert "HS-1" in note.message and "hạn 02/03/2026 14:00" in note.message
