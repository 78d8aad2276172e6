"""Decision issuance: the awardees with their bonuses, the number, the signed decision and its list.

The bonus is the award type's multiple (per recipient kind) of the base salary in force on the signing
day, rounded up as the rule set says. The number comes from :mod:`handlers.numbering` inside the signing
transaction, so two decisions signed at the same moment never share a number and none is skipped.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from engine import clock
from engine.errors import InvalidState
from handlers import documents, numbering, records, templates
from handlers.models import Decision, DecisionLine, Nominee
from handlers.records import Current
from handlers.storage import Store
from handlers.timefmt import fmt_vnd, local_day

__all__ = ["bonus_of", "issue", "prepare"]

#: Nominee states that go into the decision: passed the council, or eligible where no vote is held.
SELECTED = "passed"


def bonus_of(cur: Current, nominee: Nominee, base_salary: int) -> tuple[Decimal, int]:
    multiple = cur.award.bonus_multiple.get(nominee.kind, Decimal(0))
    return multiple, numbering.bonus_amount(multiple, base_salary, cur.rules.bonus_rounding_vnd)


def _awardees(cur: Current) -> list[Nominee]:
    return [n for n in cur.dossier.nominees if n.state == SELECTED]


def prepare() -> dict[str, Any]:
    """What the leader sees before signing: awardees, multiples and amounts at today's base salary."""
    cur = records.current()
    base = cur.rules.base_salary_on(local_day(clock.now()))
    lines: list[dict[str, Any]] = []
    for n in _awardees(cur):
        multiple, bonus = bonus_of(cur, n, base)
        lines.append({"nominee": n.id, "name": n.name, "multiple": str(multiple), "bonus_vnd": bonus})
    body = cur.rules.issuing_bodies[cur.award.issuing_body]
    return {
        "issuing_body": cur.award.issuing_body,
        "issuer": body["name"],
        "base_salary_vnd": base,
        "awardees": lines,
        "total_vnd": sum(line["bonus_vnd"] for line in lines),
        "total": fmt_vnd(sum(line["bonus_vnd"] for line in lines)),
    }


def issue(*, store: Store) -> dict[str, Any]:
    """Status 9: number the signed decision, list the awardees and bonuses, render the decision."""
    cur = records.current()
    d = cur.dossier
    awardees = _awardees(cur)
    if not awardees:
        raise InvalidState(f"dossier {d.code} has nobody to award")
    now = clock.now()
    body_code = cur.award.issuing_body
    body = cur.rules.issuing_bodies[body_code]
    year = local_day(now).year
    number = numbering.allocate(cur.session, body_code, year)
    base = cur.rules.base_salary_on(local_day(now))
    row = Decision(
        dossier_id=d.id,
        issuing_body=body_code,
        year=year,
        number=number,
        symbol=numbering.decision_symbol(number, str(body["symbol"])),
        signed_at=now,
        signed_by=cur.actor,
        base_salary_vnd=base,
        total_vnd=0,
    )
    for seq, nominee in enumerate(awardees, start=1):
        multiple, bonus = bonus_of(cur, nominee, base)
        nominee.state, nominee.bonus_vnd = "awarded", bonus
        row.lines.append(
            DecisionLine(
                seq=seq,
                nominee_id=nominee.id,
                name=nominee.name,
                unit=nominee.unit or d.unit_name,
                multiple=str(multiple),
                bonus_vnd=bonus,
            )
        )
        row.total_vnd += bonus
    cur.session.add(row)
    cur.session.flush()
    d.outcome = "awarded"
    records.set_status(cur.session, d, records.DONE, cur.actor, f"Quyết định {row.symbol}")
    doc = templates.decision(d, cur.rules, row=row, signer=cur.actor_name)
    saved = documents.save(cur.session, store, d, "decision", doc, cur.actor)
    return {
        "number": number,
        "symbol": row.symbol,
        "signed_at": now.isoformat(),
        "awardees": len(row.lines),
        "total_vnd": row.total_vnd,
        "documents": saved,
    }
