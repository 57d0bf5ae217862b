"""Turn a written after-sales commitment document (售后服务承诺) into a draft of policies.

Rule-based and deterministic: the text is split into sentences and clauses, every time
quantity is found (`numerals.find_quantities`), and each is given a kind by the nearest
keyword in its clause — after it first in Chinese ("4小时内赶赴现场"), before it first in
English ("on site within 4 hours"). Conditions (region, fault class, contract, warranty
status, ...) come from the clause, or from an earlier clause of the same sentence
("京津地区2小时到场，其他地区48小时": the second clause inherits "到场" and sets its own region).

Every item keeps the span it came from (`text[span.start:span.end] == span.text`) and the
name of the rule that matched. A promise the rules recognise but cannot map — a figure
without a known kind, a combined period, "尽快" without a figure — goes to `Draft.unmapped`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from fractions import Fraction
from math import ceil

from aftersales.commitments.numerals import Quantity, Unit, find_quantities, parse_number


class Kind(StrEnum):
    FIRST_RESPONSE = "first_response"
    PHONE_RESPONSE = "phone_response"
    REPLY = "reply"
    ON_SITE = "on_site"
    RESOLUTION = "resolution"
    RESTORATION = "restoration"
    NEGOTIATED_RESOLUTION = "negotiated_resolution"
    PARTS_DELIVERY = "parts_delivery"
    SUBSTITUTE_UNIT = "substitute_unit"
    WARRANTY = "warranty"
    TRIAL_PERIOD = "trial_period"
    RETURN_WINDOW = "return_window"
    RETURN_VISIT_FREQUENCY = "return_visit_frequency"
    INSPECTION_FREQUENCY = "inspection_frequency"
    SURVEY = "survey"
    TRAINING = "training"
    SERVICE_HOURS_24X7 = "service_hours_24x7"
    LIFETIME_SUPPORT = "lifetime_support"


class ValueUnit(StrEnum):
    MINUTES = "minutes"
    DAYS = "days"
    MONTHS = "months"


class TimeBasis(StrEnum):
    NATURAL = "natural"
    WORKING = "working"


class StartEvent(StrEnum):
    PURCHASE = "purchase"
    DELIVERY = "delivery"
    INSTALLATION = "installation"
    INITIAL_ACCEPTANCE = "initial_acceptance"
    FINAL_ACCEPTANCE = "final_acceptance"
    COMPLETION_ACCEPTANCE = "completion_acceptance"
    ACCEPTANCE = "acceptance"


# Kinds whose value is a length of time to meet a target, in minutes.
DURATION_KINDS = frozenset(
    {
        Kind.FIRST_RESPONSE,
        Kind.PHONE_RESPONSE,
        Kind.REPLY,
        Kind.ON_SITE,
        Kind.RESOLUTION,
        Kind.RESTORATION,
        Kind.NEGOTIATED_RESOLUTION,
        Kind.PARTS_DELIVERY,
        Kind.SUBSTITUTE_UNIT,
    }
)
PERIOD_KINDS = frozenset({Kind.WARRANTY, Kind.TRIAL_PERIOD})
FREQUENCY_KINDS = frozenset(
    {
        Kind.RETURN_VISIT_FREQUENCY,
        Kind.INSPECTION_FREQUENCY,
        Kind.SURVEY,
        Kind.TRAINING,
    }
)
OTHER_REGION = "其他地区"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, object]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True)
class Conditions:
    """When an item applies. None means "not stated"."""

    region: str | None = None  # as written ("京津地区", "省内", "市区"), or OTHER_REGION
    fault_class: str | None = None  # general, severe, major, urgent
    contract: str | None = None  # with_maintenance_contract, without_maintenance_contract
    warranty_status: str | None = None  # in_warranty, out_of_warranty, after_defect_liability
    scope: str | None = None  # whole_unit, part (warranty only)
    part_class: str | None = None  # regular, non_regular (parts delivery only)
    charge: str | None = None  # free, preferential, original_price, paid

    def to_dict(self) -> dict[str, str]:
        return {name: value for name, value in self.__dict__.items() if value is not None}


@dataclass(frozen=True)
class Item:
    """One figure (or figure-less promise) of the draft.

    `value` is in `value_unit`: minutes for targets, months (or days) for warranty and trial
    periods, days for return windows; for frequencies the interval between two occurrences.
    `amount`/`written_unit` keep the figure as written, so "半个工作日" stays 1/2 working day.
    """

    kind: Kind
    value: int | None
    value_unit: ValueUnit | None
    basis: TimeBasis
    conditions: Conditions
    start_event: StartEvent | None
    subject: str | None
    span: Span
    figure: Span | None
    sentence: Span
    rule: str
    amount: Fraction | None = None
    written_unit: Unit | None = None
    lower_value: int | None = None  # lower bound when a range was written ("2-4小时")

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "value": self.value,
            "value_unit": self.value_unit.value if self.value_unit else None,
            "basis": self.basis.value,
            "conditions": self.conditions.to_dict(),
            "start_event": self.start_event.value if self.start_event else None,
            "subject": self.subject,
            "span": self.span.to_dict(),
            "figure": self.figure.to_dict() if self.figure else None,
            "sentence": self.sentence.to_dict(),
            "rule": self.rule,
            "amount": str(self.amount) if self.amount is not None else None,
            "written_unit": self.written_unit.value if self.written_unit else None,
            "lower_value": self.lower_value,
        }


@dataclass(frozen=True)
class Unmapped:
    """Something that reads as a promise but that no rule maps to a policy."""

    reason: str  # unclassified_figure, combined_period, negated_figure, no_figure
    span: Span
    sentence: Span
    rule: str

    def to_dict(self) -> dict[str, object]:
        return {
            "reason": self.reason,
            "span": self.span.to_dict(),
            "sentence": self.sentence.to_dict(),
            "rule": self.rule,
        }


@dataclass(frozen=True)
class Draft:
    items: tuple[Item, ...]
    unmapped: tuple[Unmapped, ...]
    sentences: tuple[Span, ...] = field(repr=False)

    def of_kind(self, kind: Kind) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.kind is kind)

    def to_dict(self) -> dict[str, object]:
        return {
            "items": [item.to_dict() for item in self.items],
            "unmapped": [unmapped.to_dict() for unmapped in self.unmapped],
            "sentence_count": len(self.sentences),
        }


# ---------------------------------------------------------------------------------------
# Sentences and clauses

_SENTENCE_END = set("。；！？!?;\n\r")
_LIST_MARKER_RE = re.compile(
    r"(?<![0-9０-９.．〇零一二两三四五六七八九十百千万])"
    r"(?:[0-9]{1,2}|[一二三四五六七八九十]{1,3})[、](?!\s*$)"
)
_DOTTED_LIST_MARKER_RE = re.compile(r"(?<![0-9.\w])[0-9]{1,2}\.(?=\s|[^\x00-\x7f])")
_OPENING = "(（[【"
_CLOSING = ")）]】"
_CLAUSE_SEPARATORS = set(",，:：、")


def split_sentences(text: str) -> list[Span]:
    """Sentences with their offsets: split after 。；！？!?; and line breaks, after an English
    full stop that ends a sentence (not a decimal point), and before list markers ("1、",
    "二、", "1. ")."""
    cuts = {0, len(text)}
    for index, char in enumerate(text):
        if char in _SENTENCE_END:
            cuts.add(index + 1)
        elif char == "." and (index + 1 == len(text) or text[index + 1].isspace()):
            if not (index > 0 and text[index - 1].isdigit()):
                cuts.add(index + 1)
    for pattern in (_LIST_MARKER_RE, _DOTTED_LIST_MARKER_RE):
        for match in pattern.finditer(text):
            cuts.add(match.start())
    ordered = sorted(cuts)
    sentences = []
    for start, end in zip(ordered, ordered[1:], strict=False):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            sentences.append(Span(start, end, text[start:end]))
    return sentences


def _clauses(sentence: str) -> list[tuple[int, int]]:
    """(start, end) of each clause, splitting at commas, colons and 、 outside brackets."""
    for respect_brackets in (True, False):
        bounds: list[tuple[int, int]] = []
        depth = 0
        start = 0
        for index, char in enumerate(sentence):
            if char in _OPENING:
                depth += 1
            elif char in _CLOSING:
                depth = max(0, depth - 1)
            elif char in _CLAUSE_SEPARATORS and (depth == 0 or not respect_brackets):
                bounds.append((start, index))
                start = index + 1
        bounds.append((start, len(sentence)))
        if depth == 0 or not respect_brackets:
            return bounds
    raise AssertionError("unreachable")  # pragma: no cover


def _mask_brackets(sentence: str) -> str:
    """The sentence with bracketed asides blanked out, offsets unchanged, so that keywords
    inside "(保修期是指...维修费用...)" do not classify the figure after it."""
    chars = list(sentence)
    depth = 0
    for index, char in enumerate(sentence):
        if char in _OPENING:
            depth += 1
            chars[index] = " "
        elif char in _CLOSING and depth:
            depth -= 1
            chars[index] = " "
        elif depth:
            chars[index] = " "
    if depth:
        return sentence  # unbalanced: mask nothing rather than everything
    return "".join(chars)


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in text)


# ---------------------------------------------------------------------------------------
# Keywords


@dataclass(frozen=True)
class _Keyword:
    pattern: str
    kind: Kind


# Order matters where alternatives start at the same place: longer and more specific first.
_ZH_KEYWORDS = [
    _Keyword(r"(?:无法|不能|未能)(?:完成)?(?:解决|修复|维修|排除)", Kind.NEGOTIATED_RESOLUTION),
    _Keyword(r"电话(?:响应|回复|回应|答复|支持|指导)", Kind.PHONE_RESPONSE),
    # "保修期内" and "试用期满后" say when something else applies: conditions, not periods.
    _Keyword(r"(?:试用期|试运行期|试运行)(?!期?[内外间满后中])", Kind.TRIAL_PERIOD),
    _Keyword(
        r"(?:保修期|保修|质保期|质保|质量保证期|质量保证|保证期|包修期|保固期)"
        r"(?!期?[内外间满后中])",
        Kind.WARRANTY,
    ),
    _Keyword(r"退换货|退货|换货|退款|无理由退", Kind.RETURN_WINDOW),
    _Keyword(r"备品备件|零备件|零配件|备件|配件|备品", Kind.PARTS_DELIVERY),
    _Keyword(r"替代设备|替代品|替代机|备用机|备用设备|备机|周转机", Kind.SUBSTITUTE_UNIT),
    _Keyword(r"(?:到达|赶赴|抵达|赶到|到)(?:故障)?现场|到场|上门|现场", Kind.ON_SITE),
    _Keyword(r"恢复", Kind.RESTORATION),
    _Keyword(r"解决|修复|排除故障|排除|排故|处理完毕|修好", Kind.RESOLUTION),
    _Keyword(r"回复|答复|回应|回电", Kind.REPLY),
    _Keyword(r"响应", Kind.FIRST_RESPONSE),
]
_EN_KEYWORDS = [
    _Keyword(
        r"(?:cannot|can't|can not|could not|not)\s+(?:be\s+)?(?:resolved|fixed|repaired)",
        Kind.NEGOTIATED_RESOLUTION,
    ),
    _Keyword(
        r"(?:phone|telephone)\s+(?:response|support)|by\s+(?:phone|telephone)|call\s+back",
        Kind.PHONE_RESPONSE,
    ),
    _Keyword(r"trial(?:\s+(?:period|operation))?", Kind.TRIAL_PERIOD),
    _Keyword(r"warranty|guarantee\s+period", Kind.WARRANTY),
    _Keyword(r"returns?|refunds?|exchanges?", Kind.RETURN_WINDOW),
    _Keyword(r"spare\s+parts?|parts?", Kind.PARTS_DELIVERY),
    _Keyword(r"substitute|loaner|replacement\s+unit|spare\s+unit", Kind.SUBSTITUTE_UNIT),
    _Keyword(r"on[\s-]?site|arrive|at\s+the\s+site", Kind.ON_SITE),
    _Keyword(r"restor\w*|back\s+in\s+(?:service|operation)", Kind.RESTORATION),
    _Keyword(r"resolv\w*|fix\w*|repair\w*|solv\w*", Kind.RESOLUTION),
    _Keyword(r"repl(?:y|ies|ied)|answer\w*|written\s+response", Kind.REPLY),
    _Keyword(r"respon(?:d|ds|se|ses)|acknowledg\w*", Kind.FIRST_RESPONSE),
]


def _keyword_regex(keywords: Sequence[_Keyword], flags: int, boundary: str) -> re.Pattern[str]:
    return re.compile(
        "|".join(
            f"(?P<k{index}>{boundary}(?:{keyword.pattern}))"
            for index, keyword in enumerate(keywords)
        ),
        flags,
    )


_ZH_KEYWORD_RE = _keyword_regex(_ZH_KEYWORDS, 0, "")
_EN_KEYWORD_RE = _keyword_regex(_EN_KEYWORDS, re.IGNORECASE, r"\b")


@dataclass(frozen=True)
class _Hit:
    start: int  # offsets within the sentence
    end: int
    kind: Kind
    text: str


def _keyword_hits(masked: str, start: int, end: int, english: bool) -> list[_Hit]:
    regex = _EN_KEYWORD_RE if english else _ZH_KEYWORD_RE
    keywords = _EN_KEYWORDS if english else _ZH_KEYWORDS
    hits = []
    for match in regex.finditer(masked, start, end):
        assert match.lastgroup is not None  # noqa: S101 - every alternative is a named group
        kind = keywords[int(match.lastgroup[1:])].kind
        hits.append(_Hit(match.start(), match.end(), kind, match[0]))
    return hits


# Conditions: (regex, field, value); value None keeps the text as written (regions).
_ZH_CONDITIONS: list[tuple[str, str, str | None]] = [
    (r"保修期内外|质保期内外|保修期内、外", "warranty_status", ""),
    (
        r"保修期(?:满后|后|外|以外)|质保期(?:满后|后|外|以外)|过保|出保",
        "warranty_status",
        "out_of_warranty",
    ),
    (r"缺陷责任期(?:满)?后", "warranty_status", "after_defect_liability"),
    (r"保修期内|保修期间|质保期内|质保期间|保修范围内|在保", "warranty_status", "in_warranty"),
    (
        r"(?:无|没有|未签订?|不签订?|非)(?:维保|维护|维修|保修|服务|运维)(?:合同|协议)"
        r"|非合同(?:客户|用户)",
        "contract",
        "without_maintenance_contract",
    ),
    (
        r"(?:有|签订了?|签了|已签订?)(?:维保|维护|维修|保修|服务|运维)(?:合同|协议)"
        r"|(?:维保|维护)(?:合同)?(?:客户|用户)|合同(?:客户|用户)",
        "contract",
        "with_maintenance_contract",
    ),
    (r"一般性?(?:故障|问题)|普通(?:故障|问题)|轻微(?:故障|问题)", "fault_class", "general"),
    (r"严重(?:故障|问题)", "fault_class", "severe"),
    (r"重大(?:故障|问题)", "fault_class", "major"),
    (r"紧急(?:故障|问题|情况)", "fault_class", "urgent"),
    (r"非常规", "part_class", "non_regular"),
    (r"常规", "part_class", "regular"),
    (r"整机", "scope", "whole_unit"),
    (r"主要部件|零部件|部件|配件", "scope", "part"),
    (r"免费|无偿", "charge", "free"),
    (r"优惠", "charge", "preferential"),
    (r"原价|成本价", "charge", "original_price"),
    (r"收费|有偿|收取", "charge", "paid"),
    (r"(?:其他|其它|其余|以外)(?:地区|区域|城市)|外地|其他省份", "region", OTHER_REGION),
    (
        r"省内|省外|市内|市外|市区|郊区|郊县|城区|主城区|本市|本省|外省|偏远地区|边远地区",
        "region",
        None,
    ),
    (r"[\u4e00-\u9fff]{1,5}(?:地区|区域)", "region", None),
]
_EN_CONDITIONS: list[tuple[str, str, str | None]] = [
    (
        r"out\s+of\s+warranty|after\s+the\s+warranty(?:\s+period)?(?:\s+expires)?",
        "warranty_status",
        "out_of_warranty",
    ),
    (
        r"(?:in|within|under|during\s+the)\s+warranty(?:\s+period)?",
        "warranty_status",
        "in_warranty",
    ),
    (
        r"without\s+(?:a\s+)?(?:maintenance|service)\s+contract",
        "contract",
        "without_maintenance_contract",
    ),
    (
        r"with\s+(?:a\s+)?(?:maintenance|service)\s+contract|contract\s+customers?",
        "contract",
        "with_maintenance_contract",
    ),
    (r"(?:general|minor|ordinary)\s+(?:faults?|problems?|issues?)", "fault_class", "general"),
    (r"(?:severe|critical)\s+(?:faults?|problems?|issues?)", "fault_class", "severe"),
    (r"major\s+(?:faults?|problems?|issues?)", "fault_class", "major"),
    (
        r"(?:urgent|emergency)\s+(?:faults?|problems?|issues?|cases?)|emergenc(?:y|ies)",
        "fault_class",
        "urgent",
    ),
    (r"non[\s-]regular", "part_class", "non_regular"),
    (r"regular", "part_class", "regular"),
    (r"whole\s+units?|complete\s+units?", "scope", "whole_unit"),
    (r"free\s+of\s+charge|\bfree\b", "charge", "free"),
    (r"preferential|discount\w*", "charge", "preferential"),
    (r"other\s+(?:regions|areas|cities)|elsewhere", "region", OTHER_REGION),
    (r"urban\s+areas?|within\s+the\s+province|outside\s+the\s+province", "region", None),
]
_CONDITION_RES = [(re.compile(pattern), name, value) for pattern, name, value in _ZH_CONDITIONS]
_CONDITION_RES += [
    (re.compile(pattern, re.IGNORECASE), name, value) for pattern, name, value in _EN_CONDITIONS
]
_REGION_PREFIX_STOP = re.compile(r".*[在于对的为凡和及与或、是向到从]")
_CARRIED_CONDITIONS = (
    "region",
    "fault_class",
    "contract",
    "warranty_status",
    "part_class",
    "scope",
)


def _clause_conditions(masked: str, start: int, end: int) -> dict[str, str]:
    """Conditions written in one clause; the first mention of each field wins."""
    found: dict[str, str] = {}
    taken: list[tuple[int, int]] = []
    for regex, name, value in _CONDITION_RES:
        for match in regex.finditer(masked, start, end):
            if any(match.start() < t_end and t_start < match.end() for t_start, t_end in taken):
                continue
            taken.append((match.start(), match.end()))
            if name in found:
                continue
            if value is None:
                written = _REGION_PREFIX_STOP.sub("", match[0])
                if len(written) < 3 and written.endswith(("地区", "区域")):
                    continue  # "该地区", bare "地区": no name
                found[name] = written
            else:
                found[name] = value
    return found


_KIND_CONDITIONS: dict[Kind, frozenset[str]] = {
    Kind.WARRANTY: frozenset({"region", "contract", "scope", "charge"}),
    Kind.TRIAL_PERIOD: frozenset({"region", "contract", "scope", "charge"}),
    Kind.PARTS_DELIVERY: frozenset(
        {"region", "fault_class", "contract", "warranty_status", "part_class", "charge"}
    ),
}
_DEFAULT_CONDITIONS = frozenset({"region", "fault_class", "contract", "warranty_status", "charge"})


def _conditions_for(kind: Kind, values: dict[str, str]) -> Conditions:
    allowed = _KIND_CONDITIONS.get(kind, _DEFAULT_CONDITIONS)
    kept = {name: value for name, value in values.items() if name in allowed and value}
    return Conditions(**kept)


# Start events, most specific first.
_START_EVENTS: list[tuple[str, StartEvent]] = [
    (r"初验|初步验收|initial\s+acceptance", StartEvent.INITIAL_ACCEPTANCE),
    (r"终验|最终验收|final\s+acceptance", StartEvent.FINAL_ACCEPTANCE),
    (r"竣工验收|交工验收|completion\s+acceptance|completion", StartEvent.COMPLETION_ACCEPTANCE),
    (r"购买|购机|发票|售出|purchase", StartEvent.PURCHASE),
    (r"签收|到货|交付|交货|收货|delivery", StartEvent.DELIVERY),
    (r"安装|installation", StartEvent.INSTALLATION),
    (r"验收|acceptance", StartEvent.ACCEPTANCE),
]
_START_EVENT_RE = re.compile(
    "|".join(f"(?P<e{index}>{pattern})" for index, (pattern, _) in enumerate(_START_EVENTS)),
    re.IGNORECASE,
)
_START_ANCHOR_RE = re.compile(r"开始|起算|之日起|日起|起|from|starting|commenc", re.IGNORECASE)


def _start_events(masked: str, start: int, end: int) -> list[tuple[int, StartEvent]]:
    events = []
    for match in _START_EVENT_RE.finditer(masked, start, end):
        assert match.lastgroup is not None  # noqa: S101 - every alternative is a named group
        events.append((match.start(), _START_EVENTS[int(match.lastgroup[1:])][1]))
    return events


# 24x7 service, frequencies, lifetime support, and promise markers.
_ALWAYS_ON_RE = re.compile(
    r"7\s*[×xX*＊]\s*24\s*(?:小时|h\b|hours?)?|24\s*[×xX*＊]\s*7|24\s*/\s*7"
    r"|(?:24|二十四)小时(?:全天候|在线|值班|热线|服务热线|不间断|全天)"
    r"|365\s*天(?:全天候|24小时)?|全天候|全年无休|一年365天"
    r"|24\s+hours\s+a\s+day(?:,?\s+7\s+days\s+a\s+week)?|round[\s-]the[\s-]clock"
    r"|around[\s-]the[\s-]clock",
    re.IGNORECASE,
)
_NUM = r"[0-9０-９]+|[一二两三四五六七八九十]+"
_ZH_FREQUENCY_RE = re.compile(
    rf"每(?P<count>{_NUM})?\s*(?:个)?(?P<unit>半年|季度|季|天|日|周|星期|月|年)"
    rf"(?:(?:至少|不少于)?(?P<times>{_NUM})次)?"
    rf"|(?P<unit2>一年|一月|一季度|每年|每月|每季度)(?P<times2>{_NUM})次"
)
_EN_FREQUENCY_RE = re.compile(
    r"every\s+(?P<count>\d+|two|three|four|six|twelve)?\s*(?P<unit>days?|weeks?|months?|"
    r"quarters?|years?)|(?P<adverb>daily|weekly|monthly|quarterly|annually|yearly)"
    r"|(?P<times>once|twice|\d+\s+times)\s+(?:a|per|every)\s+(?P<unit2>day|week|month|"
    r"quarter|year)",
    re.IGNORECASE,
)
_FREQUENCY_UNITS: dict[str, tuple[int, ValueUnit]] = {
    "天": (1, ValueUnit.DAYS),
    "日": (1, ValueUnit.DAYS),
    "周": (7, ValueUnit.DAYS),
    "星期": (7, ValueUnit.DAYS),
    "月": (1, ValueUnit.MONTHS),
    "季": (3, ValueUnit.MONTHS),
    "季度": (3, ValueUnit.MONTHS),
    "半年": (6, ValueUnit.MONTHS),
    "年": (12, ValueUnit.MONTHS),
    "day": (1, ValueUnit.DAYS),
    "week": (7, ValueUnit.DAYS),
    "month": (1, ValueUnit.MONTHS),
    "quarter": (3, ValueUnit.MONTHS),
    "year": (12, ValueUnit.MONTHS),
    "daily": (1, ValueUnit.DAYS),
    "weekly": (7, ValueUnit.DAYS),
    "monthly": (1, ValueUnit.MONTHS),
    "quarterly": (3, ValueUnit.MONTHS),
    "annually": (12, ValueUnit.MONTHS),
    "yearly": (12, ValueUnit.MONTHS),
}
_FREQUENCY_KEYWORDS: list[tuple[re.Pattern[str], Kind]] = [
    (
        re.compile(
            r"回访|follow[\s-]up\s+visits?|return\s+visits?|customer\s+visits?", re.IGNORECASE
        ),
        Kind.RETURN_VISIT_FREQUENCY,
    ),
    (
        re.compile(r"巡检|巡查|巡视|inspections?|inspect|preventive\s+maintenance", re.IGNORECASE),
        Kind.INSPECTION_FREQUENCY,
    ),
    (
        re.compile(r"满意度调查|跟踪调查|回访调查|调查问卷|问卷调查|surveys?", re.IGNORECASE),
        Kind.SURVEY,
    ),
    (re.compile(r"培训|training", re.IGNORECASE), Kind.TRAINING),
]
_TIMES_AFTER_RE = re.compile(rf"\s*(?:至少|不少于)?(?P<times>{_NUM})次")
_PERIODIC_RE = re.compile(r"定期|周期性|regular(?:ly)?|periodic(?:ally)?", re.IGNORECASE)
_TRAINING_OFFER_RE = re.compile(
    r"提供|免费|负责|为客户|为用户|为业主|provide|offer|free", re.IGNORECASE
)
_LIFETIME_RE = re.compile(r"终身|终生|lifetime|for\s+life", re.IGNORECASE)
_LIFETIME_SUBJECTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"技术咨询|咨询|consult\w*|advice", re.IGNORECASE), "technical_consultation"),
    (re.compile(r"备品备件|备件|配件|spare\s+parts?|parts?", re.IGNORECASE), "spare_parts"),
    (re.compile(r"维护|维修|保修|保养|maintenance|repairs?", re.IGNORECASE), "maintenance"),
    (re.compile(r"支持|服务|support|service", re.IGNORECASE), "support"),
]
_PROMISE_RE = re.compile(
    r"承诺|保证|确保|提供|负责|将|会|力争|争取|we\s+will|we'll|will\s+be|guarantee\w*|"
    r"commit\w*|promise\w*|ensure\w*|within",
    re.IGNORECASE,
)
_VAGUE_TIME_RE = re.compile(
    r"第一时间|最短的?时间|立即|马上|尽快|尽早|规定的?时间|要求的?时间"
    r"|as\s+soon\s+as\s+possible|immediately|promptly|without\s+delay",
    re.IGNORECASE,
)
_COMBINED_RE = re.compile(r"(?:共|合计|总共|累计|in\s+total|combined)\s*$", re.IGNORECASE)


# ---------------------------------------------------------------------------------------
# Values


def _whole(amount: Fraction) -> int:
    """Round a target up to a whole unit: a promise of 1.5 minutes is kept by 2, not 1."""
    return ceil(amount)


def _value_of(kind: Kind, quantity: Quantity) -> tuple[int, ValueUnit, int | None]:
    lower = replace(quantity, amount=quantity.lower) if quantity.lower is not None else None
    if kind in PERIOD_KINDS or kind is Kind.LIFETIME_SUPPORT:
        if quantity.is_month_based:
            return (
                _whole(quantity.months()),
                ValueUnit.MONTHS,
                _whole(lower.months()) if lower else None,
            )
        return (_whole(quantity.days()), ValueUnit.DAYS, _whole(lower.days()) if lower else None)
    if kind is Kind.RETURN_WINDOW:
        return (_whole(quantity.days()), ValueUnit.DAYS, _whole(lower.days()) if lower else None)
    if quantity.is_month_based:
        raise ValueError(f"{quantity.text!r} is too long for a {kind.value} target")
    return (
        _whole(quantity.minutes()),
        ValueUnit.MINUTES,
        _whole(lower.minutes()) if lower else None,
    )


def _frequency_value(
    match: re.Match[str], times_after: int | None = None
) -> tuple[int, ValueUnit] | None:
    groups = match.groupdict()
    unit_text = groups.get("unit") or groups.get("unit2") or groups.get("adverb") or ""
    unit_text = unit_text.lower().removeprefix("每").removeprefix("一")
    if unit_text.endswith("s") and unit_text[:-1] in _FREQUENCY_UNITS:
        unit_text = unit_text[:-1]
    if unit_text not in _FREQUENCY_UNITS:
        return None
    size, value_unit = _FREQUENCY_UNITS[unit_text]
    try:
        count = _frequency_number(groups.get("count")) or 1
        times = _frequency_number(groups.get("times") or groups.get("times2")) or times_after or 1
    except ValueError:
        return None
    interval = Fraction(size * count, times)
    if value_unit is ValueUnit.MONTHS and interval.denominator != 1:
        interval, value_unit = interval * 30, ValueUnit.DAYS  # "每月两次" = every 15 days
    return _whole(interval), value_unit


def _frequency_number(text: str | None) -> int | None:
    if not text:
        return None
    lowered = text.lower().strip()
    words = {"once": 1, "twice": 2, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12}
    if lowered in words:
        return words[lowered]
    lowered = lowered.removesuffix("times").strip()
    return int(parse_number(lowered))


# ---------------------------------------------------------------------------------------
# The parser


@dataclass
class _SentenceParse:
    """Work area for one sentence; offsets are within the sentence until `_span` adds base."""

    source: Span
    masked: str
    clauses: list[tuple[int, int]]
    items: list[Item] = field(default_factory=list)
    unmapped: list[Unmapped] = field(default_factory=list)
    consumed: list[tuple[int, int]] = field(default_factory=list)
    previous_kind: Kind | None = None  # kind of the last target, for elliptic clauses

    def span(self, start: int, end: int) -> Span:
        base = self.source.start
        return Span(base + start, base + end, self.source.text[start:end])

    def clause_of(self, position: int) -> int:
        for index, (start, end) in enumerate(self.clauses):
            if start <= position < end or (position == end and index == len(self.clauses) - 1):
                return index
        return len(self.clauses) - 1

    def is_consumed(self, start: int, end: int) -> bool:
        return any(start < c_end and c_start < end for c_start, c_end in self.consumed)

    def has_promise(self) -> bool:
        return _PROMISE_RE.search(self.masked) is not None


def parse_commitments(text: str) -> Draft:
    """The draft of policies that a commitment document implies.

    Deterministic: the same text gives the same draft. Every item and unmapped promise
    carries a span with `text[span.start:span.end] == span.text`.
    """
    sentences = split_sentences(text)
    items: list[Item] = []
    unmapped: list[Unmapped] = []
    carried_kind: Kind | None = None
    for sentence in sentences:
        work = _SentenceParse(
            source=sentence,
            masked=_mask_brackets(sentence.text),
            clauses=_clauses(sentence.text),
            previous_kind=carried_kind,
        )
        _parse_sentence(work)
        items.extend(_deduplicated(work.items))
        unmapped.extend(work.unmapped)
        # Parallel targets separated by a semicolon share their kind ("一般故障24小时内解决；
        # 严重故障4小时内"); a full stop ends that.
        carried_kind = work.previous_kind if sentence.text[-1] in "；;" else None
    return Draft(items=tuple(items), unmapped=tuple(unmapped), sentences=tuple(sentences))


def _deduplicated(items: Iterable[Item]) -> Iterator[Item]:
    seen: set[tuple[object, ...]] = set()
    for item in items:
        key = (item.kind, item.value, item.conditions, item.subject, item.start_event)
        if key in seen:
            continue
        seen.add(key)
        yield item


def _parse_sentence(work: _SentenceParse) -> None:
    conditions = _effective_conditions(work)
    _find_always_on(work)
    _find_frequencies(work, conditions)
    _find_lifetime(work, conditions)
    _find_durations(work, conditions)
    _find_figureless(work, conditions)
    _find_vague(work)


def _effective_conditions(work: _SentenceParse) -> list[dict[str, str]]:
    """Per clause: its own conditions over those carried from earlier clauses (except charge,
    which belongs to its own clause only)."""
    result: list[dict[str, str]] = []
    carried: dict[str, str] = {}
    for start, end in work.clauses:
        own = _clause_conditions(work.masked, start, end)
        effective = {**carried, **own}
        carried = {name: value for name, value in effective.items() if name in _CARRIED_CONDITIONS}
        result.append(effective)
    return result


def _find_always_on(work: _SentenceParse) -> None:
    matches = list(_ALWAYS_ON_RE.finditer(work.masked))
    if not matches:
        return
    for match in matches:
        work.consumed.append((match.start(), match.end()))
    first = matches[0]
    work.items.append(
        Item(
            kind=Kind.SERVICE_HOURS_24X7,
            value=None,
            value_unit=None,
            basis=TimeBasis.NATURAL,
            conditions=Conditions(),
            start_event=None,
            subject=None,
            span=work.span(first.start(), first.end()),
            figure=None,
            sentence=work.source,
            rule=f"24x7: {first[0]}",
        )
    )


def _find_frequencies(work: _SentenceParse, conditions: list[dict[str, str]]) -> None:
    for regex in (_ZH_FREQUENCY_RE, _EN_FREQUENCY_RE):
        for match in regex.finditer(work.masked):
            if work.is_consumed(match.start(), match.end()):
                continue
            frequency = _frequency_value(match)
            if frequency is None:
                continue
            clause_index = work.clause_of(match.start())
            clause_start, clause_end = work.clauses[clause_index]
            hit = _nearest_frequency_keyword(work.masked, clause_start, clause_end, match.start())
            if hit is None:
                continue  # "每年" alone is no promise; a figure inside is looked at later
            kind, keyword_start, keyword_end = hit
            work.consumed.append((match.start(), match.end()))
            value, value_unit = frequency
            start, end = min(match.start(), keyword_start), max(match.end(), keyword_end)
            times = (
                None
                if match.groupdict().get("times")
                else _TIMES_AFTER_RE.match(work.masked, end, min(clause_end, end + 8))
            )
            if times is not None:
                # "每年巡检两次": the count follows the activity.
                frequency = _frequency_value(match, int(parse_number(times["times"])))
                if frequency is not None:
                    value, value_unit = frequency
                end = times.end()
            work.items.append(
                Item(
                    kind=kind,
                    value=value,
                    value_unit=value_unit,
                    basis=TimeBasis.NATURAL,
                    conditions=_conditions_for(kind, conditions[clause_index]),
                    start_event=None,
                    subject=None,
                    span=work.span(start, end),
                    figure=work.span(match.start(), match.end()),
                    sentence=work.source,
                    rule=f"frequency: {match[0]} + {work.masked[keyword_start:keyword_end]}",
                )
            )


def _nearest_frequency_keyword(
    masked: str, start: int, end: int, position: int
) -> tuple[Kind, int, int] | None:
    best: tuple[int, Kind, int, int] | None = None
    for regex, kind in _FREQUENCY_KEYWORDS:
        for match in regex.finditer(masked, start, end):
            distance = abs(match.start() - position)
            if best is None or distance < best[0]:
                best = (distance, kind, match.start(), match.end())
    return None if best is None else best[1:]


def _find_lifetime(work: _SentenceParse, conditions: list[dict[str, str]]) -> None:
    for match in _LIFETIME_RE.finditer(work.masked):
        clause_index = work.clause_of(match.start())
        clause_start, clause_end = work.clauses[clause_index]
        subject, end = None, match.end()
        window_end = min(clause_end, match.end() + 20)
        best_start = window_end + 1
        for regex, name in _LIFETIME_SUBJECTS:
            found = regex.search(work.masked, match.end(), window_end)
            if found and found.start() < best_start:
                subject, end, best_start = name, found.end(), found.start()
        if subject is None:
            continue  # "终身" without what is given for life: not a support promise
        start = match.start()
        values = conditions[clause_index]
        charge = _CHARGE_RE.search(work.masked, clause_start, clause_end)
        if charge:
            start, end = min(start, charge.start()), max(end, charge.end())
        work.consumed.append((match.start(), end))
        work.items.append(
            Item(
                kind=Kind.LIFETIME_SUPPORT,
                value=None,
                value_unit=None,
                basis=TimeBasis.NATURAL,
                conditions=_conditions_for(Kind.LIFETIME_SUPPORT, values),
                start_event=None,
                subject=subject,
                span=work.span(start, end),
                figure=None,
                sentence=work.source,
                rule=f"lifetime: {match[0]} + {subject}",
            )
        )


_CHARGE_RE = re.compile(
    r"(?:以|按)?(?:优惠|原价|成本价)(?:的)?(?:价格)?|免费|无偿|收取\w{0,4}费"
    r"|free(?:\s+of\s+charge)?|preferential\s+prices?|at\s+cost",
    re.IGNORECASE,
)


_CONNECTIVE_RE = re.compile(r"\band\b|\bwhile\b|\bbut\b|[,，、;；]|而|和|及", re.IGNORECASE)


def _segment_boundary(masked: str, gap_start: int, gap_end: int, english: bool) -> int:
    """Where the text between two figures stops belonging to the first: at the first
    connective, else all of it goes to the figure that conditions usually stick to — the
    next in Chinese ("京津地区2小时到场其他地区48小时"), the previous in English ("within 4
    hours in urban areas")."""
    connective = _CONNECTIVE_RE.search(masked, gap_start, gap_end)
    if connective is not None:
        return connective.start()
    return gap_end if english else gap_start


def _find_durations(work: _SentenceParse, conditions: list[dict[str, str]]) -> None:
    quantities = [
        quantity
        for quantity in find_quantities(work.masked)
        if not work.is_consumed(quantity.start, quantity.end)
    ]
    clause_indexes = [work.clause_of(quantity.start) for quantity in quantities]
    for index, quantity in enumerate(quantities):
        clause_index = clause_indexes[index]
        clause_start, clause_end = work.clauses[clause_index]
        english = not _is_cjk(work.masked[clause_start:clause_end])
        has_previous = index > 0 and clause_indexes[index - 1] == clause_index
        has_next = index + 1 < len(quantities) and clause_indexes[index + 1] == clause_index
        before_start = quantities[index - 1].end if has_previous else clause_start
        after_end = quantities[index + 1].start if has_next else clause_end
        segment_start = (
            _segment_boundary(work.masked, before_start, quantity.start, english)
            if has_previous
            else clause_start
        )
        segment_end = (
            _segment_boundary(work.masked, quantity.end, after_end, english)
            if has_next
            else clause_end
        )
        own = _clause_conditions(work.masked, segment_start, segment_end)
        if _COMBINED_RE.search(work.masked, before_start, quantity.start):
            work.unmapped.append(
                Unmapped(
                    reason="combined_period",
                    span=work.span(before_start, quantity.end),
                    sentence=work.source,
                    rule="combined: 共 + figure",
                )
            )
            continue
        hit, direction = _classify(work.masked, before_start, quantity, after_end, english)
        if hit is None:
            if work.previous_kind is not None and own:
                kind, span_start, span_end = work.previous_kind, quantity.start, quantity.end
                rule_name = f"ellipsis: {kind.value} with its own condition"
            else:
                if work.has_promise():
                    work.unmapped.append(
                        Unmapped(
                            reason="unclassified_figure",
                            span=work.span(quantity.start, quantity.end),
                            sentence=work.source,
                            rule="figure without a known kind",
                        )
                    )
                continue
        else:
            kind = hit.kind
            span_start, span_end = min(hit.start, quantity.start), max(hit.end, quantity.end)
            rule_name = f"{'en' if english else 'zh'}.keyword-{direction}: {hit.text}"
        if kind is Kind.NEGOTIATED_RESOLUTION:
            target = _negated_target(work.masked)
            if target is None:
                work.unmapped.append(
                    Unmapped(
                        reason="negated_figure",
                        span=work.span(span_start, span_end),
                        sentence=work.source,
                        rule=rule_name,
                    )
                )
                continue
            kind = target
        try:
            value, value_unit, lower = _value_of(kind, quantity)
        except ValueError:
            work.unmapped.append(
                Unmapped(
                    reason="unclassified_figure",
                    span=work.span(span_start, span_end),
                    sentence=work.source,
                    rule=f"{rule_name} (unit does not fit)",
                )
            )
            continue
        work.previous_kind = kind
        work.consumed.append((quantity.start, quantity.end))
        start_event = None
        if kind in PERIOD_KINDS or kind is Kind.RETURN_WINDOW:
            start_event = _start_event_for(work, quantity.start, clause_index)
        basis = (
            TimeBasis.WORKING
            if quantity.is_working_time
            or re.search(
                r"工作时间|working\s+hours|business\s+hours",
                work.masked[clause_start:clause_end],
                re.IGNORECASE,
            )
            else TimeBasis.NATURAL
        )
        work.items.append(
            Item(
                kind=kind,
                value=value,
                value_unit=value_unit,
                basis=basis,
                conditions=_conditions_for(kind, {**conditions[clause_index], **own}),
                start_event=start_event,
                subject=None,
                span=work.span(span_start, span_end),
                figure=work.span(quantity.start, quantity.end),
                sentence=work.source,
                rule=rule_name,
                amount=quantity.amount,
                written_unit=quantity.unit,
                lower_value=lower,
            )
        )


def _classify(
    masked: str, before_start: int, quantity: Quantity, after_end: int, english: bool
) -> tuple[_Hit | None, str]:
    """The keyword that says what a figure is: nearest after it, then nearest before it, in
    Chinese; the other way round in English."""
    after = _keyword_hits(masked, quantity.end, after_end, english)
    before = _keyword_hits(masked, before_start, quantity.start, english)
    # Chinese puts the verb after the time ("4小时内赶赴现场"), unless a period noun
    # introduces it ("试用期为12个月"): a period keyword right before the figure wins.
    nearest_after = after[0] if after else None
    nearest_before = before[-1] if before else None
    if english:
        if nearest_before is not None:
            return nearest_before, "before"
        return nearest_after, "after" if nearest_after else ""
    if (
        nearest_before is not None
        and nearest_before.kind in PERIOD_KINDS
        and (quantity.start - nearest_before.end <= 4)
    ):
        return nearest_before, "before"
    if nearest_after is not None:
        return nearest_after, "after"
    return nearest_before, "before" if nearest_before else ""


def _negated_target(masked: str) -> Kind | None:
    """ "24小时内无法解决的重大问题将与业主商议处理期限": past this time, a deadline is agreed;
    "24小时内不能修复的，提供备用机": past this time, a substitute unit is lent."""
    if re.search(r"替代|备用机|备机|substitute|loaner", masked, re.IGNORECASE):
        return Kind.SUBSTITUTE_UNIT
    if re.search(r"商议|协商|商定|agree|negotiat", masked, re.IGNORECASE):
        return Kind.NEGOTIATED_RESOLUTION
    return None


def _start_event_for(work: _SentenceParse, position: int, clause_index: int) -> StartEvent | None:
    """An event in a clause that says when something starts ("…之日为保修期开始日期"), the
    nearest such clause to the figure; else an event in the figure's own clause."""
    best: tuple[int, StartEvent] | None = None
    for start, end in work.clauses:
        if not _START_ANCHOR_RE.search(work.masked, start, end):
            continue
        for event_position, event in _start_events(work.masked, start, end):
            distance = abs(event_position - position)
            if best is None or distance < best[0]:
                best = (distance, event)
    if best is not None:
        return best[1]
    clause_start, clause_end = work.clauses[clause_index]
    events = _start_events(work.masked, clause_start, clause_end)
    return events[0][1] if events else None


def _find_figureless(work: _SentenceParse, conditions: list[dict[str, str]]) -> None:
    """Promises without a figure: periodic return visits and inspections, surveys, training,
    substitute units. Each once per sentence, unless a figure already gave that kind."""
    present = {item.kind for item in work.items}
    for regex, kind in _FREQUENCY_KEYWORDS:
        if kind in present:
            continue
        for match in regex.finditer(work.masked):
            if work.is_consumed(match.start(), match.end()):
                continue
            clause_index = work.clause_of(match.start())
            clause_start, clause_end = work.clauses[clause_index]
            if kind is Kind.TRAINING:
                if not _TRAINING_OFFER_RE.search(work.masked, clause_start, clause_end):
                    continue
                start, end = match.start(), match.end()
            elif kind is Kind.SURVEY:
                start, end = match.start(), match.end()
            else:
                # "定期回访", "定期对设备进行巡检": the periodic word comes shortly before.
                periodic = _PERIODIC_RE.search(
                    work.masked, max(clause_start, match.start() - 10), match.start()
                )
                if periodic is None:
                    continue
                start, end = periodic.start(), match.end()
            work.items.append(
                Item(
                    kind=kind,
                    value=None,
                    value_unit=None,
                    basis=TimeBasis.NATURAL,
                    conditions=_conditions_for(kind, conditions[clause_index]),
                    start_event=None,
                    subject=None,
                    span=work.span(start, end),
                    figure=None,
                    sentence=work.source,
                    rule=f"promise without figure: {work.masked[start:end]}",
                )
            )
            break
    if Kind.SUBSTITUTE_UNIT not in present:
        hits = [
            hit
            for hit in _keyword_hits(work.masked, 0, len(work.masked), False)
            + _keyword_hits(work.masked, 0, len(work.masked), True)
            if hit.kind is Kind.SUBSTITUTE_UNIT
        ]
        if hits:
            hit = hits[0]
            clause_index = work.clause_of(hit.start)
            work.items.append(
                Item(
                    kind=Kind.SUBSTITUTE_UNIT,
                    value=None,
                    value_unit=None,
                    basis=TimeBasis.NATURAL,
                    conditions=_conditions_for(Kind.SUBSTITUTE_UNIT, conditions[clause_index]),
                    start_event=None,
                    subject=None,
                    span=work.span(hit.start, hit.end),
                    figure=None,
                    sentence=work.source,
                    rule=f"promise without figure: {hit.text}",
                )
            )


def _find_vague(work: _SentenceParse) -> None:
    """ "尽快", "第一时间", "在规定的时间内": a promise about time with no figure to enforce."""
    if not work.has_promise():
        return
    for match in _VAGUE_TIME_RE.finditer(work.masked):
        if work.is_consumed(match.start(), match.end()):
            continue
        work.unmapped.append(
            Unmapped(
                reason="no_figure",
                span=work.span(match.start(), match.end()),
                sentence=work.source,
                rule=f"vague time: {match[0]}",
            )
        )
        break
