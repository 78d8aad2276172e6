"""The domain handlers BPMN service tasks call by name, and :func:`register` that adds them to a registry.

Every handler runs inside the engine's transaction (``engine.execution.current_execution()``) and writes the
dossier records through that session; the engine commits. Handler names (the ``serviceTaskOperator`` ids):

    dossier.register / check_papers / check_intake / receive / request_supplement / supplement_returned / refuse /
            withdraw / start_processing / conclude / close
    appraisal.check_assignment / assign / check_exclusions / check_appraisal / check_eligibility / conclude /
            record_cross_check / apply_cross_checks / rework / draft
    council.convene / record / chair_decides / standing_review / minutes
    consultation.open / publish / close / handle_comment
    decision.prepare / issue
    cluster.open / circulate / check_pledges / wait / open_scoring / check_self_scores / open_cross_grading /
            check_cross_grades / find_gaps / check_reconcile / reconcile / check_meeting / record_meeting /
            check_proposal / close

The ``check_*`` handlers are named by a user task's ``check`` property: the engine calls them with the answer
before the task completes, so a refused answer changes nothing (422). The dossier clock (``sla.*``) is the
engine's own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from engine.registry import HandlerRegistry
from handlers import appraisal, clusters, consultation, council, decisions, dossiers
from handlers.storage import LocalStore, Store, default_root

__all__ = ["handler_names", "register"]


def _table(store: Store) -> dict[str, Callable[..., Any]]:
    return {
        "dossier.register": partial(dossiers.register, store=store),
        "dossier.check_papers": dossiers.check_papers,
        "dossier.check_intake": dossiers.check_intake,
        "dossier.receive": partial(dossiers.receive, store=store),
        "dossier.request_supplement": partial(dossiers.request_supplement, store=store),
        "dossier.supplement_returned": partial(dossiers.supplement_returned, store=store),
        "dossier.refuse": partial(dossiers.refuse, store=store),
        "dossier.withdraw": partial(dossiers.withdraw, store=store),
        "dossier.start_processing": dossiers.start_processing,
        "dossier.conclude": partial(dossiers.conclude, store=store),
        "dossier.close": partial(dossiers.close, store=store),
        "appraisal.check_assignment": appraisal.check_assignment,
        "appraisal.assign": appraisal.assign,
        "appraisal.check_eligibility": appraisal.check_eligibility,
        "appraisal.check_exclusions": appraisal.check_exclusions,
        "appraisal.check_appraisal": appraisal.check_appraisal,
        "appraisal.conclude": appraisal.conclude,
        "appraisal.record_cross_check": appraisal.record_cross_check,
        "appraisal.apply_cross_checks": appraisal.apply_cross_checks,
        "appraisal.rework": appraisal.rework,
        "appraisal.draft": partial(appraisal.draft, store=store),
        "council.convene": council.convene,
        "council.record": council.record,
        "council.chair_decides": council.chair_decides,
        "council.standing_review": council.standing_review,
        "council.minutes": partial(council.minutes, store=store),
        "consultation.open": consultation.open_,
        "consultation.publish": consultation.publish,
        "consultation.close": consultation.close,
        "consultation.handle_comment": consultation.handle_comment,
        "decision.prepare": decisions.prepare,
        "decision.issue": partial(decisions.issue, store=store),
        "cluster.open": clusters.open_,
        "cluster.circulate": clusters.circulate,
        "cluster.check_pledges": clusters.check_pledges,
        "cluster.wait": clusters.wait,
        "cluster.open_scoring": clusters.open_scoring,
        "cluster.check_self_scores": clusters.check_self_scores,
        "cluster.open_cross_grading": clusters.open_cross_grading,
        "cluster.check_cross_grades": clusters.check_cross_grades,
        "cluster.find_gaps": clusters.find_gaps,
        "cluster.check_reconcile": clusters.check_reconcile,
        "cluster.reconcile": clusters.reconcile,
        "cluster.check_meeting": clusters.check_meeting,
        "cluster.record_meeting": clusters.record_meeting,
        "cluster.check_proposal": clusters.check_proposal,
        "cluster.close": clusters.close,
    }


def handler_names() -> list[str]:
    return sorted(_table(LocalStore(".")))


def register(
    registry: HandlerRegistry, *, store: Store | None = None, storage_dir: Path | None = None
) -> HandlerRegistry:
    """Add every domain handler to ``registry``; files go to ``store`` (default: a directory on disk)."""
    chosen = store or LocalStore(storage_dir or default_root())
    for name, handler in _table(chosen).items():
        registry.register(name, handler)
    return registry
