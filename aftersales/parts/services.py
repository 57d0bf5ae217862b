"""Stock, parts requests and purchase suggestions (R8).

Every stock change is one transaction that locks the Stock row (SELECT ... FOR UPDATE; on
SQLite the IMMEDIATE transaction holds the database write lock), checks the change against
the locked values, updates the row with F() expressions and appends the ledger entry with the
same deltas. Stock can therefore never go negative, also under concurrent issues, and the
database's check constraints stand behind the checks as a last line.

Lock order, everywhere: a parts request before stock rows; stock rows in primary-key order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.assets.services import asset_warranty
from aftersales.assets.warranty import WarrantyState
from aftersales.calendars.engine import add_business_time
from aftersales.calendars.models import Calendar
from aftersales.calendars.services import business_calendar
from aftersales.cases.models import Case
from aftersales.contracts.models import Contract
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.core.lock_objects import lock_rows
from aftersales.notifications.services import Notification, outbox_enqueue
from aftersales.parts.models import (
    DEFAULT_DELIVERY_MINUTES,
    ContractPartPrice,
    Depot,
    MovementKind,
    Part,
    PartKind,
    PartsDeliveryTarget,
    PartsRequest,
    PartsRequestStatus,
    PurchaseSuggestion,
    Stock,
    StockMovement,
    SuggestionStatus,
)
from aftersales.workorders.models import OPEN_WORK_ORDER_STATUSES, WorkOrder

CENTS = Decimal("0.01")

# Which parts-request actions each status allows; anything else is a Conflict.
REQUEST_TRANSITIONS: dict[str, dict[str, str]] = {
    "reserve": {PartsRequestStatus.REQUESTED: PartsRequestStatus.RESERVED},
    "dispatch": {PartsRequestStatus.RESERVED: PartsRequestStatus.DISPATCHED},
    "deliver": {
        PartsRequestStatus.RESERVED: PartsRequestStatus.DELIVERED,
        PartsRequestStatus.DISPATCHED: PartsRequestStatus.DELIVERED,
    },
    "cancel": {
        PartsRequestStatus.REQUESTED: PartsRequestStatus.CANCELLED,
        PartsRequestStatus.RESERVED: PartsRequestStatus.CANCELLED,
    },
}


@dataclass(frozen=True)
class StockChange:
    """What a stock service did: the ledger entries and the stock rows after them. `created`
    is False when an Idempotency-Key replayed an earlier change (nothing moved this time)."""

    movements: list[StockMovement]
    stock: list[Stock]
    created: bool = True


@dataclass(frozen=True)
class RequestChange:
    request: PartsRequest
    created: bool = True
    movements: list[StockMovement] = dataclass_field(default_factory=list)


def request_fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


# --- master data ----------------------------------------------------------------------------


@transaction.atomic
def depot_create(
    *,
    code: str,
    name: str,
    region: str = "",
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Depot:
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    if (latitude is None) != (longitude is None):
        raise ValidationFailed(
            _("经纬度须同时填写"), field="latitude" if latitude is None else "longitude"
        )
    if Depot.objects.filter(code=code).exists():
        raise Conflict(
            _("代码为“%(code)s”的备件库已存在") % {"code": code}, code="depot_exists", field="code"
        )
    return Depot.objects.create(
        code=code,
        name=name.strip(),
        region=region,
        address=address,
        latitude=latitude,
        longitude=longitude,
    )


@transaction.atomic
def part_create(
    *,
    code: str,
    name: str,
    kind: str = PartKind.REGULAR,
    unit: str = "件",
    unit_cost: Decimal = Decimal(0),
    sale_price: Decimal = Decimal(0),
    reorder_point: int = 0,
    reorder_quantity: int = 0,
    compatible_product_ids: list[Any] | None = None,
) -> Part:
    from aftersales.assets.models import Product

    if kind not in PartKind.values:
        raise ValidationFailed(
            _("%(field)s必须是以下之一：%(choices)s")
            % {"field": _("类别"), "choices": ", ".join(PartKind.values)},
            field="kind",
        )
    if not name.strip():
        raise ValidationFailed(_("请填写名称"), field="name")
    for field, value in (("unit_cost", unit_cost), ("sale_price", sale_price)):
        if value < 0:
            raise ValidationFailed(_("价格不能为负数"), field=field)
    for field, count in (("reorder_point", reorder_point), ("reorder_quantity", reorder_quantity)):
        if count < 0:
            raise ValidationFailed(_("数量不能为负数"), field=field)
    if Part.objects.filter(code=code).exists():
        raise Conflict(_("料号“%(code)s”已存在") % {"code": code}, code="part_exists", field="code")
    products = []
    if compatible_product_ids:
        products = list(Product.objects.filter(pk__in=compatible_product_ids))
        if len(products) != len(set(compatible_product_ids)):
            raise ValidationFailed(_("没有这个产品"), field="compatible_product_ids")
    part = Part.objects.create(
        code=code,
        name=name.strip(),
        kind=kind,
        unit=unit,
        unit_cost=unit_cost,
        sale_price=sale_price,
        reorder_point=reorder_point,
        reorder_quantity=reorder_quantity,
    )
    if products:
        part.compatible_products.set(products)
    return part


@transaction.atomic
def contract_part_price_set(
    *, contract: Contract, part: Part, unit_price: Decimal
) -> ContractPartPrice:
    if unit_price < 0:
        raise ValidationFailed(_("价格不能为负数"), field="unit_price")
    price, _created = ContractPartPrice.objects.update_or_create(
        contract=contract, part=part, defaults={"unit_price": unit_price}
    )
    return price


@transaction.atomic
def delivery_target_set(
    *, kind: str, minutes: int, contract: Contract | None = None, calendar: Calendar | None = None
) -> PartsDeliveryTarget:
    """Set the delivery time for a kind of part, for a contract or (none) as the default.
    Open requests keep the due time they were given."""
    if kind not in PartKind.values:
        raise ValidationFailed(
            _("%(field)s必须是以下之一：%(choices)s")
            % {"field": _("类别"), "choices": ", ".join(PartKind.values)},
            field="kind",
        )
    if minutes <= 0:
        raise ValidationFailed(_("必须是正整数分钟数"), field="minutes")
    target, _created = PartsDeliveryTarget.objects.update_or_create(
        contract=contract, kind=kind, defaults={"minutes": minutes, "calendar": calendar}
    )
    return target


# --- stock rows and the ledger ---------------------------------------------------------------


def _positive(quantity: int) -> None:
    if quantity <= 0:
        raise ValidationFailed(_("数量必须是正整数"), field="quantity")


def _lock_stock(
    depot: Depot, part: Part, *more_depots: Depot, create: bool = False
) -> dict[Any, Stock]:
    """The stock rows of the part in the depots, locked in primary-key order; keyed by depot id.
    Caller is atomic. Missing rows are created (zero) when `create`, else stand in unsaved and
    empty: every change that needs stock is then refused before anything is written."""
    depots = [depot, *more_depots]
    if create:
        # ON CONFLICT DO NOTHING: racing creators are harmless, existing rows untouched.
        Stock.objects.bulk_create(
            [Stock(depot=d, part=part) for d in depots], ignore_conflicts=True
        )
    ids = Stock.objects.filter(part=part, depot__in=depots).values_list("pk", flat=True)
    # Only the stock rows are locked (no join): depots and parts stay free for everyone else.
    locked = {row.depot_id: row for row in lock_rows(Stock.objects.all(), list(ids)).values()}
    for each in depots:
        row = locked.get(each.pk) or Stock(depot=each, part=part)
        row.depot, row.part = each, part
        locked[each.pk] = row
    return locked


def _apply(
    stock: Stock,
    *,
    kind: str,
    quantity: int,
    actor: User | None,
    now: dt.datetime,
    on_hand: int = 0,
    reserved: int = 0,
    faulty: int = 0,
    **fields: Any,
) -> StockMovement:
    """Change the locked stock row by the deltas and append the matching ledger entry."""
    if stock._state.adding:
        raise ValueError("stock row missing: lock it with create=True")
    Stock.objects.filter(pk=stock.pk).update(
        on_hand=F("on_hand") + on_hand,
        reserved=F("reserved") + reserved,
        faulty=F("faulty") + faulty,
        version=F("version") + 1,
        updated_at=now,
    )
    stock.on_hand += on_hand
    stock.reserved += reserved
    stock.faulty += faulty
    stock.version += 1
    stock.updated_at = now
    movement = StockMovement(
        kind=kind,
        depot=stock.depot,
        part=stock.part,
        quantity=quantity,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        faulty_delta=faulty,
        on_hand_after=stock.on_hand,
        reserved_after=stock.reserved,
        actor=actor,
        created_at=now,
        **fields,
    )
    movement.save(force_insert=True)
    return movement


def _insufficient(stock: Stock, quantity: int) -> Conflict:
    return Conflict(
        _("备件 %(part)s 在备件库 %(depot)s 的可用数量为 %(available)s，不足 %(quantity)s")
        % {
            "part": stock.part.code,
            "depot": stock.depot.code,
            "available": stock.available,
            "quantity": quantity,
        },
        code="insufficient_stock",
        field="quantity",
    )


def _reserved_for(stock: Stock, work_order: WorkOrder) -> int:
    """Units of the stock row reserved for the work order, from the ledger. Caller holds the
    stock row lock, so no reservation of this row can change meanwhile."""
    total = StockMovement.objects.filter(
        depot_id=stock.depot_id, part_id=stock.part_id, work_order=work_order
    ).aggregate(total=Sum("reserved_delta"))["total"]
    return int(total or 0)


def _replay(key: str | None, fingerprint: str) -> StockChange | None:
    """The earlier change made with this key, or None. The same key with another request is
    a Conflict: replaying it would answer a different question."""
    if not key:
        return None
    first = (
        StockMovement.objects.select_related("depot", "part").filter(idempotency_key=key).first()
    )
    if first is None:
        return None
    if first.request_hash != fingerprint:
        raise Conflict(
            _("此 Idempotency-Key 已用于另一个请求"),
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    movements = [first]
    if first.transfer_id is not None:
        movements = list(
            StockMovement.objects.select_related("depot", "part")
            .filter(transfer_id=first.transfer_id)
            .order_by("id")
        )
    stock = [
        Stock.objects.select_related("depot", "part").get(depot=m.depot, part=m.part)
        for m in movements
    ]
    return StockChange(movements=movements, stock=stock, created=False)


def _idempotent(
    key: str | None, fingerprint: str, change: Callable[[], StockChange]
) -> StockChange:
    """Run `change` once per key. A retry after the first committed gets the first result; a
    retry racing the first waits on the stock row lock and then finds the key (or, at worst,
    hits its unique constraint and is answered from the winner's row)."""
    replayed = _replay(key, fingerprint)
    if replayed is not None:
        return replayed
    try:
        return change()
    except IntegrityError:
        replayed = _replay(key, fingerprint)
        if replayed is not None:
            return replayed
        raise


def _key_taken(key: str | None) -> bool:
    return bool(key) and StockMovement.objects.filter(idempotency_key=key).exists()


def _change_stock(
    depot: Depot,
    part: Part,
    key: str | None,
    fingerprint: str,
    move: Callable[[Stock], StockMovement],
    *,
    create: bool = False,
) -> StockChange:
    """One ledger entry on one stock row, once per key: `move` gets the row locked, checks it
    and writes the entry with `_apply`. The key is looked for again under the lock, so a retry
    that raced the first is answered by `_idempotent` from the first's row."""

    def change() -> StockChange:
        with transaction.atomic():
            stock = _lock_stock(depot, part, create=create)[depot.pk]
            if _key_taken(key):
                raise IntegrityError("idempotency key")
            return StockChange(movements=[move(stock)], stock=[stock])

    return _idempotent(key, fingerprint, change)


def _work_order(work_order_id: Any) -> WorkOrder:
    found = (
        WorkOrder.objects.select_related("case__asset__product", "case__contract")
        .filter(pk=work_order_id)
        .first()
    )
    if found is None:
        raise ValidationFailed(_("没有这个派工单"), field="work_order_id")
    return found


def _open_work_order(work_order: WorkOrder) -> None:
    if work_order.status not in OPEN_WORK_ORDER_STATUSES:
        raise Conflict(
            _("派工单 %(number)s 已%(status)s，不能再领用或预留备件")
            % {"number": work_order.number, "status": work_order.get_status_display()},
            code="work_order_not_open",
            field="work_order_id",
        )


def stock_available(*, depot: Depot, part: Part) -> int:
    """On hand minus reserved (faulty units are never counted); 0 when the depot never had it."""
    row = Stock.objects.filter(depot=depot, part=part).values_list("on_hand", "reserved").first()
    return row[0] - row[1] if row else 0


def stock_receive(
    *,
    actor: User | None,
    depot: Depot,
    part: Part,
    quantity: int,
    reason: str = "",
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: dt.datetime | None = None,
) -> StockChange:
    """Goods received into the depot (purchase, repaired parts back from the vendor)."""
    _positive(quantity)

    def move(stock: Stock) -> StockMovement:
        return _apply(
            stock,
            kind=MovementKind.RECEIPT,
            quantity=quantity,
            actor=actor,
            now=now or timezone.now(),
            on_hand=quantity,
            reason=reason,
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
        )

    return _change_stock(depot, part, idempotency_key, fingerprint, move, create=True)


def stock_reserve(
    *,
    actor: User | None,
    depot: Depot,
    part: Part,
    quantity: int,
    work_order: WorkOrder,
    parts_request: PartsRequest | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: dt.datetime | None = None,
) -> StockChange:
    """Set units aside for a work order; they stay on hand but are no longer available."""
    _positive(quantity)
    _open_work_order(work_order)

    def move(stock: Stock) -> StockMovement:
        if stock.available < quantity:
            raise _insufficient(stock, quantity)
        movement = _apply(
            stock,
            kind=MovementKind.RESERVATION,
            quantity=quantity,
            actor=actor,
            now=now or timezone.now(),
            reserved=quantity,
            work_order=work_order,
            case_id=work_order.case_id,
            parts_request=parts_request,
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
        )
        reorder_check(depot=depot, part=part, now=now)
        return movement

    return _change_stock(depot, part, idempotency_key, fingerprint, move)


def stock_release(
    *,
    actor: User | None,
    depot: Depot,
    part: Part,
    work_order: WorkOrder,
    quantity: int | None = None,
    parts_request: PartsRequest | None = None,
    reason: str = "",
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: dt.datetime | None = None,
) -> StockChange:
    """Give back units reserved for the work order (all of them when quantity is None)."""
    if quantity is not None:
        _positive(quantity)

    def move(stock: Stock) -> StockMovement:
        held = _reserved_for(stock, work_order)
        releasing = held if quantity is None else quantity
        if releasing <= 0 or releasing > held:
            raise Conflict(
                _(
                    "派工单 %(number)s 在备件库 %(depot)s 为备件 %(part)s 预留了 %(held)s，不能释放 %(quantity)s"
                )
                % {
                    "number": work_order.number,
                    "depot": depot.code,
                    "part": part.code,
                    "held": held,
                    "quantity": releasing,
                },
                code="not_reserved",
                field="quantity",
            )
        movement = _apply(
            stock,
            kind=MovementKind.RELEASE,
            quantity=releasing,
            actor=actor,
            now=now or timezone.now(),
            reserved=-releasing,
            work_order=work_order,
            case_id=work_order.case_id,
            parts_request=parts_request,
            reason=reason,
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
        )
        return movement

    return _change_stock(depot, part, idempotency_key, fingerprint, move)


@dataclass(frozen=True)
class Charge:
    warranty_state: str
    is_chargeable: bool
    unit_price: Decimal | None
    amount: Decimal


def issue_charge(*, case: Case | None, part: Part, quantity: int, on: dt.date) -> Charge:
    """What the customer pays for parts used on the case's asset: nothing while the asset is in
    trial or warranty; out of warranty, the contract's price (else the part's sale price).

    An asset whose warranty cannot be computed (no asset, or no start date) is not charged
    here: billing has to decide, and `warranty_state` "none" on the ledger entry says so.
    """
    asset = case.asset if case is not None and case.asset_id else None
    state = asset_warranty(asset, on=on).state if asset is not None else WarrantyState.NONE
    if state != WarrantyState.EXPIRED:
        return Charge(
            warranty_state=state.value, is_chargeable=False, unit_price=None, amount=CENTS * 0
        )
    price = part.sale_price
    if case is not None and case.contract_id:
        agreed = ContractPartPrice.objects.filter(contract_id=case.contract_id, part=part).first()
        if agreed is not None:
            price = agreed.unit_price
    return Charge(
        warranty_state=state.value,
        is_chargeable=True,
        unit_price=price,
        amount=(price * quantity).quantize(CENTS),
    )


def stock_issue(
    *,
    actor: User | None,
    depot: Depot,
    part: Part,
    quantity: int,
    work_order: WorkOrder,
    parts_request: PartsRequest | None = None,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: dt.datetime | None = None,
) -> StockChange:
    """Issue units to a work order: first from what is reserved for it, the rest from
    available stock. Records the charge (see `issue_charge`)."""
    _positive(quantity)
    _open_work_order(work_order)
    now = now or timezone.now()
    charge = issue_charge(
        case=work_order.case, part=part, quantity=quantity, on=timezone.localdate(now)
    )

    def move(stock: Stock) -> StockMovement:
        from_reservation = min(quantity, _reserved_for(stock, work_order))
        from_available = quantity - from_reservation
        if stock.available < from_available:
            raise _insufficient(stock, from_available)
        movement = _apply(
            stock,
            kind=MovementKind.ISSUE,
            quantity=quantity,
            actor=actor,
            now=now,
            on_hand=-quantity,
            reserved=-from_reservation,
            work_order=work_order,
            case_id=work_order.case_id,
            parts_request=parts_request,
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
            unit_cost=part.unit_cost,
            warranty_state=charge.warranty_state,
            is_chargeable=charge.is_chargeable,
            unit_price=charge.unit_price,
            amount=charge.amount,
        )
        reorder_check(depot=depot, part=part, now=now)
        return movement

    return _change_stock(depot, part, idempotency_key, fingerprint, move)


def stock_transfer(
    *,
    actor: User | None,
    from_depot: Depot,
    to_depot: Depot,
    part: Part,
    quantity: int,
    reason: str = "",
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: dt.datetime | None = None,
) -> StockChange:
    """Move available units between depots: two ledger entries in one transaction."""
    _positive(quantity)
    if from_depot.pk == to_depot.pk:
        raise ValidationFailed(_("调出和调入备件库不能相同"), field="to_depot_id")

    def change() -> StockChange:
        with transaction.atomic():
            rows = _lock_stock(from_depot, part, to_depot, create=True)
            if _key_taken(idempotency_key):
                raise IntegrityError("idempotency key")
            source, target = rows[from_depot.pk], rows[to_depot.pk]
            if source.available < quantity:
                raise _insufficient(source, quantity)
            moment = now or timezone.now()
            transfer_id = uuid.uuid4()
            out = _apply(
                source,
                kind=MovementKind.TRANSFER_OUT,
                quantity=quantity,
                actor=actor,
                now=moment,
                on_hand=-quantity,
                transfer_id=transfer_id,
                reason=reason,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
            )
            into = _apply(
                target,
                kind=MovementKind.TRANSFER_IN,
                quantity=quantity,
                actor=actor,
                now=moment,
                on_hand=quantity,
                transfer_id=transfer_id,
                reason=reason,
            )
            reorder_check(depot=from_depot, part=part, now=moment)
            return StockChange(movements=[out, into], stock=[source, target])

    return _idempotent(idempotency_key, fingerprint, change)


def stock_return_faulty(
    *,
    actor: User | None,
    depot: Depot,
    part: Part,
    quantity: int,
    work_order: WorkOrder | None = None,
    reason: str = "",
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: dt.datetime | None = None,
) -> StockChange:
    """A faulty part taken out in the field comes back to the depot: counted as faulty, never
    as available."""
    _positive(quantity)

    def move(stock: Stock) -> StockMovement:
        return _apply(
            stock,
            kind=MovementKind.FAULTY_RETURN,
            quantity=quantity,
            actor=actor,
            now=now or timezone.now(),
            faulty=quantity,
            work_order=work_order,
            case_id=work_order.case_id if work_order is not None else None,
            reason=reason,
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
        )

    return _change_stock(depot, part, idempotency_key, fingerprint, move, create=True)


def stock_adjust(
    *,
    actor: User | None,
    depot: Depot,
    part: Part,
    delta: int,
    reason: str,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: dt.datetime | None = None,
) -> StockChange:
    """Correct the count on hand after a stocktake (盘点). Never below what is reserved."""
    if delta == 0:
        raise ValidationFailed(_("调整数量不能为 0"), field="delta")
    if not reason.strip():
        raise ValidationFailed(_("盘点调整须填写原因"), field="reason")

    def move(stock: Stock) -> StockMovement:
        if stock.available + delta < 0:
            raise Conflict(
                _(
                    "备件 %(part)s 在备件库 %(depot)s 的可用数量为 %(available)s，不能减少 %(quantity)s"
                )
                % {
                    "part": part.code,
                    "depot": depot.code,
                    "available": stock.available,
                    "quantity": -delta,
                },
                code="insufficient_stock",
                field="delta",
            )
        moment = now or timezone.now()
        movement = _apply(
            stock,
            kind=MovementKind.ADJUSTMENT,
            quantity=abs(delta),
            actor=actor,
            now=moment,
            on_hand=delta,
            reason=reason.strip(),
            idempotency_key=idempotency_key,
            request_hash=fingerprint,
        )
        if delta < 0:
            reorder_check(depot=depot, part=part, now=moment)
        return movement

    return _change_stock(depot, part, idempotency_key, fingerprint, move, create=delta > 0)


# --- purchase suggestions --------------------------------------------------------------------


def reorder_check(
    *, depot: Depot, part: Part, now: dt.datetime | None = None
) -> PurchaseSuggestion | None:
    """Open a purchase suggestion when available stock is at or below the part's reorder
    point, unless one is open already. Returns the suggestion opened now, if any.

    Enough to bring available stock back to reorder point + reorder quantity is suggested.
    Parts with no reorder quantity are not replenished automatically.
    """
    if part.reorder_quantity <= 0:
        return None
    available = stock_available(depot=depot, part=part)
    if available > part.reorder_point:
        return None
    if PurchaseSuggestion.objects.filter(
        depot=depot, part=part, status=SuggestionStatus.OPEN
    ).exists():
        return None
    try:
        # A savepoint: losing the race to the partial unique index leaves the caller's
        # transaction usable.
        with transaction.atomic():
            return PurchaseSuggestion.objects.create(
                depot=depot,
                part=part,
                available_at_suggestion=available,
                suggested_quantity=part.reorder_point + part.reorder_quantity - available,
                created_at=now or timezone.now(),
            )
    except IntegrityError:
        return None


@transaction.atomic
def purchase_suggestion_decide(
    *, actor: User, suggestion_id: Any, status: str
) -> PurchaseSuggestion:
    """Mark an open suggestion ordered or dismissed; a decided one cannot change again."""
    if status not in (SuggestionStatus.ORDERED, SuggestionStatus.DISMISSED):
        raise ValidationFailed(
            _("%(field)s必须是以下之一：%(choices)s")
            % {
                "field": _("状态"),
                "choices": ", ".join([SuggestionStatus.ORDERED, SuggestionStatus.DISMISSED]),
            },
            field="status",
        )
    try:
        suggestion = PurchaseSuggestion.objects.select_for_update().get(pk=suggestion_id)
    except (PurchaseSuggestion.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("未找到该采购建议"), code="suggestion_not_found") from None
    if suggestion.status != SuggestionStatus.OPEN:
        raise Conflict(
            _("该采购建议已%(status)s") % {"status": suggestion.get_status_display()},
            code="suggestion_decided",
            field="status",
        )
    suggestion.status = status
    suggestion.decided_by = actor
    suggestion.decided_at = timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    return suggestion


# --- parts requests and their delivery clock ------------------------------------------------


def delivery_target(*, contract_id: Any, kind: str) -> tuple[int, Calendar | None]:
    """Minutes and calendar (None: natural time) for delivering a kind of part under a
    contract: the contract's own target, else the company default, else the seed's promise."""
    targets = PartsDeliveryTarget.objects.select_related("calendar").filter(kind=kind)
    chosen = None
    if contract_id is not None:
        chosen = targets.filter(contract_id=contract_id).first()
    if chosen is None:
        chosen = targets.filter(contract__isnull=True).first()
    if chosen is None:
        return DEFAULT_DELIVERY_MINUTES[PartKind(kind)], None
    return chosen.minutes, chosen.calendar


def delivery_due_at(*, start: dt.datetime, minutes: int, calendar: Calendar | None) -> dt.datetime:
    if calendar is None:
        return start + dt.timedelta(minutes=minutes)
    return add_business_time(business_calendar(calendar), start, dt.timedelta(minutes=minutes))


def _lock_request(request_id: Any) -> PartsRequest:
    try:
        return (
            PartsRequest.objects.select_for_update(of=("self",))
            .select_related(
                "part", "depot", "work_order__case__asset__product", "work_order__case__contract"
            )
            .get(pk=request_id)
        )
    except (PartsRequest.DoesNotExist, ValueError, TypeError, DjangoValidationError):
        raise NotFound(_("未找到该备件申请"), code="parts_request_not_found") from None


def _next(request: PartsRequest, action: str) -> str:
    allowed = REQUEST_TRANSITIONS[action]
    if request.status not in allowed:
        raise Conflict(
            _("备件申请当前状态为“%(status)s”，不能执行该操作")
            % {"status": request.get_status_display()},
            code="invalid_transition",
            field="status",
        )
    return allowed[request.status]


def parts_request_open(
    *,
    actor: User | None,
    work_order: WorkOrder,
    part: Part,
    depot: Depot,
    quantity: int,
    note: str = "",
    reserve: bool = True,
    idempotency_key: str | None = None,
    fingerprint: str = "",
    now: dt.datetime | None = None,
) -> RequestChange:
    """Request parts for a work order. The delivery clock starts now, with the target of the
    case's contract (in its calendar, if it has one). With `reserve`, available stock is set
    aside at once; when there is not enough, the request waits as requested (its clock runs)."""
    _positive(quantity)
    _open_work_order(work_order)
    if idempotency_key:
        existing = PartsRequest.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return _request_replay(existing, fingerprint)
    now = now or timezone.now()
    contract_id = work_order.case.contract_id
    minutes, calendar = delivery_target(contract_id=contract_id, kind=part.kind)
    due_at = delivery_due_at(start=now, minutes=minutes, calendar=calendar)
    try:
        with transaction.atomic():
            request = PartsRequest(
                work_order=work_order,
                case_id=work_order.case_id,
                part=part,
                depot=depot,
                quantity=quantity,
                requested_by=actor,
                requested_at=now,
                contract_id=contract_id,
                target_minutes=minutes,
                calendar=calendar,
                due_at=due_at,
                note=note,
                idempotency_key=idempotency_key,
                request_hash=fingerprint,
                created_at=now,
            )
            request.save(force_insert=True)
            movements: list[StockMovement] = []
            if reserve:
                try:
                    with transaction.atomic():
                        movements = stock_reserve(
                            actor=actor,
                            depot=depot,
                            part=part,
                            quantity=quantity,
                            work_order=work_order,
                            parts_request=request,
                            now=now,
                        ).movements
                except Conflict as refusal:
                    if refusal.code != "insufficient_stock":
                        raise
                else:
                    request.status = PartsRequestStatus.RESERVED
                    request.save(update_fields=["status", "updated_at"])
            return RequestChange(request=request, movements=movements)
    except IntegrityError:
        if idempotency_key:
            existing = PartsRequest.objects.filter(idempotency_key=idempotency_key).first()
            if existing is not None:
                return _request_replay(existing, fingerprint)
        raise


def _request_replay(existing: PartsRequest, fingerprint: str) -> RequestChange:
    if existing.request_hash != fingerprint:
        raise Conflict(
            _("此 Idempotency-Key 已用于另一个请求"),
            code="idempotency_key_reused",
            field="Idempotency-Key",
        )
    return RequestChange(request=existing, created=False)


def _request_action(
    request_id: Any,
    action: str,
    body: Callable[[PartsRequest, str, dt.datetime], list[StockMovement]],
    now: dt.datetime | None,
) -> RequestChange:
    with transaction.atomic():
        request = _lock_request(request_id)
        after = _next(request, action)
        moment = now or timezone.now()
        movements = body(request, after, moment)
        request.status = after
        request.version += 1
        request.save()
        return RequestChange(request=request, movements=movements)


def parts_request_reserve(
    *, actor: User | None, request_id: Any, now: dt.datetime | None = None
) -> RequestChange:
    """Reserve the requested units now (stock has arrived since the request was opened)."""

    def body(request: PartsRequest, after: str, moment: dt.datetime) -> list[StockMovement]:
        return stock_reserve(
            actor=actor,
            depot=request.depot,
            part=request.part,
            quantity=request.quantity,
            work_order=request.work_order,
            parts_request=request,
            now=moment,
        ).movements

    return _request_action(request_id, "reserve", body, now)


def _issue_for(
    request: PartsRequest, actor: User | None, moment: dt.datetime
) -> list[StockMovement]:
    request.dispatched_at = moment
    return stock_issue(
        actor=actor,
        depot=request.depot,
        part=request.part,
        quantity=request.quantity,
        work_order=request.work_order,
        parts_request=request,
        now=moment,
    ).movements


def parts_request_dispatch(
    *, actor: User | None, request_id: Any, now: dt.datetime | None = None
) -> RequestChange:
    """The reserved parts leave the depot: they are issued to the work order."""
    return _request_action(request_id, "dispatch", lambda r, _a, m: _issue_for(r, actor, m), now)


def parts_request_deliver(
    *, actor: User | None, request_id: Any, now: dt.datetime | None = None
) -> RequestChange:
    """The parts reached the engineer: the delivery clock stops, met or breached. Reserved
    parts not yet dispatched are issued on the way."""

    def body(request: PartsRequest, after: str, moment: dt.datetime) -> list[StockMovement]:
        movements = (
            _issue_for(request, actor, moment)
            if request.status == PartsRequestStatus.RESERVED
            else []
        )
        request.delivered_at = moment
        if moment > request.due_at:
            request.is_breached = True
        return movements

    return _request_action(request_id, "deliver", body, now)


def parts_request_cancel(
    *, actor: User | None, request_id: Any, reason: str = "", now: dt.datetime | None = None
) -> RequestChange:
    """Cancel a request not yet dispatched; its reservation is released."""

    def body(request: PartsRequest, after: str, moment: dt.datetime) -> list[StockMovement]:
        request.cancelled_at = moment
        if request.status != PartsRequestStatus.RESERVED:
            return []
        return stock_release(
            actor=actor,
            depot=request.depot,
            part=request.part,
            work_order=request.work_order,
            quantity=request.quantity,
            parts_request=request,
            reason=reason,
            now=moment,
        ).movements

    return _request_action(request_id, "cancel", body, now)


def work_order_cancelled(work_order: WorkOrder, actor: User | None, now: dt.datetime) -> None:
    """A cancelled visit needs no parts: its open requests are cancelled and whatever is still
    reserved for it goes back to available stock, in the caller's transaction."""
    for request_id in PartsRequest.objects.filter(
        work_order=work_order, status__in=[PartsRequestStatus.REQUESTED, PartsRequestStatus.RESERVED]
    ).values_list("pk", flat=True):
        parts_request_cancel(actor=actor, request_id=request_id, reason=_("派工单已取消"), now=now)
    held = (
        StockMovement.objects.filter(work_order=work_order)
        .values("depot_id", "part_id")
        .annotate(total=Sum("reserved_delta"))
        .filter(total__gt=0)
    )
    for row in held:
        stock_release(actor=actor, depot=Depot.objects.get(pk=row["depot_id"]),
                      part=Part.objects.get(pk=row["part_id"]), work_order=work_order,
                      reason=_("派工单已取消"), now=now)


def _manager_emails() -> list[str]:
    return list(
        User.objects.filter(role=Role.MANAGER, is_active=True)
        .exclude(email="")
        .order_by("username")
        .values_list("email", flat=True)
    )


def parts_delivery_sweep(*, now: dt.datetime | None = None, batch_size: int = 500) -> int:
    """Record each open request past its due time as breached, exactly once, and notify the
    requester and the managers through the outbox. Returns the number recorded.

    Candidates come from the partial index; each batch is claimed under row locks other
    sweepers skip, and the mark is set only where it is still empty.
    """
    now = now or timezone.now()
    managers = _manager_emails()
    total = 0
    while True:
        with transaction.atomic():
            claimed = list(
                PartsRequest.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(is_open=True, breach_recorded_at__isnull=True, due_at__lte=now)
                .select_related("part", "depot", "work_order", "requested_by")
                .order_by("due_at")[:batch_size]
            )
            if not claimed:
                return total
            marked = PartsRequest.objects.filter(
                pk__in=[r.pk for r in claimed], breach_recorded_at__isnull=True
            ).update(breach_recorded_at=now, is_breached=True, updated_at=now)
            if marked:
                outbox_enqueue(
                    notifications=[n for r in claimed for n in _breach_notifications(r, managers)]
                )
            total += marked
        if len(claimed) < batch_size:
            return total


def _breach_notifications(request: PartsRequest, managers: list[str]) -> list[Notification]:
    due = timezone.localtime(request.due_at).isoformat()
    subject = _("【备件超时】派工单 %(number)s 的备件 %(part)s ×%(quantity)s 应于 %(due)s 送达") % {
        "number": request.work_order.number,
        "part": request.part.code,
        "quantity": request.quantity,
        "due": due,
    }
    body = _("备件 %(part)s（%(name)s），备件库 %(depot)s，状态：%(status)s。\n") % {
        "part": request.part.code,
        "name": request.part.name,
        "depot": request.depot.name,
        "status": request.get_status_display(),
    }
    requester = request.requested_by.email if request.requested_by is not None else ""
    recipients = sorted({*([requester] if requester else []), *managers})
    return [
        Notification(
            key=f"parts-request:{request.pk}:breach:{due}:{recipient}",
            recipient=recipient,
            subject=subject,
            body=body,
        )
        for recipient in recipients
    ]


# --- checks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LedgerMismatch:
    depot_id: Any
    part_id: Any
    stock: tuple[int, int, int]
    ledger: tuple[int, int, int]


def ledger_balance_check() -> list[LedgerMismatch]:
    """Every stock row against the sum of its ledger (on hand, reserved, faulty); an empty
    list proves they agree. Ledger entries without a stock row count as a mismatch too."""
    sums = {
        (row["depot_id"], row["part_id"]): (
            int(row["on_hand"] or 0),
            int(row["reserved"] or 0),
            int(row["faulty"] or 0),
        )
        for row in StockMovement.objects.order_by()
        .values("depot_id", "part_id")
        .annotate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"), faulty=Sum("faulty_delta")
        )
    }
    mismatches = []
    for depot_id, part_id, on_hand, reserved, faulty in Stock.objects.order_by("pk").values_list(
        "depot_id", "part_id", "on_hand", "reserved", "faulty"
    ):
        ledger = sums.pop((depot_id, part_id), (0, 0, 0))
        if ledger != (on_hand, reserved, faulty):
            mismatches.append(
                LedgerMismatch(depot_id, part_id, (on_hand, reserved, faulty), ledger)
            )
    for (depot_id, part_id), ledger in sums.items():
        mismatches.append(LedgerMismatch(depot_id, part_id, (0, 0, 0), ledger))
    return mismatches
