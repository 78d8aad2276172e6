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
    "http.400": ("Yêu cầu không hợp lệ", "Bad request"),
    "http.401": ("Cần đăng nhập", "Sign-in needed"),
    "http.403": ("Không có quyền", "Not allowed"),
    "http.404": ("Không tìm thấy", "Not found"),
    "http.405": ("Thao tác không được hỗ trợ", "Method not allowed"),
    "http.409": ("Dữ liệu đã thay đổi", "Changed meanwhile"),
    "http.413": ("Tệp quá lớn", "Too large"),
    "http.422": ("Dữ liệu chưa hợp lệ", "Not valid"),
    "error.fields": ("Mục cần sửa", "Fields to correct"),
    "http.500": ("Lỗi hệ thống", "System error"),
    "http.400.text": ("Yêu cầu không đọc được. Vui lòng quay lại và thử lại.", "The request could not be read."),
    "http.401.text": ("Vui lòng đăng nhập.", "Please sign in."),
    "http.403.text": ("Bạn không có quyền thực hiện việc này.", "You may not do this."),
    "http.404.text": (
        "Không tìm thấy trang hoặc hồ sơ này, hoặc bạn không có quyền xem.",
        "This page or record does not exist, or you may not see it.",
    ),
    "http.405.text": ("Trang này không nhận thao tác vừa gửi.", "This page does not accept that action."),
    "http.409.text": (
        "Dữ liệu vừa được người khác thay đổi; vui lòng tải lại trang và thử lại.",
        "Someone changed this meanwhile; reload the page and try again.",
    ),
    "http.413.text": ("Tệp gửi lên quá lớn.", "The upload is too large."),
    "http.422.text": (
        "Dữ liệu chưa hợp lệ hoặc việc này không thực hiện được ở trạng thái hiện tại.",
        "The data is not valid, or this cannot be done in the current state.",
    ),
    "http.500.text": ("Đã có lỗi ngoài dự kiến; lỗi đã được ghi lại.", "An unexpected error occurred; it was logged."),
    "error.home": ("Về trang chính", "Back to the home page"),
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


def refusal(status: int, message: str) -> str:
    """A refusal as the person reads it: a message written for people (the domain's, in Vietnamese) as it is;
    the engine's technical English only in English, else the status's sentence in Vietnamese."""
    if language() == "en" or not message.isascii():
        return message
    return gettext(f"http.{status}.text") if f"http.{status}.text" in TEXTS else gettext("http.422.text")


def local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(ZONE) if moment is not None else None


def format_date(value: date | datetime | None) -> str:
    """dd/mm/yyyy (local date for a moment)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(ZONE).date()
    return value.strftime("%d/%m/%Y")


def format_number(value: float | None) -> str:
    """A number as the page's language writes it: the decimal comma in Vietnamese ("12,5")."""
    if value is None:
        return ""
    text = f"{value:g}" if abs(value) < 1e15 else str(value)
    return text.replace(".", ",") if language() == "vi" else text


def format_datetime(value: datetime | None) -> str:
    """HH:MM dd/mm/yyyy in Asia/Ho_Chi_Minh."""
    return value.astimezone(ZONE).strftime("%H:%M %d/%m/%Y") if value is not None else ""
