"""The designer's document templates: each document's wording in force and its versions, the editor with a PDF
preview of a sample dossier, and the publication of a new version from an effective date.

The template text and the names it may use are sent to the page as JSON (``static/designer_documents.js`` fills
the editor), so the page's own text stays Vietnamese; the domain checks, previews and publishes
(:class:`handlers.document_template_service.DocumentTemplateService`).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, url_for

from engine.errors import AwardflowError, Conflict, InvalidInput
from engine.identity import Actor
from handlers.document_templates import KINDS
from web import i18n
from web.errors import STATUS
from web.pages.designer import DESIGNERS
from web.pages.guard import page
from web.services import domain

i18n.TEXTS.update(
    {
        "docs.title": ("Mẫu văn bản", "Document templates"),
        "docs.kind": ("Văn bản", "Document"),
        "docs.in_force": ("Đang áp dụng", "In force"),
        "docs.since": ("từ {day}", "since {day}"),
        "docs.shipped": ("mẫu mặc định", "the default"),
        "docs.versions": ("Số phiên bản đã ban hành", "Published versions"),
        "docs.open": ("Soạn thảo", "Edit"),
        "docs.back": ("← Mẫu văn bản", "← Document templates"),
        "docs.designer": ("Thiết kế quy trình", "Process designer"),
        "docs.editing": ("Soạn mẫu", "Editing"),
        "docs.version": ("Phiên bản", "Version"),
        "docs.by": ("{day}, {person}", "{day}, {person}"),
        "docs.body": ("Nội dung mẫu", "Template"),
        "docs.syntax": (
            "Mỗi dòng là một đoạn. Dòng bắt đầu bằng “# ” là tiêu đề, “## ” là trích yếu; **…** in đậm; “^ ” in đậm,"
            " căn giữa; [bảng] đặt bảng của văn bản; [chữ ký] đặt phần ký. Quốc hiệu, tiêu ngữ, số và ngày tháng do"
            " hệ thống tự đặt.",
            "One paragraph a line. “# ” starts the title, “## ” the subtitle; **…** is bold; “^ ” bold and centred;"
            " [bảng] places the document's table; [chữ ký] the signature. The national header, number and date are"
            " the system's.",
        ),
        "docs.names": ("Dữ liệu dùng được", "Values available"),
        "docs.preview": ("Xem trước (hồ sơ mẫu)", "Preview (sample dossier)"),
        "docs.effective": ("Áp dụng từ ngày", "In force from"),
        "docs.publish": ("Ban hành phiên bản mới", "Publish a new version"),
        "docs.published": (
            "Đã ban hành mẫu “{name}” áp dụng từ {day}.",
            "Published “{name}”, in force from {day}.",
        ),
        "docs.bad_day": ("Ngày áp dụng: nhập dạng dd/mm/yyyy.", "In force from: a date as dd/mm/yyyy."),
        "docs.taken": (
            "Ngày áp dụng: đã có phiên bản áp dụng từ ngày này; phiên bản đã ban hành không sửa được.",
            "In force from: a version already starts that day; published versions never change.",
        ),
        "docs.no_such": ("Không có mẫu văn bản này.", "No such document template."),
    }
)

#: Texts designer_documents.js shows.
JS_TEXTS: dict[str, tuple[str, str]] = {
    "drawing": ("Đang dựng bản xem trước…", "Drawing the preview…"),
    "drawn": ("Bản xem trước đã cập nhật.", "Preview updated."),
    "publishing": ("Đang ban hành…", "Publishing…"),
    "failed": ("Lỗi: {message}", "Error: {message}"),
}

#: The values each template may use, with what they hold (shown in the editor).
COMMON: dict[str, tuple[str, str]] = {
    "ho_so.ma": ("mã hồ sơ", "dossier code"),
    "ho_so.don_vi": ("tên đơn vị đề nghị", "proposing unit's name"),
    "ho_so.ma_don_vi": ("mã đơn vị đề nghị", "proposing unit's code"),
    "ho_so.hinh_thuc": ("hình thức khen thưởng đề nghị", "award proposed"),
    "ho_so.nam": ("năm thành tích", "year of the achievements"),
    "ho_so.noi_dung": ("nội dung đề nghị", "what is proposed"),
    "co_quan.ten": ("tên cơ quan tiếp nhận", "receiving office's name"),
    "co_quan.tinh": ("tỉnh", "province"),
    "co_quan.duong_day_nong": ("số điện thoại đường dây nóng", "hotline number"),
}
NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "receipt": {
        "can_bo": ("người tiếp nhận", "officer who received it"),
        "tiep_nhan_luc": ("giờ, ngày tiếp nhận", "time and day received"),
        "hen_tra_luc": ("giờ, ngày hẹn trả", "time and day of the appointment"),
        "hen_tra_ngay": ("ngày hẹn trả", "day of the appointment"),
        "giay_to": ("danh sách tên giấy tờ", "list of the papers' names"),
    },
    "supplement_request": {
        "can_bo": ("người ký phiếu", "who signs the slip"),
        "dang_tham_dinh": ("đúng khi yêu cầu trong lúc thẩm định", "true when asked during appraisal"),
        "noi_dung_bo_sung": ("danh sách nội dung cần bổ sung", "list of what to supplement"),
        "ghi_chu": ("ghi chú", "note"),
        "han_bo_sung": ("hạn bổ sung (có thể trống)", "supplement deadline (may be empty)"),
    },
    "refusal": {
        "can_bo": ("người tiếp nhận", "officer who received it"),
        "ly_do": ("lý do từ chối", "reason for the refusal"),
    },
    "apology": {
        "can_bo": ("thủ trưởng cơ quan", "head of the office"),
        "ly_do": ("lý do chậm", "reason for the delay"),
        "hen_cu_luc": ("giờ, ngày hẹn cũ", "old appointment"),
        "hen_moi_luc": ("giờ, ngày hẹn mới", "new appointment"),
        "hen_moi_ngay": ("ngày hẹn mới", "day of the new appointment"),
    },
    "minutes": {
        "hoi_dong": ("tên Hội đồng", "council's name"),
        "phien": ("phiên họp lần thứ", "sitting number"),
        "ngay_hop": ("ngày họp", "day of the sitting"),
        "tong_thanh_vien": ("tổng số thành viên", "members in all"),
        "co_mat": ("số thành viên có mặt", "members present"),
        "tuc_so": ("túc số yêu cầu", "quorum required"),
        "ty_le_dat": ("tỷ lệ phiếu cần đạt", "share of votes required"),
        "chi_tieu": ("chỉ tiêu (có thể trống)", "quota (may be empty)"),
        "so_y_kien": ("số ý kiến của nhân dân", "number of public comments"),
    },
    "draft_decision": {
        "co_quan_ban_hanh": ("cơ quan ban hành", "issuing body"),
        "chuc_danh_ky": ("chức danh người ký", "signer's title"),
    },
    "decision": {
        "co_quan_ban_hanh": ("cơ quan ban hành", "issuing body"),
        "chuc_danh_ky": ("chức danh người ký", "signer's title"),
        "can_cu_phap_ly": ("danh sách căn cứ pháp lý", "list of legal bases"),
        "so_quyet_dinh": ("số, ký hiệu quyết định", "decision number and symbol"),
        "so_nguoi": ("số cá nhân, tập thể được khen", "number of awardees"),
        "muc_luong_co_so": ("mức lương cơ sở", "base salary"),
        "tong_tien_thuong": ("tổng tiền thưởng", "total bonus"),
        "nguoi_ky": ("người ký", "signer"),
    },
    "control_slip": {
        "tiep_nhan_luc": ("giờ, ngày tiếp nhận", "time and day received"),
        "hen_tra_luc": ("giờ, ngày hẹn trả", "time and day of the appointment"),
        "ket_qua": ("kết quả (trước hạn, đúng hạn…)", "result (early, on time…)"),
        "yeu_cau_bo_sung_luc": ("lúc yêu cầu bổ sung (có thể trống)", "when the supplement was asked (may be empty)"),
        "nhan_bo_sung_luc": ("lúc nhận bổ sung (có thể trống)", "when the supplement came (may be empty)"),
    },
}

blp = Blueprint("designer_documents", __name__, url_prefix="/designer/documents")


@blp.get("")
@page(roles=DESIGNERS)
def index(me: Actor) -> Any:
    """Every document with the wording in force today and how many versions were published."""
    service = domain().document_templates
    rows = [
        {"kind": kind, "name": name, "current": service.in_force(kind), "count": len(service.versions(kind)) - 1}
        for kind, name in KINDS.items()
    ]
    return render_template("designer_documents.html", rows=rows)


@blp.get("/<kind>")
@page(roles=DESIGNERS)
def edit(me: Actor, kind: str) -> Any:
    """The editor on the version in force (``?version=N``: the N-th from the newest, the last is the default)."""
    if kind not in KINDS:
        abort(404, description=i18n.gettext("docs.no_such"))
    versions = domain().document_templates.versions(kind)
    wanted = request.args.get("version", 1, type=int)
    if not 1 <= wanted <= len(versions):
        abort(404, description=i18n.gettext("docs.no_such"))
    language = i18n.LANGUAGES.index(i18n.language())
    data = {
        "body": versions[wanted - 1].body,
        "names": {name: pair[language] for name, pair in {**COMMON, **NAMES[kind]}.items()},
        "urls": {"preview": url_for(".preview", kind=kind), "publish": url_for(".publish", kind=kind)},
        "texts": {key: pair[language] for key, pair in JS_TEXTS.items()},
    }
    today = domain().document_templates.today()
    return render_template(
        "designer_document_edit.html",
        kind=kind,
        name=KINDS[kind],
        versions=versions,
        wanted=wanted,
        data=data,
        today=today,
    )


@blp.post("/<kind>/preview")
@page(roles=DESIGNERS)
def preview(me: Actor, kind: str) -> Any:
    """The PDF of the posted template for a sample dossier; 422 naming the template's fault. Nothing is stored."""
    try:
        pdf = domain().document_templates.preview(kind, request.form.get("body", ""))
    except InvalidInput as bad:
        return jsonify(problems=bad.fields), 422
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": "inline; filename=xem-truoc.pdf"})


@blp.post("/<kind>/publish")
@page(roles=DESIGNERS)
def publish(me: Actor, kind: str) -> Any:
    """Publish the posted template from the posted day (dd/mm/yyyy); 422 / 409 naming the field."""
    day = _day(request.form.get("effective_from", ""))
    if day is None:
        return jsonify(problems={"effective_from": [i18n.gettext("docs.bad_day")]}), 422
    try:
        published = domain().document_templates.publish(me, kind, day, request.form.get("body", ""))
    except Conflict:
        return jsonify(problems={"effective_from": [i18n.gettext("docs.taken")]}), 409
    except InvalidInput as bad:
        return jsonify(problems=bad.fields), 422
    except AwardflowError as err:
        status = next(code for known, code in STATUS if isinstance(err, known))
        return jsonify(problems={"_": [i18n.refusal(status, err.message)]}), status
    said = i18n.gettext("docs.published", name=KINDS[kind], day=i18n.format_date(published.effective_from))
    return jsonify(message=said, url=url_for(".index"))


def _day(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()
    except ValueError:
        return None
