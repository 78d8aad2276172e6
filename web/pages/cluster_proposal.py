"""The head sends the cluster's proposal to the provincial desk: which passed unit is proposed for the flag (Cờ
thi đua, only the leading unit(s)) and which for the Chairman's certificate (Bằng khen), with the papers the award
catalogue asks of each; the cluster service makes one dossier per award through the desk's own intake."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import InvalidInput, PermissionDenied
from engine.identity import Actor
from handlers.cluster_service import CERTIFICATE, FLAG
from web import i18n
from web.api.context import domain
from web.pages.cluster_results import award_names
from web.pages.clusters import Refusal, file_limit_mb, is_head, refused_fields, service
from web.pages.guard import page

blp = Blueprint("cluster_proposal", __name__)


def paper_codes() -> dict[str, str]:
    """The papers the proposal's awards ask for, by code, with the catalogue's names (the flag's first)."""
    catalogue = domain().dossiers.catalogue()
    codes = dict.fromkeys((*catalogue.award(FLAG).required_papers, *catalogue.award(CERTIFICATE).required_papers))
    return {c: catalogue.papers.get(c, c) for c in codes}


def _papers(names: dict[str, str]) -> list[dict[str, Any]]:
    """Each paper sent, checked and stored as the desk's; a refused file is named by its paper."""
    uploaded = []
    for code, name in names.items():
        sent = request.files.get(f"paper.{code}")
        if sent is None or not sent.filename:
            continue
        try:
            uploaded.append(domain().dossiers.upload(code, sent.filename, sent.read()))
        except InvalidInput:
            message = i18n.gettext("cluster.bad_file", file=f"{name} ({sent.filename})", mb=file_limit_mb())
            raise InvalidInput(message, {f"paper.{code}": [message]}) from None
    return uploaded


@blp.route("/cum-khoi/<code>/<int:year>/de-nghi", methods=["GET", "POST"])
@page()
def proposal(me: Actor, code: str, year: int) -> Any:
    """The proposal form: an award (or none) for each unit that passed the vote, and the papers."""
    svc = service()
    view = svc.year(code, year)
    if not is_head(me, view):
        raise PermissionDenied("Chỉ trưởng cụm, khối gửi đề nghị khen thưởng")
    passed = [r for r in svc.standings(code, year) if r.passed]
    names = paper_codes()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        chosen = {r.unit: request.form.get(f"award.{r.unit}", "") for r in passed}
        try:
            sent = svc.send_proposal(
                me,
                code,
                year,
                flags=[u for u, a in chosen.items() if a == FLAG],
                certificates=[u for u, a in chosen.items() if a == CERTIFICATE],
                listed_papers=_papers(names),
            )
        except Refusal as refused:
            errors = refused_fields(refused)
        else:
            flash(i18n.gettext("cluster.proposal_sent", codes=", ".join(sent)))
            return redirect(url_for("cluster_results.ranking", code=code, year=year), code=303)
    return render_template(
        "cluster_proposal.html",
        view=view,
        passed=passed,
        awards=award_names(),
        choices=(FLAG, CERTIFICATE),
        papers=names,
        limit_mb=file_limit_mb(),
        open="send_proposal" in view.open_steps and view.phase == "proposal",
        errors=errors,
        form=request.form,
    ), (422 if errors else 200)
