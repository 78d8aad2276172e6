"""Vietnamese first, English available: the page texts and the helpers templates use to show them.

The language is the session's choice (``?lang=en`` switches it), else Vietnamese. Dates are shown
dd/mm/yyyy in Asia/Ho_Chi_Minh whatever the language.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import request, session

LANGUAGES = ("vi", "en")
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")

#: key -> (Vietnamese, English). Pages add their own texts here.
TEXTS: dict[str, tuple[str, str]] = {
    "app.title": ("Hồ sơ thi đua, khen thưởng", "Award dossiers"),
    "nav.inbox": ("Việc cần xử lý", "Inbox"),
    "nav.desk": ("Một cửa", "Desk"),
    "nav.council": ("Hội đồng", "Council"),
    "nav.dashboard": ("Giám sát", "Supervision"),
    "nav.designer": ("Thiết kế quy trình", "Process designer"),
    "nav.calendar": ("Lịch làm việc", "Calendar"),
    "nav.admin": ("Quản trị", "Administration"),
    "nav.lookup": ("Tra cứu hồ sơ", "Dossier look-up"),
    "nav.notifications": ("Thông báo", "Notifications"),
    "auth.sign_in": ("Đăng nhập", "Sign in"),
    "auth.sign_out": ("Đăng xuất", "Sign out"),
    "auth.username": ("Tên đăng nhập", "User name"),
    "auth.password": ("Mật khẩu", "Password"),
    "auth.failed": ("Sai tên đăng nhập hoặc mật khẩu.", "Wrong user name or password."),
    "auth.required": ("Vui lòng đăng nhập.", "Please sign in."),
    "auth.forbidden": ("Bạn không có quyền mở trang này.", "You may not open this page."),
    "form.csrf": ("Phiên làm việc đã hết hạn, vui lòng thử lại.", "Your session expired; please try again."),
    "lang.switch": ("English", "Tiếng Việt"),
    "sla.trong_han": ("Trong hạn", "Within time"),
    "sla.qua_han": ("Quá hạn", "Late"),
    "sla.truoc_han": ("Trước hạn", "Early"),
    "sla.dung_han": ("Đúng hạn", "On time"),
    "sla.due_soon": ("Sắp đến hạn", "Due soon"),
}


def language() -> str:
    """The language of this request: ``?lang=`` (remembered in the session), else the session's, else vi."""
    wanted = request.args.get("lang")
    if wanted in LANGUAGES:
        session["lang"] = wanted
    chosen = session.get("lang", "vi")
    return chosen if chosen in LANGUAGES else "vi"


def gettext(key: str, **values: object) -> str:
    """The text for ``key`` in the request's language; unknown keys show as themselves (easy to spot)."""
    pair = TEXTS.get(key)
    text = key if pair is None else pair[LANGUAGES.index(language())]
    return text.format(**values) if values else text


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(ZONE) if moment is not None else None


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy (local date for a moment)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZONE).date()
    return value.strftime("%d/%m/%Y")


def format_datetime(value: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Asia/Ho_Chi_Minh."""
    return value.astimezone(ZONE).strftime("%H:%M %d/%m/%Y") if value is not None else ""
