"""The what-if page's texts (Vietnamese, English): the form, its refusals, the results and the charts."""

from __future__ import annotations

from web import i18n

TEXTS: dict[str, tuple[str, str]] = {
    "sim.title": ("Mô phỏng trước khi triển khai", "What-if simulation"),
    "sim.open": ("Mô phỏng trước khi triển khai", "Simulate before deploying"),
    "sim.lead": (
        "Cho một lượng hồ sơ đi qua quy trình thật (sơ đồ, biểu mẫu, quy tắc, thời hạn, lịch làm việc) trên một cơ sở"
        " dữ liệu riêng với đồng hồ ảo: không hồ sơ thật nào bị động tới. Hai phương án (phiên bản hoặc bản nháp,"
        " số người mỗi nhóm) chạy với cùng lượng hồ sơ để so sánh.",
        "A workload runs through the real procedure (diagram, forms, rules, budgets, working calendar) on a separate"
        " database with a virtual clock: no real dossier is touched. Two plans (version or draft, people per group)"
        " run with the same workload, side by side.",
    ),
    "sim.bounds": (
        "Trên trang này: tối đa {dossiers} hồ sơ và {days} ngày mỗi lần; lần chạy dừng sau {seconds} giây. Khối lượng"
        " lớn hơn: dùng lệnh mô phỏng trên máy chủ.",
        "On this page: at most {dossiers} dossiers and {days} days per run; a run stops after {seconds} seconds. For"
        " more, use the simulation command on the server.",
    ),
    "sim.workload": ("Lượng hồ sơ", "Workload"),
    "sim.from": ("Từ ngày", "From"),
    "sim.to": ("Đến ngày", "To"),
    "sim.dossiers": ("Số hồ sơ", "Dossiers"),
    "sim.seed": ("Hạt giống ngẫu nhiên", "Random seed"),
    "sim.seed_hint": ("cùng hạt giống cho cùng kết quả", "the same seed gives the same result"),
    "sim.history": ("Lấy thời gian làm việc từ lịch sử của hệ thống", "Draw working times from this system's history"),
    "sim.show": ("Sơ đồ hiển thị", "Diagram shown"),
    "sim.plan": ("Phương án {plan}", "Plan {plan}"),
    "sim.compare": ("So sánh với phương án B", "Compare with plan B"),
    "sim.version": ("Phiên bản quy trình", "Procedure version"),
    "sim.shipped": ("Các quy trình gốc, chưa sửa", "The shipped procedures, unchanged"),
    "sim.version_of": ("{process} — phiên bản {version}", "{process} — version {version}"),
    "sim.draft": ("hoặc bản nháp (.bpmn, .dmn, .json)", "or a draft (.bpmn, .dmn, .json)"),
    "sim.staff": ("Số người", "People"),
    "sim.run": ("Chạy mô phỏng", "Run the simulation"),
    "sim.running": ("Đang mô phỏng…", "Simulating…"),
    "sim.errors": ("Chưa chạy được, hãy sửa:", "Not run; please correct:"),
    "sim.bad_number": ("{field}: nhập số nguyên từ {low} đến {high}.", "{field}: a whole number from {low} to {high}."),
    "sim.bad_date": ("{field}: ngày dạng dd/mm/yyyy.", "{field}: a date as dd/mm/yyyy."),
    "sim.bad_period": (
        "{field}: phải sau ngày bắt đầu, không quá {days} ngày.",
        "{field}: after the first day, at most {days} days.",
    ),
    "sim.bad_show": ("{field}: không có quy trình này.", "{field}: no such procedure."),
    "sim.bad_version": ("{field}: không có phiên bản này.", "{field}: no such version."),
    "sim.bad_draft": (
        "{field}: bản nháp không triển khai được — {problems}",
        "{field}: the draft is refused — {problems}",
    ),
    "sim.timed_out": (
        "{field}: lần chạy quá {seconds} giây nên đã dừng; hãy giảm số hồ sơ hoặc rút ngắn khoảng thời gian.",
        "{field}: the run took over {seconds} seconds and was stopped; use fewer dossiers or a shorter period.",
    ),
    "sim.refused": (
        "{field}: lần chạy không hoàn thành; hãy kiểm tra bản nháp và thử lại.",
        "{field}: the run did not finish; check the draft and try again.",
    ),
    "sim.busy_server": (
        "Máy chủ đang chạy các lần mô phỏng khác; hãy thử lại sau ít phút.",
        "The server is running other simulations; try again in a few minutes.",
    ),
    # results
    "sim.results": ("Kết quả", "Results"),
    "sim.measure": ("Chỉ số", "Measure"),
    "sim.early": ("Trước hạn", "Early"),
    "sim.on_time": ("Đúng hạn", "On time"),
    "sim.late": ("Trễ hạn", "Late"),
    "sim.late_share": ("Tỷ lệ trễ hạn", "Late share"),
    "sim.p50": ("Thời gian giải quyết, trung vị (ngày làm việc)", "Throughput, median (working days)"),
    "sim.p90": ("Thời gian giải quyết, 90 % (ngày làm việc)", "Throughput, 90th percentile (working days)"),
    "sim.failures": ("Lỗi khi chạy", "Errors in the run"),
    "sim.dossier_results": ("Hồ sơ đã giải quyết", "Dossiers finished"),
    "sim.step": ("Bước xử lý", "Step"),
    "sim.steps": ("Kết quả từng bước", "Each step"),
    "sim.change": ("Thay đổi tỷ lệ trễ (B so với A)", "Change in late share (B against A)"),
    "sim.late_steps": ("Các bước làm hồ sơ trễ hạn", "The steps that make dossiers late"),
    "sim.no_late": ("Không bước nào trễ hạn.", "No step was late."),
    "sim.utilisation": ("Mức bận của cán bộ", "Staff utilisation"),
    "sim.group": ("Nhóm", "Group"),
    "sim.busy": ("Thời gian bận", "Time busy"),
    "sim.queues": ("Việc chờ người xử lý theo nhóm (hằng tuần)", "Work waiting for a person, per group (weekly)"),
    "sim.map": ("Sơ đồ với số liệu mô phỏng", "The diagram with the simulated figures"),
    "sim.map_hint": (
        "Như bản đồ quy trình: việc còn chờ khi kết thúc mô phỏng, tỷ lệ trễ và thời gian làm việc (trung vị / 90 %).",
        "As on the process map: work still waiting when the simulation ended, late share and working time"
        " (median / 90th percentile).",
    ),
}

#: Texts the page's charts show (sent as JSON, in the page's language).
JS_TEXTS: dict[str, tuple[str, str]] = {
    "early": ("Trước hạn", "Early"),
    "on_time": ("Đúng hạn", "On time"),
    "late": ("Trễ hạn", "Late"),
    "share": ("Tỷ lệ (%)", "Share (%)"),
    "busy": ("Thời gian bận (%)", "Time busy (%)"),
    "waiting": ("Việc chờ", "Waiting"),
    "days": ("Ngày làm việc", "Working days"),
    "p50": ("Trung vị", "Median"),
    "p90": ("90 %", "90th percentile"),
    "running": ("Đang mô phỏng…", "Simulating…"),
}

i18n.TEXTS.update(TEXTS)
