"""HTTP API of the parts app (/api/v1/parts); handlers parse, call one service, render.

Stock is internal information: every operation is for service staff only (customer users get
403). Each stock movement honours an Idempotency-Key: a retry returns the first result with
status 200 and moves nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Status

from aftersales.calendars.models import Calendar
from aftersales.contracts.models import Contract
from aftersales.core.api_types import (
    IdempotencyKey,
    created_or_replayed,
    idempotency_key_for_user,
    page,
)
from aftersales.core.errors import ValidationFailed
from aftersales.core.permissions import require_role
from aftersales.core.roles import STAFF_ROLES, Role
from aftersales.parts import selectors, services
from aftersales.parts.models import (
    Depot,
    Part,
    PartsRequest,
    PurchaseSuggestion,
    Stock,
    StockMovement,
)
from aftersales.parts.schemas import (
    AdjustIn,
    CancelIn,
    DeliveryTargetIn,
    DeliveryTargetOut,
    DepotIn,
    DepotOut,
    DepotPageOut,
    IssueIn,
    LedgerMismatchOut,
    MovementPageOut,
    PageQuery,
    PartIn,
    PartOut,
    PartPageOut,
    PartsRequestIn,
    PartsRequestOut,
    PartsRequestPageOut,
    ReceiveIn,
    ReleaseIn,
    ReserveIn,
    ReturnIn,
    StockChangeOut,
    StockPageOut,
    SuggestionDecisionIn,
    SuggestionOut,
    SuggestionPageOut,
    TransferIn,
)
from aftersales.workorders.models import WorkOrder

router = Router(tags=["parts"])

MASTER_DATA_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.DISPATCHER})
ADJUSTING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


def _staff(request: HttpRequest) -> None:
    require_role(request.user, STAFF_ROLES, doing=gettext_lazy("查看或变动备件库存"))


def _work_order(work_order_id: Any, field: str = "work_order_id") -> WorkOrder:
    found = (
        WorkOrder.objects.select_related("case__asset__product", "case__contract")
        .filter(pk=work_order_id)
        .first()
    )
    if found is None:
        raise ValidationFailed(_("没有这个派工单"), field=field)
    return found


def _depot(depot_id: Any, field: str = "depot_id") -> Depot:
    found = Depot.objects.filter(pk=depot_id).first()
    if found is None:
        raise ValidationFailed(_("没有这个备件库"), field=field)
    return found


def _part(part_id: Any) -> Part:
    found = Part.objects.filter(pk=part_id).first()
    if found is None:
        raise ValidationFailed(_("没有这个备件"), field="part_id")
    return found


def _depot_out(depot: Any) -> dict[str, Any]:
    return dict(
        id=depot.pk,
        code=depot.code,
        name=depot.name,
        region=depot.region,
        address=depot.address,
        latitude=depot.latitude,
        longitude=depot.longitude,
        is_active=depot.is_active,
    )


def _part_out(part: Any) -> dict[str, Any]:
    return dict(
        id=part.pk,
        code=part.code,
        name=part.name,
        kind=part.kind,
        unit=part.unit,
        unit_cost=part.unit_cost,
        sale_price=part.sale_price,
        reorder_point=part.reorder_point,
        reorder_quantity=part.reorder_quantity,
    )


def _stock_out(stock: Stock) -> dict[str, Any]:
    return dict(
        depot_id=stock.depot_id,
        part_id=stock.part_id,
        part_code=stock.part.code,
        part_name=stock.part.name,
        on_hand=stock.on_hand,
        reserved=stock.reserved,
        available=stock.available,
        faulty=stock.faulty,
        reorder_point=stock.part.reorder_point,
        version=stock.version,
    )


def _movement_out(movement: StockMovement) -> dict[str, Any]:
    return dict(
        id=movement.pk,
        kind=movement.kind,
        depot_id=movement.depot_id,
        depot_code=movement.depot.code,
        part_id=movement.part_id,
        part_code=movement.part.code,
        quantity=movement.quantity,
        on_hand_delta=movement.on_hand_delta,
        reserved_delta=movement.reserved_delta,
        faulty_delta=movement.faulty_delta,
        on_hand_after=movement.on_hand_after,
        reserved_after=movement.reserved_after,
        work_order_id=movement.work_order_id,
        case_id=movement.case_id,
        parts_request_id=movement.parts_request_id,
        transfer_id=movement.transfer_id,
        reason=movement.reason,
        actor=movement.actor.username if movement.actor_id and movement.actor else None,
        warranty_state=movement.warranty_state,
        is_chargeable=movement.is_chargeable,
        unit_price=movement.unit_price,
        amount=movement.amount,
        created_at=movement.created_at,
    )


def _change_out(change: services.StockChange) -> Status[StockChangeOut]:
    body = dict(
        movements=[_movement_out(m) for m in change.movements],
        stock=[_stock_out(s) for s in change.stock],
        replayed=not change.created,
    )
    return created_or_replayed(change.created, body)


def _request_out(request: PartsRequest) -> dict[str, Any]:
    return dict(
        id=request.pk,
        work_order_id=request.work_order_id,
        case_id=request.case_id,
        part_id=request.part_id,
        part_code=request.part.code,
        part_kind=request.part.kind,
        depot_id=request.depot_id,
        quantity=request.quantity,
        status=request.status,
        requested_at=request.requested_at,
        target_minutes=request.target_minutes,
        calendar=request.calendar.code if request.calendar_id and request.calendar else None,
        due_at=request.due_at,
        dispatched_at=request.dispatched_at,
        delivered_at=request.delivered_at,
        cancelled_at=request.cancelled_at,
        breached=request.is_breached,
        clock_state=request.delivery_state(timezone.now()).value,
        version=request.version,
    )


def _suggestion_out(suggestion: PurchaseSuggestion) -> dict[str, Any]:
    return dict(
        id=suggestion.pk,
        depot_id=suggestion.depot_id,
        depot_code=suggestion.depot.code,
        part_id=suggestion.part_id,
        part_code=suggestion.part.code,
        suggested_quantity=suggestion.suggested_quantity,
        available_at_suggestion=suggestion.available_at_suggestion,
        status=suggestion.status,
        created_at=suggestion.created_at,
        decided_at=suggestion.decided_at,
    )


# --- depots and parts -----------------------------------------------------------------------


@router.get("/depots", response=DepotPageOut)
def depot_list(request: HttpRequest, query: Query[PageQuery]) -> Any:
    _staff(request)
    return page(Depot.objects.order_by("code"), query, _depot_out)


@router.post("/depots", response={201: DepotOut})
def depot_create(request: HttpRequest, payload: DepotIn) -> Status[DepotOut]:
    require_role(request.user, MASTER_DATA_ROLES, doing=gettext_lazy("设立备件库"))
    return Status(201, _depot_out(services.depot_create(**payload.dict())))


@router.get("/parts", response=PartPageOut)
def part_list(
    request: HttpRequest,
    query: Query[PageQuery],
    q: str = "",
    kind: Literal["regular", "non_regular", "consumable"] | None = None,
) -> Any:
    _staff(request)
    return page(selectors.parts_search(text=q.strip(), kind=kind), query, _part_out)


@router.post("/parts", response={201: PartOut})
def part_create(request: HttpRequest, payload: PartIn) -> Status[PartOut]:
    require_role(request.user, MASTER_DATA_ROLES, doing=gettext_lazy("定义备件"))
    return Status(201, _part_out(services.part_create(**payload.dict())))


@router.get("/depots/{depot_id}/stock", response=StockPageOut)
def depot_stock(
    request: HttpRequest,
    depot_id: uuid.UUID,
    query: Query[PageQuery],
    part_id: uuid.UUID | None = None,
    kind: Literal["regular", "non_regular", "consumable"] | None = None,
    q: str = "",
    below_reorder_point: bool = False,
) -> Any:
    """Stock of a depot by part code; `below_reorder_point` keeps the rows at or below it."""
    _staff(request)
    depot = selectors.get_depot(depot_id)
    rows = selectors.depot_stock(
        depot=depot,
        part_id=part_id,
        kind=kind,
        text=q.strip(),
        at_or_below_reorder_point=below_reorder_point,
    )
    return page(rows, query, _stock_out)


# --- movements ------------------------------------------------------------------------------


def _fingerprint(operation: str, payload: Any) -> str:
    return services.request_fingerprint({"operation": operation, **payload.dict()})


def _stock_change(
    request: HttpRequest,
    operation: str,
    payload: Any,
    idempotency_key: str | None,
    service: Callable[..., services.StockChange],
    **arguments: Any,
) -> Status[StockChangeOut]:
    """Call the stock `service` with the handler's parsed `arguments`, the actor and the
    request's key and fingerprint; render the change (201, or 200 for a replay). The key is
    checked after the handler's objects, so a missing depot is reported before a bad key."""
    return _change_out(
        service(
            actor=request.user,
            **arguments,
            idempotency_key=idempotency_key_for_user(request, idempotency_key),
            fingerprint=_fingerprint(operation, payload),
        )
    )


@router.post("/movements/receive", response={200: StockChangeOut, 201: StockChangeOut})
def movement_receive(
    request: HttpRequest, payload: ReceiveIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    _staff(request)
    return _stock_change(
        request,
        "receive",
        payload,
        idempotency_key,
        services.stock_receive,
        depot=_depot(payload.depot_id),
        part=_part(payload.part_id),
        quantity=payload.quantity,
        reason=payload.reason,
    )


@router.post("/movements/reserve", response={200: StockChangeOut, 201: StockChangeOut})
def movement_reserve(
    request: HttpRequest, payload: ReserveIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    _staff(request)
    return _stock_change(
        request,
        "reserve",
        payload,
        idempotency_key,
        services.stock_reserve,
        depot=_depot(payload.depot_id),
        part=_part(payload.part_id),
        quantity=payload.quantity,
        work_order=_work_order(payload.work_order_id),
    )


@router.post("/movements/release", response={200: StockChangeOut, 201: StockChangeOut})
def movement_release(
    request: HttpRequest, payload: ReleaseIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    _staff(request)
    return _stock_change(
        request,
        "release",
        payload,
        idempotency_key,
        services.stock_release,
        depot=_depot(payload.depot_id),
        part=_part(payload.part_id),
        work_order=_work_order(payload.work_order_id),
        quantity=payload.quantity,
        reason=payload.reason,
    )


@router.post("/movements/issue", response={200: StockChangeOut, 201: StockChangeOut})
def movement_issue(
    request: HttpRequest, payload: IssueIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    """Issue parts to a work order (its reservation first); 409 when stock is insufficient."""
    _staff(request)
    return _stock_change(
        request,
        "issue",
        payload,
        idempotency_key,
        services.stock_issue,
        depot=_depot(payload.depot_id),
        part=_part(payload.part_id),
        quantity=payload.quantity,
        work_order=_work_order(payload.work_order_id),
    )


@router.post("/movements/transfer", response={200: StockChangeOut, 201: StockChangeOut})
def movement_transfer(
    request: HttpRequest, payload: TransferIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    _staff(request)
    return _stock_change(
        request,
        "transfer",
        payload,
        idempotency_key,
        services.stock_transfer,
        from_depot=_depot(payload.from_depot_id, "from_depot_id"),
        to_depot=_depot(payload.to_depot_id, "to_depot_id"),
        part=_part(payload.part_id),
        quantity=payload.quantity,
        reason=payload.reason,
    )


@router.post("/movements/return", response={200: StockChangeOut, 201: StockChangeOut})
def movement_return(
    request: HttpRequest, payload: ReturnIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    """A faulty part back from the field (counted as faulty, not available)."""
    _staff(request)
    work_order = _work_order(payload.work_order_id) if payload.work_order_id else None
    return _stock_change(
        request,
        "return",
        payload,
        idempotency_key,
        services.stock_return_faulty,
        depot=_depot(payload.depot_id),
        part=_part(payload.part_id),
        quantity=payload.quantity,
        work_order=work_order,
        reason=payload.reason,
    )


@router.post("/movements/adjust", response={200: StockChangeOut, 201: StockChangeOut})
def movement_adjust(
    request: HttpRequest, payload: AdjustIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    """Stocktake correction with a reason; managers only."""
    require_role(request.user, ADJUSTING_ROLES, doing=gettext_lazy("调整库存"))
    return _stock_change(
        request,
        "adjust",
        payload,
        idempotency_key,
        services.stock_adjust,
        depot=_depot(payload.depot_id),
        part=_part(payload.part_id),
        delta=payload.delta,
        reason=payload.reason,
    )


@router.get("/movements", response=MovementPageOut)
def movement_list(
    request: HttpRequest,
    query: Query[PageQuery],
    depot_id: uuid.UUID | None = None,
    part_id: uuid.UUID | None = None,
    work_order_id: uuid.UUID | None = None,
    kind: Literal[
        "receipt",
        "reservation",
        "release",
        "issue",
        "transfer_out",
        "transfer_in",
        "faulty_return",
        "adjustment",
    ]
    | None = None,
) -> Any:
    """The ledger, newest first."""
    _staff(request)
    rows = selectors.ledger(
        depot_id=depot_id, part_id=part_id, work_order_id=work_order_id, kind=kind
    )
    return page(rows, query, _movement_out)


@router.get("/ledger-check", response=list[LedgerMismatchOut])
def ledger_check(request: HttpRequest) -> Any:
    """Stock rows that differ from the sum of their ledger; an empty list when all agree."""
    require_role(request.user, ADJUSTING_ROLES, doing=gettext_lazy("核对库存台账"))
    return [
        dict(depot_id=m.depot_id, part_id=m.part_id, stock=list(m.stock), ledger=list(m.ledger))
        for m in services.ledger_balance_check()
    ]


# --- parts requests -------------------------------------------------------------------------


@router.post("/requests", response={200: PartsRequestOut, 201: PartsRequestOut})
def parts_request_open(
    request: HttpRequest, payload: PartsRequestIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    """Request parts for a work order; the delivery clock starts (2 h regular, 48 h others, or
    the contract's targets)."""
    _staff(request)
    opened = services.parts_request_open(
        actor=request.user,
        work_order=_work_order(payload.work_order_id),
        part=_part(payload.part_id),
        depot=_depot(payload.depot_id),
        quantity=payload.quantity,
        note=payload.note,
        reserve=payload.reserve,
        idempotency_key=idempotency_key_for_user(request, idempotency_key),
        fingerprint=_fingerprint("request", payload),
    )
    return created_or_replayed(
        opened.created, _request_out(selectors.get_parts_request(opened.request.pk))
    )


@router.get("/requests", response=PartsRequestPageOut)
def parts_request_list(
    request: HttpRequest,
    query: Query[PageQuery],
    status: Literal["requested", "reserved", "dispatched", "delivered", "cancelled"] | None = None,
    depot_id: uuid.UUID | None = None,
    work_order_id: uuid.UUID | None = None,
    breached: bool | None = None,
) -> Any:
    """Requests by due time, each with its delivery clock state."""
    _staff(request)
    rows = selectors.parts_requests(
        status=status, depot_id=depot_id, work_order_id=work_order_id, breached=breached
    ).select_related("calendar")
    return page(rows, query, _request_out)


@router.get("/requests/{request_id}", response=PartsRequestOut)
def parts_request_detail(request: HttpRequest, request_id: uuid.UUID) -> Any:
    _staff(request)
    return _request_out(selectors.get_parts_request(request_id))


RequestAction = Literal["reserve", "dispatch", "deliver", "cancel"]


@router.post("/requests/{request_id}/{action}", response=PartsRequestOut)
def parts_request_act(
    request: HttpRequest,
    request_id: uuid.UUID,
    action: RequestAction,
    payload: CancelIn | None = None,
) -> Any:
    """reserve, dispatch (issues the parts), deliver (stops the clock), cancel (releases the
    reservation); 409 when the request's status does not allow it."""
    _staff(request)
    if action == "reserve":
        services.parts_request_reserve(actor=request.user, request_id=request_id)
    elif action == "dispatch":
        services.parts_request_dispatch(actor=request.user, request_id=request_id)
    elif action == "deliver":
        services.parts_request_deliver(actor=request.user, request_id=request_id)
    else:
        services.parts_request_cancel(
            actor=request.user, request_id=request_id, reason=(payload or CancelIn()).reason
        )
    return _request_out(selectors.get_parts_request(request_id))


@router.post("/delivery-targets", response={201: DeliveryTargetOut})
def delivery_target_set(request: HttpRequest, payload: DeliveryTargetIn) -> Any:
    """Set a delivery time for a kind of part, for a contract or (no contract) the default."""
    require_role(request.user, ADJUSTING_ROLES, doing=gettext_lazy("设定备件送达时限"))
    contract = None
    if payload.contract_id:
        contract = Contract.objects.filter(pk=payload.contract_id).first()
        if contract is None:
            raise ValidationFailed(_("没有这个合同"), field="contract_id")
    calendar = None
    if payload.calendar:
        calendar = Calendar.objects.filter(code=payload.calendar).first()
        if calendar is None:
            raise ValidationFailed(
                _("没有代码为“%(code)s”的日历") % {"code": payload.calendar}, field="calendar"
            )
    target = services.delivery_target_set(
        kind=payload.kind, minutes=payload.minutes, contract=contract, calendar=calendar
    )
    return Status(
        201,
        dict(
            id=target.pk,
            contract_id=target.contract_id,
            kind=target.kind,
            minutes=target.minutes,
            calendar=calendar.code if calendar else None,
        ),
    )


# --- purchase suggestions -------------------------------------------------------------------


@router.get("/suggestions", response=SuggestionPageOut)
def suggestion_list(
    request: HttpRequest,
    query: Query[PageQuery],
    status: Literal["open", "ordered", "dismissed"] | None = None,
    depot_id: uuid.UUID | None = None,
) -> Any:
    _staff(request)
    return page(
        selectors.purchase_suggestions(status=status, depot_id=depot_id), query, _suggestion_out
    )


@router.post("/suggestions/{suggestion_id}/decision", response=SuggestionOut)
def suggestion_decide(
    request: HttpRequest, suggestion_id: uuid.UUID, payload: SuggestionDecisionIn
) -> Any:
    require_role(request.user, MASTER_DATA_ROLES, doing=gettext_lazy("处理采购建议"))
    suggestion = services.purchase_suggestion_decide(
        actor=request.user, suggestion_id=suggestion_id, status=payload.status
    )
    return _suggestion_out(
        PurchaseSuggestion.objects.select_related("depot", "part").get(pk=suggestion.pk)
    )
