"""Texts of the public disclosure pages: key -> (Vietnamese, English)."""

from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    "public.title": ("Công khai danh sách đề nghị khen thưởng", "Proposed awards published for comment"),
    "public.intro": (
        "Danh sách người và tập thể được đề nghị khen thưởng, công khai để nhân dân góp ý trước khi Hội đồng "
        "Thi đua – Khen thưởng xét. Không cần tài khoản để góp ý.",
        "People and collectives proposed for an award, published for public comment before the Emulation and "
        "Commendation Council decides. No account is needed to comment.",
    ),
    "public.none": ("Hiện không có danh sách nào đang lấy ý kiến.", "No list is open for comment now."),
    "public.award": ("Hình thức khen thưởng", "Award"),
    "public.unit": ("Đơn vị đề nghị", "Proposing unit"),
    "public.nominees": ("Người, tập thể được đề nghị", "Proposed"),
    "public.until": ("Nhận ý kiến đến", "Comments until"),
    "public.comment": ("Góp ý", "Comment"),
    "public.decisions": ("Kết quả khen thưởng đã công bố", "Published award decisions"),
    "public.lookup_comment": ("Tra cứu ý kiến đã gửi", "Look up a comment"),
    "public.form_title": ("Gửi ý kiến góp ý", "Send a comment"),
    "public.about": ("Về", "About"),
    "public.about_all": ("Cả danh sách", "The whole list"),
    "public.kind": ("Loại ý kiến", "Kind of comment"),
    "public.author_name": ("Họ và tên", "Full name"),
    "public.contact": ("Điện thoại hoặc thư điện tử", "Phone or e-mail"),
    "public.required": ("(bắt buộc)", "(required)"),
    "public.optional": ("(không bắt buộc)", "(optional)"),
    "public.text": ("Nội dung góp ý", "Your comment"),
    "public.attachment": ("Tệp đính kèm (PDF, JPEG, PNG)", "Attachment (PDF, JPEG, PNG)"),
    "public.challenge": ("Câu hỏi kiểm tra: {question} bằng bao nhiêu?", "Check question: what is {question}?"),
    "public.send": ("Gửi ý kiến", "Send"),
    "public.refused": ("Ý kiến chưa được gửi:", "The comment was not sent:"),
    "public.closed": (
        "Danh sách {code} không còn trong thời gian lấy ý kiến, hoặc không được công khai.",
        "List {code} is not open for comment, or was not published.",
    ),
    "public.receipt_title": ("Tra cứu ý kiến góp ý", "Look up a comment"),
    "public.receipt_code": ("Mã ý kiến", "Comment code"),
    "public.search": ("Tra cứu", "Look up"),
    "public.sent": (
        "Đã nhận ý kiến của bạn. Xin giữ mã ý kiến để tra cứu kết quả xử lý.",
        "Your comment was received. Keep its code to look up how it was handled.",
    ),
    "public.receipt_not_found": ("Không tìm thấy ý kiến có mã này.", "No comment has this code."),
    "public.dossier": ("Hồ sơ", "Dossier"),
    "public.received_at": ("Ngày gửi", "Sent on"),
    "public.status": ("Tình trạng", "Status"),
    "public.answer": ("Trả lời", "Answer"),
    "public.decisions_intro": (
        "Người và tập thể đã được khen thưởng theo quyết định đã ban hành.",
        "People and collectives awarded by issued decisions.",
    ),
    "public.query": ("Tìm theo tên, đơn vị, số quyết định", "Search by name, unit, decision number"),
    "public.name": ("Họ tên / Tập thể", "Name"),
    "public.decision": ("Quyết định số", "Decision"),
    "public.signed": ("Ngày ký", "Signed on"),
    "public.no_decisions": ("Không có kết quả.", "Nothing found."),
    "public.next": ("Trang sau", "Next page"),
    "public.previous": ("Trang trước", "Previous page"),
    "public.comments": ("Ý kiến của nhân dân trong thời gian công khai", "Public comments during disclosure"),
    "public.no_comments": ("Không có ý kiến góp ý.", "No comments."),
    "public.comment_task": ("Ý kiến góp ý cần xử lý", "The comment to handle"),
}
