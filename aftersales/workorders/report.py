"""The printable work-order report (现场服务报告) as PDF, with a Chinese font embedded so that
it prints the same on every machine.

Parts live in the `parts` app, which imports this one: the caller passes the part lines.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from aftersales.assets.services import asset_warranty
from aftersales.assets.templatetags.asset_display import WARRANTY_LABELS
from aftersales.workorders.models import WorkOrder, WorkOrderResult, WorkOrderSignature

FONT_NAME = "AftersalesCJK"
# Debian's fonts-wqy-microhei first (TrueType outlines, which reportlab embeds). fonts-noto-cjk
# ships CFF outlines that reportlab cannot read; it is tried and skipped when it fails.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
)


class ReportFontMissing(RuntimeError):
    """No usable Chinese TrueType font on this machine."""


class PartLine(NamedTuple):
    """One part used on the visit; `price` None means free of charge (免费)."""

    code: str
    name: str
    quantity: Decimal | int
    price: Decimal | None


PartLinesProvider = Callable[[WorkOrder], Sequence[tuple[str, str, Decimal | int, Decimal | None]]]
_parts_lines_provider: PartLinesProvider | None = None


def register_parts_lines_provider(provider: PartLinesProvider | None) -> None:
    """The parts app registers how to list a work order's parts (it may import us; we may not
    import it), so that the API's report.pdf shows them. None unregisters."""
    global _parts_lines_provider
    _parts_lines_provider = provider


def parts_lines_for(work_order: WorkOrder) -> list[PartLine]:
    if _parts_lines_provider is None:
        return []
    return [PartLine(*line) for line in _parts_lines_provider(work_order)]


@cache
def register_font() -> str:
    """Register the first usable Chinese font under FONT_NAME; clear error when there is none."""
    configured = getattr(settings, "AFTERSALES_REPORT_FONT", "")
    candidates = ([configured] if configured else []) + list(FONT_CANDIDATES)
    tried = []
    for candidate in candidates:
        if not Path(candidate).is_file():
            continue
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, candidate, subfontIndex=0))
        except TTFError as error:
            tried.append(f"{candidate}: {error}")
            continue
        return candidate
    raise ReportFontMissing(
        "No Chinese TrueType font for PDF reports. Install the Debian package fonts-wqy-microhei "
        "(apt-get install fonts-wqy-microhei, gives /usr/share/fonts/truetype/wqy/wqy-microhei.ttc)"
        + (f"; unusable: {'; '.join(tried)}" if tried else "")
    )


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT_NAME, fontSize=10, leading=14, wordWrap="CJK")
    return {
        "base": base,
        "title": ParagraphStyle("title", parent=base, fontSize=18, leading=24, alignment=1, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=9, alignment=1, textColor=colors.grey),
        "heading": ParagraphStyle("heading", parent=base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
    }


def _time(value: dt.datetime | None, zone: dt.tzinfo) -> str:
    return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M") if value else "—"


def _text(value: Any) -> str:
    text = str(value) if value not in (None, "") else "—"
    return escape(text).replace("\n", "<br/>")


def _money(value: Decimal | None) -> str:
    return _("免费") if value is None else f"¥{value:,.2f}"


def _grid(rows: list[list[Any]], widths: list[float], *, header: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), FONT_NAME),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    else:
        commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f4f4f4")))
        commands.append(("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f4f4f4")))
    table.setStyle(TableStyle(commands))
    return table


def _signature_image(signature: WorkOrderSignature) -> Image:
    with signature.file.open("rb") as stored:
        data = io.BytesIO(stored.read())
    width = 60 * mm
    height = width * signature.height / signature.width
    if height > 30 * mm:
        height = 30 * mm
        width = height * signature.width / signature.height
    return Image(data, width=width, height=height, mask="auto")


def work_order_report_pdf(
    *, work_order: WorkOrder, parts: Sequence[tuple[str, str, Decimal | int, Decimal | None]] = (),
    company: str = "", time_zone: str | None = None, photos_count: int | None = None,
    now: dt.datetime | None = None,
) -> bytes:
    """The report as PDF bytes. Times show in `time_zone` (default: the server's, Asia/Shanghai)."""
    register_font()
    zone = ZoneInfo(time_zone or settings.TIME_ZONE)
    now = now or timezone.now()
    styles = _styles()
    cell = styles["cell"]

    def p(value: Any) -> Paragraph:
        return Paragraph(_text(value), cell)

    case = work_order.case
    asset = case.asset
    if asset is not None:
        warranty = asset_warranty(asset, on=timezone.localtime(now, zone).date())
        asset_text = f"{asset.product.name} {asset.product.model} / {_('序列号')} {asset.serial_number}"
        warranty_text = str(WARRANTY_LABELS.get(str(warranty.state), warranty.state))
    else:
        asset_text, warranty_text = "—", "—"
    site = case.site
    site_text = f"{site.name} {site.address}".strip() if site is not None else "—"
    technician = work_order.technician
    technician_text = (technician.get_full_name() or technician.username) if technician else "—"
    result_text = WorkOrderResult(work_order.result).label if work_order.result else "—"
    if photos_count is None:
        photos_count = work_order.photos.count()
    signature = WorkOrderSignature.objects.filter(work_order=work_order).first()
    label, value = 28 * mm, 62 * mm  # two label/value pairs across 180 mm of A4

    story: list[Any] = [
        Paragraph(_text(f"{company} {_('现场服务报告')}".strip()), styles["title"]),
        Paragraph(_text(_("打印时间 %(at)s（%(zone)s）") % {"at": _time(now, zone), "zone": str(zone)}),
                  styles["subtitle"]),
        Spacer(1, 4 * mm),
        _grid([
            [p(_("派工单号")), p(work_order.number), p(_("服务工单号")), p(case.number)],
            [p(_("类型")), p(work_order.get_kind_display()), p(_("状态")), p(work_order.get_status_display())],
            [p(_("客户")), p(case.customer.name), p(_("站点")), p(site_text)],
            [p(_("设备")), p(asset_text), p(_("保修状态")), p(warranty_text)],
            [p(_("工程师")), p(technician_text), p(_("故障")), p(case.title)],
        ], [label, value, label, value]),
        Paragraph(_text(_("时间")), styles["heading"]),
        _grid([
            [p(_("计划时间")), p(_time(work_order.scheduled_for, zone)),
             p(_("到场时间")), p(_time(work_order.checked_in_at, zone))],
            [p(_("完工时间")), p(_time(work_order.work_done_at, zone)),
             p(_("签字时间")), p(_time(work_order.signed_at, zone))],
            [p(_("工时（分钟）")), p(work_order.time_spent_minutes), p(_("现场照片")),
             p(_("%(count)d 张") % {"count": photos_count})],
        ], [label, value, label, value]),
        Paragraph(_text(_("诊断")), styles["heading"]),
        Paragraph(_text(work_order.diagnosis), styles["base"]),
        Paragraph(_text(_("处理措施")), styles["heading"]),
        Paragraph(_text(work_order.work_performed), styles["base"]),
        Paragraph(_text(_("结果")), styles["heading"]),
        Paragraph(_text(result_text), styles["base"]),
        Paragraph(_text(_("使用备件")), styles["heading"]),
    ]
    if parts:
        rows = [[p(_("备件编码")), p(_("名称")), p(_("数量")), p(_("收费"))]]
        rows += [[p(line[0]), p(line[1]), p(line[2]), p(_money(line[3]))] for line in parts]
        story.append(_grid(rows, [35 * mm, 85 * mm, 20 * mm, 40 * mm], header=True))
    else:
        story.append(Paragraph(_text(_("未使用备件")), styles["base"]))
    story.append(Paragraph(_text(_("客户签字")), styles["heading"]))
    if signature is not None:
        story += [
            _signature_image(signature),
            Paragraph(_text(_("签字人：%(name)s　签字时间：%(at)s") % {
                "name": signature.signer_name, "at": _time(signature.signed_at, zone)}), styles["base"]),
        ]
    else:
        story.append(Paragraph(_text(_("尚未签字")), styles["base"]))

    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=f"{_('现场服务报告')} {work_order.number}", author=company or "Aftersales",
    )
    document.build(story)
    return buffer.getvalue()
