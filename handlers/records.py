"""Shared by the handlers: the dossier of the executing instance, status changes, the dossier's rules."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import Session, lazyload

from engine import clock
from engine.db import insert_at_flush
from engine.errors import NotFound
from engine.execution import ExecutionContext, current_execution
from engine.models import User
from handlers import rulesets
from handlers.catalogue import AwardType, Catalogue
from handlers.models import Dossier, Paper, StatusChange

#: The national status codes of a one-stop dossier.
STATUS_NAMES = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung",
    6: "Yêu cầu nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
#: ``session.info`` key: the dossiers by code that this transaction has found
DOSSIERS_KEY = "awardflow.dossiers"
NEW, RECEIVED, REFUSED, PROCESSING, SUPPLEMENT, WITHDRAWN, STOPPED, DONE, RETURNED = 1, 2, 3, 4, 5, 7, 8, 9, 10


@dataclass(frozen=True)
class Current:
    """What a handler works on: the execution context, its dossier and the dossier's rules."""

    ctx: ExecutionContext
    dossier: Dossier
    rules: Catalogue

    @property
    def session(self) -> Session:
        return self.ctx.session

    @property
    def actor(self) -> str:
        return self.ctx.actor

    @property
    def award(self) -> AwardType:
        return self.rules.award(self.dossier.award_type)

    @property
    def actor_name(self) -> str:
        """The actor as documents name them (display name, else user name)."""
        return display_name(self.session, self.actor)


def current() -> Current:
    """The dossier of the instance whose service task is running (its business key is the dossier code)."""
    ctx = current_execution()
    dossier = by_code(ctx.session, ctx.instance.business_key or "")
    return Current(ctx, dossier, rulesets.by_id(ctx.session, dossier.rule_set_id))


def display_name(session: Session, username: str) -> str:
    name = session.scalar(_DISPLAY_NAME, {"username": username})
    return name or username


_DISPLAY_NAME = select(User.display_name).where(User.username == bindparam("username"))


def paper_codes(session: Session, dossier: Dossier) -> list[str]:
    """The codes of the dossier's papers in the order they came, read as one column: the intake's check of its
    papers needs no more, and loading the papers as objects (nothing else of that transaction reads them) cost
    more than the query. Papers the transaction has loaded already (a supplement adds to them) are not read."""
    if "papers" not in inspect(dossier).unloaded:
        return [paper.code for paper in dossier.papers]
    return list(session.scalars(_PAPER_CODES, {"dossier_id": dossier.id}))


_PAPER_CODES = select(Paper.code).where(Paper.dossier_id == bindparam("dossier_id")).order_by(Paper.id)


#: a step's service tasks mostly read the dossier's own columns: its nominees and papers load when asked for
_BY_CODE = (
    select(Dossier)
    .where(Dossier.code == bindparam("code"))
    .options(lazyload(Dossier.nominees), lazyload(Dossier.papers))
)


def by_code(session: Session, code: str) -> Dossier:
    """The dossier with ``code`` (see :func:`find`); NotFound when there is none."""
    dossier = find(session, code)
    if dossier is None:
        raise NotFound(f"no dossier {code!r}")
    return dossier


def find(session: Session, code: str) -> Dossier | None:
    """The dossier with ``code``, or None; found by its code once per transaction and held for it (one service
    task after another in a step, and the listeners of what they do, ask for the same dossier; the identity map
    alone holds it only while someone does)."""
    held: dict[str, Dossier] = session.info.setdefault(DOSSIERS_KEY, {})
    dossier = held.get(code)
    if dossier is None or not inspect(dossier).persistent:
        dossier = session.scalars(_BY_CODE, {"code": code}).first()
    if dossier is not None:
        held[code] = dossier
    return dossier


def hold(session: Session, dossier: Dossier) -> None:
    """Keep a dossier the transaction has just made for :func:`find` (its code is asked for at once: the
    listeners of its clock, the next service tasks)."""
    session.info.setdefault(DOSSIERS_KEY, {})[dossier.code] = dossier


def set_status(session: Session, dossier: Dossier, status: int, actor: str, note: str | None = None) -> None:
    """Move the dossier to ``status`` and keep the change in its history (an append-only row, written with the
    command's other writes: as an object it made each such flush go through the unit of work)."""
    now = clock.now()
    dossier.status, dossier.status_at = status, now
    row = {"dossier_id": dossier.id, "status": status, "at": now, "actor": actor, "note": note}
    insert_at_flush(session, StatusChange, row)
