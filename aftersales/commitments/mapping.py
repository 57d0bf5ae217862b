"""From parsed items to what applying them sets — pure, no database.

`review_defaults` gives each parsed item its reviewable form: the severity its fault class maps
to, the site regions its written region maps to, whether it is ticked and, if not, why.
`plan_figures` folds the ticked items into the figures applying sets: SLA targets per region
and severity, the 24×7 calendar, warranty and trial months, the return window, parts delivery,
the months between return visits.

Rules (docs/decisions/0009-commitment-import.md):
- Several figures for the same slot: the one most favourable to the customer is kept (the
  shortest time, the longest warranty or return window, the most frequent visits) — the promise the customer can hold
  the company to. The phone response folds into first response this way.
- Severity: a figure for a fault class sets that severity; a figure without one sets every
  severity not set by a figure of its own; a severity still unset takes the figure of the
  nearest less severe one that has one (a worse fault is never given longer).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from aftersales.commitments.parser import OTHER_REGION, Draft, Item, Kind, ValueUnit

SEVERITIES = ("P1", "P2", "P3", "P4")
FAULT_CLASS_SEVERITY = {"urgent": "P1", "major": "P1", "severe": "P2", "general": "P3"}
# Written regions to the region names sites carry. Others: the written name without its
# 地区/区域 suffix ("上海地区" → 上海); relative ones ("省内", "市区") need the administrator.
REGION_ALIASES: dict[str, tuple[str, ...]] = {
    "京津": ("北京", "天津"),
    "京津冀": ("北京", "天津", "河北"),
    "北上广": ("北京", "上海", "广东"),
    "北上广深": ("北京", "上海", "广东"),
    "江浙沪": ("江苏", "浙江", "上海"),
    "长三角": ("上海", "江苏", "浙江", "安徽"),
    "珠三角": ("广东",),
    "东三省": ("辽宁", "吉林", "黑龙江"),
    "东北": ("辽宁", "吉林", "黑龙江"),
    "乌鲁木齐市": ("乌鲁木齐",),
}
RELATIVE_REGIONS = frozenset(
    {"省内", "省外", "市内", "市外", "市区", "郊区", "郊县", "城区", "主城区", "本市", "本省",
     "外省", "偏远地区", "边远地区"}
)
SLA_FIELDS = {
    Kind.FIRST_RESPONSE: "first_response_minutes",
    Kind.PHONE_RESPONSE: "first_response_minutes",
    Kind.ON_SITE: "on_site_minutes",
    Kind.RESOLUTION: "resolution_minutes",
    Kind.RESTORATION: "restoration_minutes",
}
PART_CLASSES = ("regular", "non_regular")
# Kinds that have somewhere to go; the others are shown for information only.
APPLICABLE_KINDS = frozenset(
    {*SLA_FIELDS, Kind.PARTS_DELIVERY, Kind.WARRANTY, Kind.TRIAL_PERIOD, Kind.RETURN_WINDOW,
     Kind.SERVICE_HOURS_24X7, Kind.RETURN_VISIT_FREQUENCY}
)
VALUE_UNITS = {
    **{kind: "minutes" for kind in SLA_FIELDS},
    Kind.PARTS_DELIVERY: "minutes",
    Kind.WARRANTY: "months",
    Kind.TRIAL_PERIOD: "months",
    Kind.RETURN_WINDOW: "days",
    Kind.RETURN_VISIT_FREQUENCY: "months",
}


def regions_for(written: str | None) -> tuple[tuple[str, ...], bool]:
    """(site region names, resolved): () and True for no region or 其他地区 (the default row)."""
    if not written or written == OTHER_REGION:
        return (), True
    if written in RELATIVE_REGIONS:
        return (), False
    name = written.removesuffix("地区").removesuffix("区域") or written
    if name in REGION_ALIASES:
        return REGION_ALIASES[name], True
    return (name,), True


def informational_reason(kind: str) -> str:
    reasons = {
        Kind.REPLY: _("书面回复不计入时钟；如要计为首次响应，请把类型改为“首次响应”"),
        Kind.NEGOTIATED_RESOLUTION: _("超过期限后与业主协商处理：没有对应的设置，仅供参考"),
        Kind.SUBSTITUTE_UNIT: _("替代设备承诺：由替代设备模块处理，没有对应的设置，仅供参考"),
        Kind.INSPECTION_FREQUENCY: _("巡检频率：请在巡检计划页按站点设置，仅供参考"),
        Kind.SURVEY: _("调查承诺：没有对应的设置，仅供参考"),
        Kind.TRAINING: _("培训承诺：请在培训模块安排，仅供参考"),
        Kind.LIFETIME_SUPPORT: _("终身支持：没有对应的设置，仅供参考"),
    }
    return str(reasons.get(Kind(kind), _("没有对应的设置，仅供参考")))


@dataclass(frozen=True)
class ReviewDefaults:
    severity: str
    regions: tuple[str, ...]
    is_included: bool
    reason: str


def review_defaults(item: Item) -> ReviewDefaults:
    """How an item is first shown for review: ticked when it fits the target policy (a policy
    for customers with a maintenance contract, in warranty), else unticked with the reason."""
    conditions = item.conditions
    severity = FAULT_CLASS_SEVERITY.get(conditions.fault_class or "", "")
    regions, resolved = regions_for(conditions.region)
    reason = ""
    if item.kind not in APPLICABLE_KINDS:
        reason = informational_reason(item.kind)
    elif item.kind is Kind.RETURN_VISIT_FREQUENCY and item.value_unit is ValueUnit.DAYS:
        reason = _("回访计划最频繁为每月：请改为按月的数值（如 1）")
    elif item.kind in VALUE_UNITS and (
        item.value is None or (item.value_unit and item.value_unit.value != VALUE_UNITS[item.kind])
    ):
        reason = _("没有可用的数值或单位不符，请编辑")
    elif conditions.contract == "without_maintenance_contract":
        reason = _("条件为“无维保合同”，与目标策略（合同客户）不符")
    elif conditions.warranty_status in ("out_of_warranty", "after_defect_liability"):
        reason = _("条件为保修期外，与目标策略不符")
    elif item.kind is Kind.WARRANTY and conditions.scope == "part":
        reason = _("部件保修期没有对应的设置（产品只有整机保修期）")
    elif not resolved:
        reason = _("“%(region)s”无法对应到站点地区，请填写地区名称") % {"region": conditions.region}
    return ReviewDefaults(severity=severity, regions=regions, is_included=not reason, reason=str(reason))


def initial_items(draft: Draft) -> list[tuple[Item, ReviewDefaults]]:
    return [(item, review_defaults(item)) for item in draft.items]


@dataclass(frozen=True)
class Reviewed:
    """An item as reviewed: what plan_figures reads."""

    position: int
    kind: str
    severity: str
    regions: tuple[str, ...]
    value: int | None
    is_included: bool
    conditions: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Figures:
    """What applying the reviewed items sets. targets: {region ("" = default): {severity:
    {field: minutes}}}; parts: {part kind: minutes}. `used` are the positions of the items that
    set something; a ticked item not in it was outdone by a more favourable one."""

    targets: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    is_24x7: bool = False
    trial_months: int | None = None
    warranty_months: int | None = None
    return_days: int | None = None
    return_visit_months: int | None = None
    parts: dict[str, int] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)

    def is_empty(self) -> bool:
        return not (self.targets or self.is_24x7 or self.parts or self.trial_months is not None
                    or self.warranty_months is not None or self.return_days is not None
                    or self.return_visit_months is not None)


def _best(candidates: Iterable[tuple[int, int]], *, longest: bool = False) -> tuple[int, int] | None:
    """(value, position) most favourable to the customer; the earlier item on a tie."""
    ordered = sorted(candidates, key=lambda pair: ((-pair[0] if longest else pair[0]), pair[1]))
    return ordered[0] if ordered else None


def _by_severity(figures: Sequence[tuple[str, int, int]]) -> dict[str, tuple[int, int]]:
    """{severity: (minutes, position)} from (severity or "", minutes, position)."""
    own = {s: _best((v, p) for sev, v, p in figures if sev == s) for s in SEVERITIES}
    general = _best((v, p) for sev, v, p in figures if sev == "")
    chosen: dict[str, tuple[int, int]] = {}
    for index, severity in enumerate(SEVERITIES):
        best = own[severity] or general
        if best is None:
            best = next((own[s] for s in SEVERITIES[index + 1:] if own[s] is not None), None)
        if best is not None:
            chosen[severity] = best
    return chosen


def plan_figures(items: Iterable[Reviewed]) -> Figures:
    figures = Figures()
    slots: dict[tuple[str, str], list[tuple[str, int, int]]] = {}
    parts: dict[str, list[tuple[int, int]]] = {}
    parts_general: list[tuple[int, int]] = []
    periods: dict[str, list[tuple[int, int]]] = {}
    visits: list[tuple[int, int]] = []
    for item in items:
        if not item.is_included:
            continue
        kind = Kind(item.kind)
        if kind is Kind.SERVICE_HOURS_24X7:
            figures.is_24x7 = True
            figures.used.add(item.position)
            continue
        if item.value is None or (item.value <= 0 and kind is not Kind.RETURN_WINDOW):
            continue
        if kind in SLA_FIELDS:
            for region in item.regions or ("",):
                slots.setdefault((region, SLA_FIELDS[kind]), []).append(
                    (item.severity, item.value, item.position))
        elif kind is Kind.PARTS_DELIVERY:
            part_class = item.conditions.get("part_class")
            if part_class in PART_CLASSES:
                parts.setdefault(part_class, []).append((item.value, item.position))
            else:
                parts_general.append((item.value, item.position))
        elif kind in (Kind.WARRANTY, Kind.TRIAL_PERIOD, Kind.RETURN_WINDOW):
            periods.setdefault(kind.value, []).append((item.value, item.position))
        elif kind is Kind.RETURN_VISIT_FREQUENCY:
            visits.append((item.value, item.position))
    for (region, name), found in sorted(slots.items()):
        for severity, (minutes, position) in _by_severity(found).items():
            figures.targets.setdefault(region, {}).setdefault(severity, {})[name] = minutes
            figures.used.add(position)
    for part_class in PART_CLASSES:
        best = _best(parts.get(part_class, [])) or _best(parts_general)
        if best is not None:
            figures.parts[part_class] = best[0]
            figures.used.add(best[1])
    for kind_name, attribute in (("warranty", "warranty_months"), ("trial_period", "trial_months"),
                                 ("return_window", "return_days")):
        best = _best(periods.get(kind_name, []), longest=True)
        if best is not None:
            setattr(figures, attribute, best[0])
            figures.used.add(best[1])
    most_frequent = _best(visits)
    if most_frequent is not None:
        figures.return_visit_months = min(most_frequent[0], 12)
        figures.used.add(most_frequent[1])
    return figures


def reviewed_from(rows: Iterable[Any]) -> list[Reviewed]:
    """Reviewed values from CommitmentItem rows (or anything with the same attributes)."""
    return [
        Reviewed(position=row.position, kind=row.kind, severity=row.severity,
                 regions=tuple(row.regions or ()), value=row.value, is_included=row.is_included,
                 conditions=dict(row.conditions or {}))
        for row in rows
    ]
