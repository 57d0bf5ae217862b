"""Exports of the reports: Excel (.xlsx, XlsxWriter, streamed) and PDF (reportlab, the
embedded Chinese font of `workorders.report.register_font`, charts with
`reportlab.graphics.charts`).

The workbook is written row by row into a temporary file (XlsxWriter's constant-memory mode
flushes each row as it is written) and the file is then sent in chunks: memory stays flat
however many rows. Text is always written as text: a title such as "=HYPERLINK(…)" typed by a
customer must not become a formula in the manager's spreadsheet."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import Case as SqlCase
from django.db.models import CharField, Max, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xlsxwriter import Workbook  # type: ignore[import-untyped]

from aftersales.cases.models import ClockState, ClockTarget
from aftersales.cases.models import Status as CaseStatus
from aftersales.reports.compliance import (
    ComplianceReport,
    Period,
    agreed_rows,
    breach_rows,
    cases_in_scope,
    complaint_lines,
    region_label,
    satisfaction_lines,
)
from aftersales.reports.operations import AGE_LABELS
from aftersales.workorders.report import FONT_NAME, register_font

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK = 64 * 1024
CASE_BATCH = 2000


def _time(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _number(value: Any) -> Any:
    return "" if value is None else value


# Every string stays a string: no formulas, links or numbers read into user text.
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}


class Sheet:
    """A worksheet filled from the top, one row at a time."""

    def __init__(self, worksheet: Any) -> None:
        self._worksheet = worksheet
        self._row = 0

    def append(self, values: Iterable[Any]) -> None:
        self._worksheet.write_row(self._row, 0, values)
        self._row += 1


class SheetWriter:
    """What `fill` gets: a workbook whose sheets are written one after the other."""

    def __init__(self, workbook: Any) -> None:
        self._workbook = workbook

    def create_sheet(self, name: str) -> Sheet:
        return Sheet(self._workbook.add_worksheet(name))


def stream_workbook(fill: Callable[[SheetWriter], None]) -> Iterator[bytes]:
    """Run `fill(writer)` on a workbook written to a temporary file, then yield the file in
    chunks. A generator: nothing is built until the response is sent."""
    with tempfile.TemporaryFile() as handle:
        workbook = Workbook(handle, WORKBOOK_OPTIONS)
        fill(SheetWriter(workbook))
        workbook.close()
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk


# --- the compliance report -----------------------------------------------------------------


def compliance_title(report: ComplianceReport) -> str:
    return _("服务承诺履约报告")


def _compliance_summary(report: ComplianceReport) -> list[tuple[str, Any]]:
    contract = report.contract
    return [
        (_("合同"), contract.number), (_("客户"), contract.customer.name),
        (_("SLA 策略"), contract.policy.name),
        (_("期间"), f"{report.period.start.isoformat()} — {report.period.end.isoformat()}"),
        (_("期间内受理工单"), report.cases), (_("其中有超时的工单"), report.cases_breached),
        (_("超时时钟"), report.breaches_total), (_("生成时间"), _time(report.now)),
    ]


def _target_header() -> list[str]:
    return [_("严重等级"), _("地区"), _("目标"), _("承诺（分钟）"), _("时钟数"), _("达成"), _("超时"), _("进行中"),
            _("约定期限"), _("达成率（%）"), _("用时中位数（分钟）"), _("用时 P90（分钟）")]


def _target_line(row: Any) -> list[Any]:
    return [row.severity, region_label(row.region), row.target_label, _number(row.promised_minutes), row.clocks,
            row.met, row.breached, row.open, row.agreed, _number(row.met_percent),
            _number(row.median_minutes), _number(row.p90_minutes)]


def _clock_state(target: str, now: dt.datetime) -> Max:
    """The state of the case's clock for `target` as the report counts it (None: no such clock),
    computed by the database in the query of the cases."""
    clock = Q(clocks__target=target)
    return Max(SqlCase(
        When(clock & Q(clocks__state=ClockState.NOT_REQUIRED), then=Value("not_required")),
        When(clock & (Q(clocks__is_breached=True) | Q(clocks__state=ClockState.RUNNING, clocks__due_at__lt=now)),
             then=Value("breached")),
        When(clock & Q(clocks__state=ClockState.MET), then=Value("met")),
        When(clock, then=Value("open")),
        output_field=CharField()))


def _case_lines(report: ComplianceReport) -> Iterator[list[Any]]:
    """One line per case in scope with its four clocks: one query, a case per row (its clocks
    grouped onto it), streamed in chunks."""
    targets = list(ClockTarget.values)
    cases = (cases_in_scope(report.contract, report.period)
             .values_list("number", "severity", "status", "opened_at", "resolved_at", "title")
             .annotate(**{f"clock_{target}": _clock_state(target, report.now) for target in targets})
             .order_by("opened_at", "number"))
    # Translated once, not once per row: the workbook has a row per case.
    statuses = {value: str(label) for value, label in CaseStatus.choices}
    states = {"not_required": str(ClockState.NOT_REQUIRED.label), "breached": _("超时"), "met": _("达成"),
              "open": _("进行中"), None: ""}
    zone = timezone.get_current_timezone()
    for number, severity, status, opened_at, resolved_at, title, *clocks in cases.iterator(chunk_size=CASE_BATCH):
        yield [number, severity, statuses.get(status, status), _local(opened_at, zone), _local(resolved_at, zone),
               title, *[states[state] for state in clocks]]


def _local(value: dt.datetime | None, zone: Any) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else ""


def compliance_xlsx(report: ComplianceReport) -> Iterator[bytes]:
    def fill(workbook: SheetWriter) -> None:
        summary = workbook.create_sheet(_("概要"))
        summary.append([compliance_title(report)])
        for label, value in _compliance_summary(report):
            summary.append([label, value])
        targets = workbook.create_sheet(_("承诺目标"))
        targets.append(_target_header())
        for row in report.rows:
            targets.append(_target_line(row))
        breaches = workbook.create_sheet(_("超时明细"))
        breaches.append([_("工单号"), _("严重等级"), _("标题"), _("目标"), _("到期时间"), _("达成时间"), _("约定期限"),
                         _("约定原因"), _("超时原因")])
        for b in breach_rows(contract=report.contract, period=report.period, now=report.now):
            breaches.append([b["number"], b["severity"], b["title"], b["target_label"], _time(b["due_at"]),
                             _time(b["met_at"]), _time(b["agreed_due_at"]), b["agreed_reason"], b["reason"]])
        agreed = workbook.create_sheet(_("约定期限"))
        agreed.append([_("工单号"), _("目标"), _("约定到期时间"), _("约定原因"), _("是否超时")])
        for a in agreed_rows(contract=report.contract, period=report.period):
            agreed.append([a["case__number"], a["target_label"], _time(a["agreed_due_at"]), a["agreed_reason"],
                           _("是") if a["is_breached"] else _("否")])
        parts = workbook.create_sheet(_("备件送达"))
        parts.append([_("送达时限（分钟）"), _("申请"), _("按时送达"), _("超时送达"), _("超时未送达"), _("计时中"), _("已取消")])
        for p in report.parts["targets"]:
            parts.append([p["target_minutes"], p["requests"], p["on_time"], p["late"], p["overdue"], p["running"],
                          p["cancelled"]])
        inspections = workbook.create_sheet(_("巡检"))
        for label, key in _inspection_labels():
            inspections.append([label, _number(report.inspections.get(key))])
        quality = workbook.create_sheet(_("满意度与投诉"))
        quality.append([_("客户满意度")])
        for line in _rows(satisfaction_lines(report.satisfaction)):
            quality.append(line)
        quality.append([_("投诉")])
        for line in _rows(complaint_lines(report.complaints)):
            quality.append(line)
        cases = workbook.create_sheet(_("工单明细"))
        cases.append([_("工单号"), _("严重等级"), _("状态"), _("受理时间"), _("解决时间"), _("标题"),
                      *[str(label) for label in ClockTarget.labels]])
        for line in _case_lines(report):
            cases.append(line)

    return stream_workbook(fill)


def _inspection_labels() -> list[tuple[str, str]]:
    return [(_("计划巡检"), "planned"), (_("已到期"), "due"), (_("已完成"), "done"), (_("按时完成"), "done_in_time"),
            (_("超期未完成"), "overdue"), (_("已取消"), "cancelled"), (_("完成率（%）"), "done_percent")]


# --- PDF -----------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    register_font()
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=8, leading=11, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=16, leading=22, alignment=1, spaceAfter=4),
        "heading": ParagraphStyle("heading", parent=base, fontSize=11, leading=16, spaceBefore=8, spaceAfter=3),
    }


def _table(rows: Iterable[Iterable[Any]], style: ParagraphStyle, widths: list[float] | None = None) -> Table:
    cells = [[Paragraph(escape(str(cell if cell is not None else "")), style) for cell in row] for row in rows]
    table = Table(cells, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ]))
    return table


def _met_breached_chart(labels: list[str], met: list[int], breached: list[int]) -> Drawing:
    drawing = Drawing(240 * mm, 60 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 15 * mm, 10 * mm, 210 * mm, 45 * mm
    chart.data = [met or [0], breached or [0]]
    chart.categoryAxis.categoryNames = labels or [""]
    chart.categoryAxis.labels.fontName = FONT_NAME
    chart.valueAxis.labels.fontName = FONT_NAME
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = colors.HexColor("#2a7a3b")
    chart.bars[1].fillColor = colors.HexColor("#c0392b")
    drawing.add(chart)
    drawing.add(String(230 * mm, 55 * mm, _("绿：达成 红：超时"), fontName=FONT_NAME, fontSize=8, textAnchor="end"))
    return drawing


def _build(title: str, story: list[Any]) -> bytes:
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                      bottomMargin=12 * mm, title=title).build(story)
    return buffer.getvalue()


def compliance_pdf(report: ComplianceReport) -> bytes:
    styles = _styles()
    base, heading = styles["base"], styles["heading"]
    title = compliance_title(report)
    story: list[Any] = [Paragraph(escape(title), styles["title"]),
                        _table([[label, value] for label, value in _compliance_summary(report)], base,
                               [50 * mm, 150 * mm]),
                        Paragraph(escape(_("承诺目标与达成情况")), heading)]
    story.append(_table([_target_header(), *[_target_line(row) for row in report.rows]], base))
    totals = report.totals
    story.append(_met_breached_chart([totals[t]["label"] for t in totals], [totals[t]["met"] for t in totals],
                                     [totals[t]["breached"] for t in totals]))
    story.append(Paragraph(escape(_("超时明细（前 %(n)d 条，共 %(total)d 条）") % {
        "n": len(report.breaches), "total": report.breaches_total}), heading))
    story.append(_table([[_("工单号"), _("严重等级"), _("目标"), _("到期时间"), _("达成时间"), _("约定期限及原因"), _("超时原因")],
                         *[[b["number"], b["severity"], b["target_label"], _time(b["due_at"]), _time(b["met_at"]),
                            f"{_time(b['agreed_due_at'])} {b['agreed_reason']}".strip(), b["reason"] or "—"]
                           for b in report.breaches]], base))
    story.append(Paragraph(escape(_("备件送达")), heading))
    story.append(_table([[_("送达时限（分钟）"), _("申请"), _("按时送达"), _("超时送达"), _("超时未送达"), _("计时中")],
                         *[[p["target_minutes"], p["requests"], p["on_time"], p["late"], p["overdue"], p["running"]]
                           for p in report.parts["targets"]]], base))
    story.append(Paragraph(escape(_("巡检")), heading))
    story.append(_table([[label for label, _key in _inspection_labels()],
                         [_number(report.inspections.get(key)) for _label, key in _inspection_labels()]], base))
    story.append(Paragraph(escape(_("客户满意度")), heading))
    story.append(_table(_rows(satisfaction_lines(report.satisfaction)), base))
    story.append(Paragraph(escape(_("投诉")), heading))
    story.append(_table(_rows(complaint_lines(report.complaints)), base))
    story.append(Spacer(1, 4 * mm))
    return _build(title, story)


def _rows(lines: list[tuple[str, str]]) -> list[list[Any]]:
    return [[label, value] for label, value in lines]


# --- operational reports -------------------------------------------------------------------


def operations_title() -> str:
    return _("运营报表")


def _operations_sheets(figures: dict[str, Any], period: Period) -> list[tuple[str, list[list[Any]]]]:
    backlog, rates, mttr, workload = figures["backlog"], figures["fault_rates"], figures["mttr"], figures["workload"]
    ages = backlog["ages"]
    return [
        (_("积压"), [[_("状态"), *[AGE_LABELS[a] for a in ages], _("合计")],
                   *[[r["label"], *[r["ages"][a] for a in ages], r["total"]] for r in backlog["rows"]]]),
        (_("产品故障率"), [[_("产品"), _("故障工单"), _("设备数"), _("每台故障数")],
                      *[[r["label"], r["cases"], r["assets"], _number(r["rate"])] for r in rates["products"]]]),
        (_("站点故障率"), [[_("站点"), _("故障工单"), _("设备数"), _("每台故障数")],
                      *[[r["label"], r["cases"], r["assets"], _number(r["rate"])] for r in rates["sites"]]]),
        (_("平均修复时间"), [[_("严重等级"), _("工单数"), _("平均（小时）"), _("中位数（小时）"), _("P90（小时）")],
                       *[[r["severity"], r["cases"], r["mean_hours"], _number(r["median_hours"]),
                          _number(r["p90_hours"])] for r in mttr["rows"]]]),
        (_("工程师工作量"), [[_("工程师"), _("派工单"), _("已完工"), _("进行中"), _("已取消"), _("现场时长（小时）")],
                       *[[r["name"], r["work_orders"], r["done"], r["open"], r["cancelled"], r["hours_on_site"]]
                         for r in workload]]),
    ]


def operations_xlsx(figures: dict[str, Any], period: Period) -> Iterator[bytes]:
    def fill(workbook: SheetWriter) -> None:
        for name, rows in _operations_sheets(figures, period):
            sheet = workbook.create_sheet(name)
            for row in rows:
                sheet.append(row)

    return stream_workbook(fill)


def operations_pdf(figures: dict[str, Any], period: Period) -> bytes:
    styles = _styles()
    title = operations_title()
    story: list[Any] = [Paragraph(escape(title), styles["title"]),
                        Paragraph(escape(f"{period.start.isoformat()} — {period.end.isoformat()}"), styles["base"])]
    for name, rows in _operations_sheets(figures, period):
        story.append(Paragraph(escape(name), styles["heading"]))
        story.append(_table(rows, styles["base"]))
    return _build(title, story)
