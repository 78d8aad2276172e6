"""Administration pages: the working calendar's days (designers) and the users with their units (admins)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine import clock
from engine.calendar_store import CALENDAR_ACTIONS
from engine.errors import AwardflowError, Conflict, InvalidInput
from engine.identity import NOT_SELF, USER_ACTIONS, USER_EXISTS, Actor, UserView
from web import i18n
from web.api.schemas import YEARS
from web.auth import CALENDAR_KEEPERS, ROLES
from web.pages import names
from web.pages.admin_history import SHOWN, log_rows
from web.pages.guard import page
from web.services import domain
from web.services import engine as _engine

i18n.TEXTS.update(
    {
        "admin.cal.title": ("Lịch làm việc {year}", "Working calendar {year}"),
        "admin.cal.calendar": ("Lịch", "Calendar"),
        "admin.cal.package_source": (
            "Bộ luật Lao động 2019 (Điều 112) và thông báo nghỉ lễ hằng năm",
            "Labour Code 2019 (Art. 112) and the yearly holiday notice",
        ),
        "admin.cal.days": ("Ngày nghỉ và ngày làm việc bù", "Days off and extra working days"),
        "admin.cal.none": ("Không có ngày nào trong năm này.", "No days in this year."),
        "admin.cal.date": ("Ngày", "Date"),
        "admin.cal.kind": ("Loại", "Kind"),
        "admin.cal.kind.off": ("Nghỉ", "Day off"),
        "admin.cal.kind.work": ("Làm việc", "Working day"),
        "admin.cal.name": ("Tên", "Name"),
        "admin.cal.source": ("Căn cứ", "Source"),
        "admin.cal.origin": ("Nguồn", "Origin"),
        "admin.cal.origin.package": ("Mặc định", "Built in"),
        "admin.cal.origin.admin": ("Quản trị nhập", "Administrator"),
        "admin.cal.entered": ("Người nhập", "Entered by"),
        "admin.cal.overridden": ("đã được thay thế", "replaced"),
        "admin.cal.remove": ("Gỡ bỏ", "Remove"),
        "admin.cal.remove_confirm": ("Gỡ bỏ ngày này khỏi lịch?", "Remove this day from the calendar?"),
        "admin.cal.removed": (
            "Đã gỡ ngày {day} (phiên bản lịch {revision}).",
            "Removed {day} (calendar revision {revision}).",
        ),
        "admin.cal.saved": ("Đã lưu (phiên bản lịch {revision}).", "Saved (calendar revision {revision})."),
        "admin.cal.swap": ("Hoán đổi ngày làm việc", "Swap a working day"),
        "admin.cal.swap_hint": (
            "Theo thông báo của Chính phủ: nghỉ một ngày làm việc, làm bù vào một ngày cuối tuần.",
            "From a Government notice: a working day off, made up on a weekend day.",
        ),
        "admin.cal.off": ("Ngày nghỉ", "Day off"),
        "admin.cal.work": ("Ngày làm bù", "Day worked instead"),
        "admin.cal.holiday": ("Thêm ngày nghỉ", "Add a day off"),
        "admin.cal.workday": ("Thêm ngày làm việc", "Add a working day"),
        "admin.cal.workday_hint": (
            "Ngày làm việc thêm (huỷ một ngày nghỉ mặc định nếu trùng).",
            "An extra working day.",
        ),
        "admin.cal.day": ("Ngày", "Date"),
        "admin.cal.date_hint": ("dd/mm/yyyy", "dd/mm/yyyy"),
        "admin.cal.source_hint": ("số, ngày văn bản", "notice number and date"),
        "admin.cal.add": ("Thêm", "Add"),
        "admin.cal.bad_date": ("Ngày không hợp lệ; nhập dd/mm/yyyy.", "Not a date; type dd/mm/yyyy."),
        "admin.cal.origin.national": ("Lịch chung", "National calendar"),
        "admin.cal.calendars": ("Các lịch làm việc", "Working calendars"),
        "admin.cal.calendars_hint": (
            "Lịch riêng của đơn vị thừa hưởng ngày nghỉ, ngày hoán đổi của lịch chung và thêm hoặc thay ngày của "
            "riêng mình.",
            "A unit's calendar inherits the national days off and swaps, and adds or overrides its own.",
        ),
        "admin.cal.units": ("Đơn vị áp dụng", "Units using it"),
        "admin.cal.units_default": ("các đơn vị còn lại", "every other unit"),
        "admin.cal.revision": ("Phiên bản", "Revision"),
        "admin.cal.shown": ("đang xem", "shown"),
        "admin.cal.new": ("Tạo lịch riêng", "New calendar"),
        "admin.cal.new_name": ("Tên lịch", "Calendar name"),
        "admin.cal.description": ("Mô tả", "Description"),
        "admin.cal.create": ("Tạo lịch", "Create"),
        "admin.cal.created": ("Đã tạo lịch {name}.", "Created the calendar {name}."),
        "admin.cal.exists": ("Đã có lịch mang tên này.", "A calendar of this name exists."),
        "admin.cal.name_long": ("Tên lịch có từ 1 đến 64 ký tự.", "1 to 64 characters."),
        "admin.cal.taken": (
            "Ngày {day} đã có trong lịch (hoặc lịch vừa được người khác sửa): tải lại trang, bỏ mục cũ rồi thêm lại.",
            "{day} is already in the calendar (or someone changed it meanwhile): reload, remove the old one first.",
        ),
        "admin.cal.nothing_to_remove": ("Ngày {day} không có mục nào để bỏ.", "Nothing to remove on {day}."),
        "admin.cal.swap_bad": (
            "Hoán đổi là nghỉ một ngày làm việc và làm bù một ngày nghỉ cuối tuần.",
            "A swap gives a working day off for a weekend day worked.",
        ),
        "admin.cal.swap_off": ("Ngày {day} vốn không phải ngày làm việc.", "{day} is not a regular working day."),
        "admin.cal.swap_work": ("Ngày {day} vốn đã là ngày làm việc.", "{day} is already a regular working day."),
        "admin.cal.too_long": ("Tối đa {n} ký tự.", "At most {n} characters."),
        "admin.cal.bad_year": ("Năm phải trong khoảng {low}–{high}.", "The year must be {low} to {high}."),
        "admin.cal.set_units": ("Gán đơn vị cho lịch này", "Give units this calendar"),
        "admin.cal.set_units_hint": (
            "Đơn vị được chọn sẽ tính hạn theo lịch này (và thôi dùng lịch khác).",
            "The units chosen count their time limits on this calendar (and leave any other).",
        ),
        "admin.cal.save_units": ("Lưu đơn vị", "Save units"),
        "admin.cal.units_saved": ("Đã lưu đơn vị áp dụng lịch {name}.", "Saved the units of {name}."),
        "admin.cal.restore": ("Khôi phục phiên bản trước", "Restore the previous revision"),
        "admin.cal.restore_confirm": (
            "Khôi phục các ngày của lịch về phiên bản trước? Thay đổi gần nhất sẽ được hoàn tác.",
            "Restore the previous revision's days? The last change is undone.",
        ),
        "admin.cal.restored": (
            "Đã khôi phục lịch về phiên bản {restored} (phiên bản mới {revision}).",
            "Restored revision {restored} (new revision {revision}).",
        ),
        "admin.cal.nothing_to_restore": ("Lịch chưa có thay đổi nào để hoàn tác.", "No change to undo yet."),
        "admin.cal.unknown_unit": ("Chọn đơn vị trong danh sách.", "Pick units from the list."),
        "admin.required": ("Bắt buộc.", "Required."),
        "admin.prev": ("← {year}", "← {year}"),
        "admin.next": ("{year} →", "{year} →"),
        "admin.weekday.0": ("Thứ Hai", "Mon"),
        "admin.weekday.1": ("Thứ Ba", "Tue"),
        "admin.weekday.2": ("Thứ Tư", "Wed"),
        "admin.weekday.3": ("Thứ Năm", "Thu"),
        "admin.weekday.4": ("Thứ Sáu", "Fri"),
        "admin.weekday.5": ("Thứ Bảy", "Sat"),
        "admin.weekday.6": ("Chủ nhật", "Sun"),
        "admin.users.title": ("Người dùng và đơn vị", "Users and units"),
        "admin.users.list": ("Người dùng", "Users"),
        "admin.users.username": ("Tên đăng nhập", "User name"),
        "admin.users.display_name": ("Họ tên", "Display name"),
        "admin.users.unit": ("Đơn vị", "Unit"),
        "admin.users.bad_email": ("Địa chỉ thư điện tử không hợp lệ.", "Not an e-mail address."),
        "admin.users.email": ("Thư điện tử (nhận nhắc việc)", "E-mail (for reminders)"),
        "admin.users.roles": ("Vai trò", "Roles"),
        "admin.users.groups": ("Nhóm khác", "Other groups"),
        "admin.users.groups_hint": (
            "cách nhau bằng dấu phẩy, ví dụ cơ quan phối hợp: thue, cong-an",
            "comma-separated, e.g. line agencies: thue, cong-an",
        ),
        "admin.users.password": ("Mật khẩu", "Password"),
        "admin.users.password_hint": ("để trống: giữ mật khẩu cũ", "empty: keep the current password"),
        "admin.users.password_short": ("Ít nhất 8 ký tự.", "At least 8 characters."),
        "admin.users.active": ("Hoạt động", "Active"),
        "admin.users.inactive": ("Đã khoá", "Deactivated"),
        "admin.users.create": ("Thêm người dùng", "Add a user"),
        "admin.users.update": ("Sửa người dùng {username}", "Edit user {username}"),
        "admin.users.save": ("Lưu", "Save"),
        "admin.users.cancel": ("Huỷ", "Cancel"),
        "admin.users.edit": ("Sửa", "Edit"),
        "admin.users.deactivate": ("Khoá", "Deactivate"),
        "admin.users.activate": ("Mở khoá", "Reactivate"),
        "admin.users.saved": ("Đã lưu người dùng {username}.", "Saved user {username}."),
        "admin.users.deactivated": ("Đã khoá {username}.", "Deactivated {username}."),
        "admin.users.activated": ("Đã mở khoá {username}.", "Reactivated {username}."),
        "admin.users.exists": ("Đã có người dùng này; hãy sửa thay vì thêm.", "This user exists; edit it instead."),
        "admin.users.not_self": (
            "Không thể tự khoá hoặc bỏ quyền quản trị của chính mình.",
            "You cannot lock yourself out.",
        ),
        "admin.users.bad_name": ("1–100 ký tự, không có khoảng trắng.", "1 to 100 characters, no spaces."),
        "admin.users.units": ("Đơn vị", "Units"),
        "admin.users.count": ("Số người dùng hoạt động", "Active users"),
        "admin.users.no_unit": ("(không thuộc đơn vị)", "(no unit)"),
        "admin.users.pick_unit": ("Chọn đơn vị trong danh sách.", "Pick a unit from the list."),
    }
)

blp = Blueprint("admin_pages", __name__, url_prefix="/admin")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")
#: The calendar forms and the fields each one has (in the order shown).
CALENDAR_FORMS = {
    "swap": ("off", "work", "source", "name"),
    "holiday": ("day", "name", "source"),
    "workday": ("day", "name", "source"),
}


#: Longest name, source or description of a calendar entry (they are shown in a table and in the audit).
MAX_NOTE = 500


def parse_day(text: str) -> date:
    """A date typed as dd/mm/yyyy (or yyyy-mm-dd); ValueError otherwise."""
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def field_messages(fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """The engine's field messages in the page's language (those it knows)."""
    known = {
        "is required": "admin.required",
        "not an e-mail address": "admin.users.bad_email",
        USER_EXISTS: "admin.users.exists",
        NOT_SELF: "admin.users.not_self",
    }
    return {name: [i18n.gettext(known[m]) if m in known else m for m in messages] for name, messages in fields.items()}


# -- calendar ----------------------------------------------------------------------------------------------


def _this_year() -> int:
    return clock.now().astimezone(i18n.ZONE).year


def _calendar_page(
    year: int, calendar: str, form: str | None = None, errors: dict[str, list[str]] | None = None
) -> Any:
    days = _engine().calendar.list_days(year, calendar)
    calendars = _engine().calendar.calendars()
    return render_template(
        "admin_calendar.html",
        year=year,
        calendar=calendar,
        current=next(view for view in calendars if view.name == calendar),
        days=days,
        calendars=calendars,
        units=names.unit_choices(),
        forms=CALENDAR_FORMS,
        form=form,
        errors=errors or {},
        values=request.form if form else {},
        history=log_rows(_engine().history.administration(SHOWN, CALENDAR_ACTIONS)),
    )


@blp.get("/calendar")
@page(roles=CALENDAR_KEEPERS)
def calendar(me: Actor) -> Any:
    """A year's days off and extra working days, with the forms that add and remove them."""
    year = request.args.get("year", type=int) or _this_year()
    return _calendar_page(year, request.args.get("calendar") or "default")


@blp.post("/calendar/add/<form>")
@page(roles=CALENDAR_KEEPERS)
def calendar_add(me: Actor, form: str) -> Any:
    """Add a swap, a one-off day off or a one-off working day; field errors come back next to the fields."""
    if form not in CALENDAR_FORMS:
        return _calendar_page(_this_year(), "default"), 404
    name, year = _calendar_and_year()
    values = {key: request.form.get(key, "") for key in CALENDAR_FORMS[form]}
    errors: dict[str, list[str]] = {}
    days: dict[str, date] = {}
    for key in ("off", "work", "day"):
        if key in values:
            try:
                days[key] = parse_day(values[key])
            except ValueError:
                errors[key] = [i18n.gettext("admin.required" if not values[key].strip() else "admin.cal.bad_date")]
            else:
                if not YEARS[0] <= days[key].year <= YEARS[1]:
                    errors[key] = [i18n.gettext("admin.cal.bad_year", low=YEARS[0], high=YEARS[1])]
    for key in ("source", "name"):
        if key in values and not values[key].strip() and not (form == "swap" and key == "name"):
            errors[key] = [i18n.gettext("admin.required")]
        elif len(values.get(key, "")) > MAX_NOTE:
            errors[key] = [i18n.gettext("admin.cal.too_long", n=MAX_NOTE)]
    if errors:
        return _calendar_page(year, name, form, errors), 422
    service, user = _engine().calendar, me.username
    try:
        if form == "swap":
            revision = service.add_swap(
                days["off"], days["work"], values["source"], user, values["name"] or None, calendar=name
            )
        elif form == "holiday":
            revision = service.add_holiday(days["day"], values["name"], values["source"], user, calendar=name)
        else:
            revision = service.add_working_day(days["day"], values["name"], values["source"], user, calendar=name)
    except InvalidInput as bad:
        return _calendar_page(year, name, form, _day_refusal(bad, days)), 422
    except AwardflowError:
        taken = " / ".join(i18n.format_date(day) for day in days.values())
        return _calendar_page(year, name, form, {"_": [i18n.gettext("admin.cal.taken", day=taken)]}), 409
    flash(i18n.gettext("admin.cal.saved", revision=revision))
    shown = days.get("off") or days.get("day") or days["work"]
    return redirect(url_for(".calendar", year=shown.year, calendar=name))


def _day_refusal(bad: InvalidInput, days: dict[str, date]) -> dict[str, list[str]]:
    """The engine's refusal of a swap (a day off that is not a working day, a day worked that already is one)
    said in the page's language, naming the day; anything else by the status's sentence."""
    said: dict[str, list[str]] = {
        key: [i18n.gettext(f"admin.cal.swap_{key}", day=i18n.format_date(days[key]))]
        for key in ("off", "work")
        if key in bad.fields and key in days
    }
    return {"_": [i18n.gettext("admin.cal.swap_bad") if said else i18n.refusal(422, bad.message)], **said}


@blp.post("/calendar/remove")
@page(roles=CALENDAR_KEEPERS)
def calendar_remove(me: Actor) -> Any:
    """Mark an administrator's row removed (it stays in the history)."""
    name, year = _calendar_and_year()
    try:
        day = parse_day(request.form.get("day", ""))
        revision = _engine().calendar.remove(day, me.username, calendar=name)
    except ValueError:
        flash(i18n.gettext("admin.cal.bad_date"), "error")
    except AwardflowError:
        flash(i18n.gettext("admin.cal.nothing_to_remove", day=i18n.format_date(day)), "error")
    else:
        flash(i18n.gettext("admin.cal.removed", day=i18n.format_date(day), revision=revision))
    return redirect(url_for(".calendar", year=year, calendar=name))


@blp.post("/calendar/new")
@page(roles=CALENDAR_KEEPERS)
def calendar_new(me: Actor) -> Any:
    """Create a named calendar (it inherits the national days) for the units chosen."""
    name, description = request.form.get("new_name", "").strip(), request.form.get("description", "").strip()
    year = request.form.get("year", type=int) or _this_year()
    chosen, errors = _chosen_units()
    if not name:
        errors["new_name"] = [i18n.gettext("admin.required")]
    elif len(name) > 64:
        errors["new_name"] = [i18n.gettext("admin.cal.name_long")]
    if len(description) > MAX_NOTE:
        errors["description"] = [i18n.gettext("admin.cal.too_long", n=MAX_NOTE)]
    if errors:
        return _calendar_page(year, "default", "new", errors), 422
    try:
        _engine().calendar.create_calendar(name, description=description, units=chosen, user=me.username)
    except Conflict:
        return _calendar_page(year, "default", "new", {"new_name": [i18n.gettext("admin.cal.exists")]}), 409
    flash(i18n.gettext("admin.cal.created", name=name))
    return redirect(url_for(".calendar", year=year, calendar=name))


@blp.post("/calendar/units")
@page(roles=CALENDAR_KEEPERS)
def calendar_units(me: Actor) -> Any:
    """Give the chosen units this calendar (each unit follows one calendar)."""
    name, year = _calendar_and_year()
    chosen, errors = _chosen_units()
    if errors:
        return _calendar_page(year, name, "units", errors), 422
    _engine().calendar.set_units(name, chosen, me.username)
    flash(i18n.gettext("admin.cal.units_saved", name=names.calendar_name(name)))
    return redirect(url_for(".calendar", year=year, calendar=name))


@blp.post("/calendar/restore")
@page(roles=CALENDAR_KEEPERS)
def calendar_restore(me: Actor) -> Any:
    """Undo the calendar's last change: its days as at the previous revision, as a new revision."""
    name, year = _calendar_and_year()
    try:
        revision = _engine().calendar.restore_previous(me.username, calendar=name)
    except InvalidInput:
        flash(i18n.gettext("admin.cal.nothing_to_restore"), "error")
    else:
        flash(i18n.gettext("admin.cal.restored", restored=revision - 2, revision=revision))
    return redirect(url_for(".calendar", year=year, calendar=name))


def _calendar_and_year() -> tuple[str, int]:
    """The calendar a form acts on and the year the page showed (to come back to)."""
    return request.form.get("calendar") or "default", request.form.get("year", type=int) or _this_year()


def _chosen_units() -> tuple[list[str], dict[str, list[str]]]:
    """The units ticked on a calendar form, and an error naming the field if one is not a known unit."""
    chosen = request.form.getlist("units")
    known = {code for code, _ in names.unit_choices()}
    if any(unit not in known for unit in chosen):
        return [], {"units": [i18n.gettext("admin.cal.unknown_unit")]}
    return chosen, {}


# -- users and units ---------------------------------------------------------------------------------------


def _users_page(form: dict[str, Any] | None = None, errors: dict[str, list[str]] | None = None) -> Any:
    users = _engine().identity.list_users()
    editing = request.args.get("edit") or (form or {}).get("original") or ""
    found = next((u for u in users if u.username == editing), None)
    if form is None:
        form = _form_of(found)
    directory = domain().units
    counts = Counter(u.unit for u in users if u.active)
    # every listed unit, and a unit a user still carries that the list no longer has (so an edit keeps it)
    choices = directory.choices() + [(c, c) for c in sorted({u.unit for u in users if u.unit} - set(directory.names))]
    return render_template(
        "admin_users.html",
        users=users,
        editing=found,
        form=form,
        errors=errors or {},
        roles=ROLES,
        unit_options=choices,
        units=sorted(counts.items(), key=lambda item: (item[0] is None, item[0] or "")),
        history=log_rows(_engine().history.administration(SHOWN, USER_ACTIONS)),
    )


def _form_of(user: UserView | None) -> dict[str, Any]:
    """The form's values for an existing user (or a blank form)."""
    if user is None:
        return {"username": "", "display_name": "", "unit": "", "email": "", "roles": [], "groups": "", "original": ""}
    roles = [g for g in user.groups if g in ROLES] + (["admin"] if user.is_admin else [])
    return {
        "username": user.username,
        "display_name": user.display_name,
        "unit": user.unit or "",
        "email": user.email or "",
        "roles": roles,
        "groups": ", ".join(g for g in user.groups if g not in ROLES),
        "original": user.username,
    }


@blp.get("/users")
@page(roles=("admin",))
def users(me: Actor) -> Any:
    """Every user with unit, groups and state; ``?edit=<name>`` fills the form with one of them."""
    return _users_page()


@blp.post("/users")
@page(roles=("admin",))
def users_save(me: Actor) -> Any:
    """Create a user, or update one (the form's ``original``); the engine hashes the password."""
    form: dict[str, Any] = {
        "username": request.form.get("username", "").strip(),
        "display_name": request.form.get("display_name", "").strip(),
        "unit": request.form.get("unit", "").strip(),
        "email": request.form.get("email", "").strip(),
        "roles": [r for r in request.form.getlist("roles") if r in ROLES],
        "groups": request.form.get("groups", ""),
        "original": request.form.get("original", "").strip(),
    }
    password = request.form.get("password", "")
    errors = _user_errors(form, password)
    if errors:
        return _users_page(form, errors), 422
    free = [g.strip() for g in form["groups"].replace(";", ",").split(",") if g.strip()]
    groups = sorted({*(r for r in form["roles"] if r != "admin"), *free})
    try:
        _engine().identity.ensure_user(
            form["username"],
            display_name=form["display_name"] or None,
            groups=groups,
            unit=form["unit"] or None,
            password=password or None,
            email=form["email"],
            is_admin="admin" in form["roles"],
            actor=me.username,
            new=not form["original"],
        )
    except InvalidInput as bad:
        return _users_page(form, field_messages(bad.fields) or {"_": [bad.message]}), 422
    flash(i18n.gettext("admin.users.saved", username=form["username"]))
    return redirect(url_for(".users"))


def _user_errors(form: dict[str, Any], password: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    username, creating = form["username"], not form["original"]
    if not username or len(username) > 100 or any(c.isspace() for c in username):
        errors["username"] = [i18n.gettext("admin.users.bad_name")]
    elif not creating and username != form["original"]:
        errors["username"] = [i18n.gettext("admin.users.bad_name")]  # renaming is not offered
    if creating and not password:
        errors["password"] = [i18n.gettext("admin.required")]
    elif password and len(password) < 8:
        errors["password"] = [i18n.gettext("admin.users.password_short")]
    if form["unit"] and form["unit"] not in domain().units.names and form["unit"] != _current_unit(form["original"]):
        errors["unit"] = [i18n.gettext("admin.users.pick_unit")]
    return errors


def _current_unit(username: str) -> str | None:
    """The unit a user has now (a unit the list no longer has stays theirs until changed)."""
    return next((u.unit for u in _engine().identity.list_users() if username and u.username == username), None)


@blp.post("/users/<username>/active")
@page(roles=("admin",))
def users_active(me: Actor, username: str) -> Any:
    """Deactivate (``active=0``) or reactivate (``active=1``) a user; nobody locks themself out."""
    active = request.form.get("active") == "1"
    try:
        _engine().identity.set_active(username, active, actor=me.username)
    except InvalidInput:
        flash(i18n.gettext("admin.users.not_self"), "error")
    else:
        flash(i18n.gettext("admin.users.activated" if active else "admin.users.deactivated", username=username))
    return redirect(url_for(".users"))
