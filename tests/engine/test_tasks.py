"""The inbox index and what people do with tasks: claim, unclaim, assign, delegate, resolve, complete."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event

from engine import Engine
from engine.clock import VirtualClock
from engine.errors import InvalidInput, InvalidState, PermissionDenied, TaskAlreadyClaimed
from engine.inbox import InboxQuery
from engine.models import HumanTask
from tests.engine.conftest import BPMN as BPMN_DIR
from tests.engine.conftest import ready


@pytest.fixture
def review(engine: Engine, deploy):
    deploy("user_task.bpmn", "review.schema.json", "manual_task.bpmn")

    def start(code: str = "HS-1", actor: str = "chi"):
        inst = engine.runtime.start("user_task", business_key=code, actor=actor)
        return ready(engine, inst.id)[0]

    return start


def test_inbox_lists_my_groups_tasks_to_claim_and_my_own(engine: Engine, review) -> None:
    task = review("HS-1")
    assert [t.id for t in engine.tasks.inbox("an").items] == [task.id]
    assert engine.tasks.inbox("chi").items == [], "desk is not the appraiser group"
    engine.tasks.claim(task.id, "an")
    assert [t.id for t in engine.tasks.inbox("an", InboxQuery(scope="mine")).items] == [task.id]
    assert engine.tasks.inbox("binh").items == [], "a claimed task leaves the group's list"
    assert engine.tasks.inbox("an", InboxQuery(scope="claimable")).items == []


def test_a_task_with_no_lane_goes_to_the_starter(engine: Engine, review) -> None:
    inst = engine.runtime.start("manual_task", actor="chi")
    [task] = ready(engine, inst.id)
    assert task.candidate_users == ["chi"] and task.candidate_groups == []
    assert [t.id for t in engine.tasks.inbox("chi").items] == [task.id]
    assert engine.tasks.inbox("an").items == []


def test_inbox_filters_sort_and_pages_without_deserializing(engine: Engine, review, vclock: VirtualClock) -> None:
    tasks = []
    for i in range(5):
        tasks.append(review(f"HS-{i}"))
        vclock.advance(minutes=1)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(engine.db.engine, "before_cursor_execute", listener)
    try:
        page = engine.tasks.inbox("an", InboxQuery(sort="created", descending=True, page=2, per_page=2))
    finally:
        sa_event.remove(engine.db.engine, "before_cursor_execute", listener)
    assert page.total == 5 and [t.business_key for t in page.items] == ["HS-2", "HS-1"]
    assert not any("process_instance" in s for s in statements), "the inbox never reads workflow blobs"
    assert [t.business_key for t in engine.tasks.inbox("an", InboxQuery(business_key="HS-3")).items] == ["HS-3"]
    assert engine.tasks.inbox("an", InboxQuery(process_key="manual_task")).items == []
    assert engine.tasks.inbox("an", InboxQuery(element_id="review")).total == 5


def test_inbox_due_filters(engine: Engine, review, vclock: VirtualClock) -> None:
    task = review("HS-1")
    with engine.db.transaction() as session:
        session.get(HumanTask, task.id).due_at = vclock.now() + timedelta(hours=2)  # type: ignore[union-attr]
    assert engine.tasks.inbox("an", InboxQuery(overdue=True)).total == 0
    assert engine.tasks.inbox("an", InboxQuery(due_before=vclock.now() + timedelta(hours=3))).total == 1
    assert engine.tasks.inbox("an", InboxQuery(due_after=vclock.now() + timedelta(hours=3))).total == 0
    vclock.advance(hours=3)
    assert engine.tasks.inbox("an", InboxQuery(overdue=True)).total == 1


def test_bad_inbox_query_names_the_field(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as err:
        engine.tasks.inbox("an", InboxQuery(scope="everything", per_page=0))
    assert set(err.value.fields) == {"scope", "per_page"}


def test_claim_rules(engine: Engine, review) -> None:
    task = review()
    with pytest.raises(PermissionDenied, match="appraiser"):
        engine.tasks.claim(task.id, "chi")
    engine.tasks.claim(task.id, "an")
    engine.tasks.claim(task.id, "an")  # claiming your own task again is harmless
    with pytest.raises(TaskAlreadyClaimed, match="an"):
        engine.tasks.claim(task.id, "binh")
    with pytest.raises(PermissionDenied):
        engine.tasks.unclaim(task.id, "binh")
    assert engine.tasks.unclaim(task.id, "an").assignee is None
    assert engine.tasks.claim(task.id, "binh").assignee == "binh"


def test_only_the_assignee_completes_a_claimed_task(engine: Engine, review) -> None:
    task = review()
    engine.tasks.claim(task.id, "an")
    with pytest.raises(PermissionDenied, match="claimed by an"):
        engine.tasks.complete(task.id, "binh", {"decision": "approve"})
    with pytest.raises(PermissionDenied):
        engine.tasks.complete(task.id, "chi", {"decision": "approve"})
    engine.tasks.complete(task.id, "an", {"decision": "approve"})
    with pytest.raises(InvalidState, match="completed"):
        engine.tasks.complete(task.id, "an", {"decision": "approve"})


def test_administrator_may_complete_any_task(engine: Engine, review) -> None:
    task = review()
    engine.tasks.claim(task.id, "an")
    assert engine.tasks.complete(task.id, "admin", {"decision": "approve"}).completed_by == "admin"


def test_assign_and_delegate_then_resolve(engine: Engine, review) -> None:
    task = review()
    with pytest.raises(PermissionDenied):
        engine.tasks.assign(task.id, "chi", "an")
    assert engine.tasks.assign(task.id, "dung", "an").assignee == "an"
    delegated = engine.tasks.delegate(task.id, "an", "binh")
    assert (delegated.assignee, delegated.owner, delegated.delegation) == ("binh", "an", "pending")
    with pytest.raises(InvalidState, match="resolved back"):
        engine.tasks.complete(task.id, "binh", {"decision": "approve"})
    resolved = engine.tasks.resolve(task.id, "binh")
    assert (resolved.assignee, resolved.delegation) == ("an", "resolved")
    engine.tasks.complete(task.id, "an", {"decision": "approve"})


def test_form_data_is_validated_with_field_messages_and_nothing_changes(engine: Engine, review) -> None:
    task = review()
    with pytest.raises(InvalidInput) as err:
        engine.tasks.complete(task.id, "an", {"decision": "maybe", "comment": "x" * 501})
    assert set(err.value.fields) == {"decision", "comment"}
    with pytest.raises(InvalidInput) as err:
        engine.tasks.complete(task.id, "an", {})
    assert "decision" in err.value.fields
    assert engine.tasks.get(task.id).state == "ready"
    assert [e.action for e in engine.history.for_instance(task.instance_id)] == ["instance_started"]
    assert engine.tasks.form(task.id)["required"] == ["decision"]


def test_assignee_taken_from_process_data(engine: Engine) -> None:
    """A division head picks the appraiser in one task; the next task is assigned to that person."""
    bpmn = (
        (BPMN_DIR / "user_task.bpmn")
        .read_text()
        .replace(
            '<spiffworkflow:property name="budget" value="0.5WD" />',
            '<spiffworkflow:property name="budget" value="0.5WD" />'
            '<spiffworkflow:property name="assignee_from" value="appraiser" />',
        )
    )
    engine.repository.deploy(
        {"user_task.bpmn": bpmn.encode(), "review.schema.json": (BPMN_DIR / "review.schema.json").read_bytes()},
        actor="admin",
    )
    inst = engine.runtime.start("user_task", data={"appraiser": "binh"}, actor="dung")
    [task] = ready(engine, inst.id)
    assert task.assignee == "binh"
    assert [t.id for t in engine.tasks.inbox("binh", InboxQuery(scope="mine")).items] == [task.id]
    assert engine.tasks.inbox("an").items == [], "assigned: no longer claimable by the group"


def test_a_closed_task_keeps_its_candidates_and_leaves_the_inbox(engine: Engine, review) -> None:
    done, cancelled, open_ = review("HS-1"), review("HS-2"), review("HS-3")
    engine.tasks.complete(done.id, "an", {"decision": "approve"})
    engine.runtime.cancel(cancelled.instance_id, actor="admin")
    for task_id in (done.id, cancelled.id):
        assert engine.tasks.get(task_id).candidate_groups == ["appraiser"]
    assert [t.id for t in engine.tasks.inbox("an").items] == [open_.id]
