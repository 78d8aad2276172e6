"""The public disclosure pages (no sign-in): proposals open for comment, a citizen's comment and its receipt,
and the issued decisions' awardees. Nothing personal beyond a nominee's name and unit is shown."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from werkzeug.datastructures import FileStorage

from engine.errors import Conflict, InvalidInput, NotFound, RateLimited
from engine.identity import Actor
from handlers.consultation_service import COMMENT_KINDS, CommentForm
from web import i18n
from web.api.context import domain
from web.pages import disclosure_challenge
from web.pages.disclosure_texts import TEXTS
from web.pages.guard import page

i18n.TEXTS.update(TEXTS)

blp = Blueprint("disclosure", __name__)

#: the longest search text and page number the public lists take (longer is cut, a bad page is the first)
MAX_QUERY, MAX_PAGE = 100, 10_000


@blp.get("/cong-khai")
def index() -> str:
    """The proposals published for comment now, with the end of each period."""
    return render_template("public_list.html", proposals=domain().consultation.published())


@blp.route("/cong-khai/<code>/gop-y", methods=["GET", "POST"])
def comment(code: str) -> Any:
    """The comment form of one published proposal; a comment sent is one transaction and a receipt code."""
    found = domain().consultation.published(code[:40])
    if not found:
        return render_template("public_closed.html", code=code[:40]), 404
    proposal, errors, status = found[0], {}, 200
    if request.method == "POST":
        try:
            receipt = domain().consultation.comment(_form(proposal.code))
        except InvalidInput as err:
            errors, status = err.fields or {"text": [err.message]}, 422
        except RateLimited as err:
            errors, status = {"_": [err.message]}, 429
        except Conflict as err:
            errors, status = {"_": [err.message]}, 409
        else:
            return redirect(url_for("disclosure.receipt", receipt=receipt, sent=1), 303)
    return render_template(
        "public_comment.html",
        proposal=proposal,
        kinds=COMMENT_KINDS,
        values=request.form,
        errors=errors,
        challenge=disclosure_challenge.make(),
    ), status


@blp.get("/cong-khai/y-kien")
def receipt() -> tuple[str, int]:
    """A comment looked up by its receipt code: what was sent and, once handled, the answer."""
    code = request.args.get("receipt", "").strip()[:20]
    found, status = None, 200
    if code:
        try:
            found = domain().consultation.receipt(code)
        except NotFound:
            status = 404
    return render_template("public_receipt.html", code=code, found=found, sent=bool(request.args.get("sent"))), status


@blp.get("/cong-khai/quyet-dinh")
def decisions() -> str:
    """The awardees of issued decisions, searchable, each linked to its dossier's status look-up."""
    query = request.args.get("q", "")[:MAX_QUERY]
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_PAGE else 1
    rows, more = domain().published_decisions.search(query, page)
    return render_template("public_decisions.html", q=query, rows=rows, page=page, more=more)


@blp.get("/desk/<code>/y-kien/<receipt>/tep")
@page()
def attachment(me: Actor, code: str, receipt: str) -> Response:
    """A comment's attachment, for the officers of the handling unit: always saved, never shown inline (it came
    from anyone on the internet)."""
    found, data = domain().consultation.attachment(domain().dossiers.dossier(me, code), receipt[:20])
    response = Response(data, mimetype=found.attachment_type or "application/octet-stream")
    response.headers.set("Content-Disposition", "attachment", filename=found.attachment_name or "tep-dinh-kem")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _form(code: str) -> CommentForm:
    """The posted form as the domain takes it; the challenge is checked first (InvalidInput on ``answer``)."""
    form = request.form
    nonce = disclosure_challenge.check(form.get("challenge", ""), form.get("answer", ""))
    raw_nominee = form.get("nominee", "")
    if raw_nominee and not (raw_nominee.isascii() and raw_nominee.isdigit() and len(raw_nominee) <= 9):
        raise InvalidInput("Người được đề nghị không có trong danh sách này.", {"nominee": ["không hợp lệ"]})
    upload: FileStorage | None = request.files.get("attachment")
    attachment = None
    if upload is not None and upload.filename:
        attachment = (upload.filename, upload.read())
    return CommentForm(
        code=code,
        nominee_id=int(raw_nominee) if raw_nominee else None,
        kind=form.get("kind", ""),
        author_name=form.get("author_name", ""),
        contact=form.get("contact", ""),
        text=form.get("text", ""),
        address_hash=disclosure_challenge.address_hash(request.remote_addr),
        nonce=nonce,
        attachment=attachment,
    )
