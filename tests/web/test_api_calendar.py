"""The calendar over HTTP: a year's days, the administrators' rows, due dates in working time."""

from __future__ import annotations

from .conftest import Api


def test_days_of_a_year(api: Api) -> None:
    days = api.get("/api/calendar/days?year=2026", "appraiser").get_json()
    tet = [d for d in days if d["day"] == "2026-02-17"]
    assert tet and tet[0]["kind"] == "off" and tet[0]["origin"] == "package"
    assert api.get("/api/calendar/days", "appraiser").status_code == 400
    assert api.get("/api/calendar/days?year=2026&calendar=nope", "appraiser").status_code == 404


def test_due_twenty_working_days_across_tet(api: Api) -> None:
    due = api.get("/api/calendar/due?start=2026-02-09T08:00&duration=20WD", "desk").get_json()
    assert due["due"] == "2026-03-16T17:30:00+07:00" and due["start"] == "2026-02-09T08:00:00+07:00"
    utc = api.get("/api/calendar/due?start=2026-02-09T01:00:00%2B00:00&duration=20WD", "desk").get_json()
    assert utc["due"] == due["due"]
    bad = api.get("/api/calendar/due?start=2026-02-09T08:00&duration=20 days", "desk")
    assert bad.status_code == 400 and "duration" in bad.get_json()["fields"]
    assert api.get("/api/calendar/due?duration=1WD", "desk").get_json()["fields"] == {
        "start": ["Missing data for required field."]
    }


def test_admin_and_designer_enter_and_remove_days(api: Api) -> None:
    swap = {"off": "2027-04-30", "work": "2027-04-24", "source": "12/TB-VPCP", "name": "Nghỉ bù"}
    entered = api.post("/api/calendar/swaps", "admin", json=swap)
    assert entered.status_code == 201 and entered.get_json() == {"calendar": "default", "revision": 1}
    assert api.post("/api/calendar/swaps", "admin", json=swap).status_code == 409
    weekend = api.post("/api/calendar/swaps", "admin", json={**swap, "off": "2027-05-01", "work": "2027-05-03"})
    assert weekend.status_code == 422 and set(weekend.get_json()["fields"]) == {"off", "work"}
    holiday = {"day": "2027-06-01", "name": "Nghỉ đột xuất", "source": "13/TB-VPCP"}
    assert api.post("/api/calendar/holidays", "admin", json=holiday).get_json()["revision"] == 2
    workday = {"day": "2027-01-01", "name": "Làm việc", "source": "14/TB-VPCP"}
    assert api.post("/api/calendar/workdays", "admin", json=workday).get_json()["revision"] == 3
    rows = [d for d in api.get("/api/calendar/days?year=2027", "admin").get_json() if d["origin"] == "admin"]
    assert [(d["day"], d["kind"], d["entered_by"]) for d in rows] == [
        ("2027-01-01", "work", "admin"),
        ("2027-04-24", "work", "admin"),
        ("2027-04-30", "off", "admin"),
        ("2027-06-01", "off", "admin"),
    ]
    assert rows[0]["entered_at"].endswith("+00:00")
    assert api.delete("/api/calendar/days/2027-06-01", "admin").get_json()["revision"] == 4
    assert api.delete("/api/calendar/days/2027-06-01", "admin").status_code == 404
    assert api.delete("/api/calendar/days/01-06-2027", "admin").get_json()["fields"]["day"]
    assert api.post("/api/calendar/holidays", "appraiser", json=holiday).status_code == 403
    assert api.post("/api/calendar/holidays", "designer", json=holiday).status_code == 201, "designers keep it too"
