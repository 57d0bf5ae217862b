"""Log books (维修保养记录簿): a site's sealed logs of a period kind over a date range, as PDF
(Chinese font embedded, both signatures drawn) and as an Excel workbook."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Font  # type: ignore[import-untyped]
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from aftersales.customers.models import Site
from aftersales.maintenance.models import MaintenanceLog, PeriodKind
from aftersales.maintenance.selectors import logbook_logs
from aftersales.workorders.report import FONT_NAME, register_font


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local days start..end, both included, as aware datetimes [from, to)."""
    zone = _zone()
    return (dt.datetime.combine(start, dt.time(), zone),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), zone))


def _time(value: dt.datetime | None) -> str:
    return timezone.localtime(value, _zone()).strftime("%Y-%m-%d %H:%M") if value else "—"


def _kind_label(period_kind: str | None) -> str:
    return str(PeriodKind(period_kind).label) if period_kind else _("全部")


def _title(site: Site, period_kind: str | None) -> str:
    return _("%(customer)s %(site)s 维修保养记录簿（%(kind)s）") % {
        "customer": site.customer.name, "site": site.name, "kind": _kind_label(period_kind)}


def _asset_text(log: MaintenanceLog) -> str:
    asset = log.asset
    return f"{asset.product.name} {asset.serial_number}" if asset is not None else "—"


def _rows(log: MaintenanceLog) -> list[tuple[str, str]]:
    return [
        (_("维护时间"), _time(log.performed_at)), (_("记录类别"), log.get_period_kind_display()),
        (_("设备"), _asset_text(log)), (_("问题"), log.problem), (_("现象"), log.symptom),
        (_("诊断"), log.diagnosis), (_("处理措施"), log.treatment), (_("处理后状态"), log.state_after),
        (_("使用备件"), log.parts_used), (_("耗时（分钟）"), str(log.time_spent_minutes)),
    ]


def _signature_flowable(stored: FieldFile, name: str, at: dt.datetime | None, style: ParagraphStyle) -> Any:
    caption = Paragraph(escape(f"{name} {_time(at)}"), style)
    if not stored:
        return caption
    try:
        with stored.open("rb") as handle:
            data = io.BytesIO(handle.read())
    except OSError:
        return caption
    return [Image(data, width=50 * mm, height=20 * mm, kind="proportional", mask="auto"), caption]


def logbook_pdf(site: Site, period_kind: str | None, start: dt.date, end: dt.date) -> bytes:
    """The log book as PDF bytes: one block per sealed log, with both signatures."""
    logs = logbook_logs(site, period_kind=period_kind, start=_bounds(start, end)[0], end=_bounds(start, end)[1])
    summary = _("期间 %(start)s 至 %(end)s，共 %(n)d 条") % {"start": start.isoformat(), "end": end.isoformat(),
                                                         "n": len(logs)}
    return _pdf(_title(site, period_kind), summary, logs)


def log_pdf(log: MaintenanceLog) -> bytes:
    """One sealed log as PDF bytes, as it stands in its site's log book."""
    summary = _("%(site)s · 第 %(index)d 条") % {"site": log.site.name, "index": log.chain_index}
    return _pdf(_("维修保养记录"), summary, [log])


def _pdf(title_text: str, summary: str, logs: list[MaintenanceLog]) -> bytes:
    register_font()
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=9, leading=13, wordWrap="CJK")
    title = ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1)
    heading = ParagraphStyle("heading", parent=base, fontSize=11, leading=16, spaceBefore=8, spaceAfter=3)

    def p(text: str) -> Paragraph:
        return Paragraph(escape(text or "—").replace("\n", "<br/>"), base)

    story: list[Any] = [Paragraph(escape(title_text), title), Paragraph(escape(summary), base), Spacer(1, 4 * mm)]
    for log in logs:
        header = _("第 %(index)d 条") % {"index": log.chain_index}
        if log.corrects_id is not None:
            header += " " + _("（更正第 %(index)s 条）") % {"index": log.corrects.chain_index if log.corrects else "?"}
        story.append(Paragraph(escape(header), heading))
        rows: list[list[Any]] = [[p(label), p(value)] for label, value in _rows(log)]
        rows.append([p(_("维护人员签字")), _signature_flowable(
            log.technician_signature, log.technician_name, log.technician_signed_at, base)])
        rows.append([p(_("业主签字")), _signature_flowable(
            log.owner_signature, f"{log.owner_name}（{log.get_owner_signed_via_display()}）",
            log.owner_signed_at, base)])
        rows.append([p(_("内容哈希")), p(log.content_hash)])
        table = Table(rows, colWidths=[30 * mm, 150 * mm])
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f4f4")),
        ]))
        story.append(table)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                      bottomMargin=15 * mm, title=title_text).build(story)
    return buffer.getvalue()


def logbook_xlsx(site: Site, period_kind: str | None, start: dt.date, end: dt.date) -> bytes:
    """The log book as an Excel workbook: a title row, then one row per sealed log."""
    logs = logbook_logs(site, period_kind=period_kind, start=_bounds(start, end)[0], end=_bounds(start, end)[1])
    workbook = Workbook(write_only=False)
    sheet = workbook.create_sheet(index=0)
    workbook.remove(workbook.worksheets[1])
    sheet.title = _("维修保养记录")
    sheet.append([_title(site, period_kind), f"{start.isoformat()} — {end.isoformat()}"])
    sheet["A1"].font = Font(bold=True, size=14)
    labels = [label for label, _value in _rows(logs[0])] if logs else [
        _("维护时间"), _("记录类别"), _("设备"), _("问题"), _("现象"), _("诊断"), _("处理措施"),
        _("处理后状态"), _("使用备件"), _("耗时（分钟）")]
    sheet.append([_("链序号"), *labels, _("维护人员"), _("维护人员签字时间"), _("业主代表"),
                  _("业主签字时间"), _("业主签字方式"), _("更正的记录"), _("内容哈希")])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for log in logs:
        sheet.append([
            log.chain_index, *[value for _label, value in _rows(log)], log.technician_name,
            _time(log.technician_signed_at), log.owner_name, _time(log.owner_signed_at),
            log.get_owner_signed_via_display(),
            log.corrects.chain_index if log.corrects is not None else "", log.content_hash,
        ])
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":  # openpyxl reads "=…" as a formula: user text stays text
                cell.data_type = "s"
            if cell.row >= 3:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
