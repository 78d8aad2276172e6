"""Signing in and out of the pages, and the home page that sends each person where their work is."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for

from web import i18n, services
from web.auth import roles_of, sign_in, sign_out
from web.pages.guard import check_form_csrf, signed_in

blp = Blueprint("session_pages", __name__)

#: Where each role starts its day (first match wins).
START_PAGES = (
    ("supervisor", "dashboard.index"),
    ("designer", "designer.index"),
    ("desk", "desk.index"),
    ("council_secretary", "council.index"),
)


@blp.get("/")
def home() -> Any:
    me = signed_in()
    if me is None:
        return redirect(url_for("session_pages.login"))
    for role, endpoint in START_PAGES:
        if role in roles_of(me) and endpoint in current_app.view_functions:
            return redirect(url_for(endpoint))
    return (
        redirect(url_for("inbox.index"))
        if "inbox.index" in current_app.view_functions
        else render_template("home.html")
    )


@blp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "POST":
        check_form_csrf()
        engine = services.engine()
        actor = engine.identity.check_password(request.form.get("username", ""), request.form.get("password", ""))
        if actor is None:
            flash(i18n.gettext("auth.failed"), "error")
            return render_template("login.html"), 401
        lang = i18n.language()
        sign_in(actor)
        session["lang"] = lang
        target = request.args.get("next") or ""
        return redirect(target if target.startswith("/") and not target.startswith("//") else url_for(".home"))
    return render_template("login.html")


@blp.post("/logout")
def logout() -> Any:
    check_form_csrf()
    sign_out()
    return redirect(url_for(".login"))
