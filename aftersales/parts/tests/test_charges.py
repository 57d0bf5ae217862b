from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.assets.services import asset_create, product_create
from aftersales.parts import services
from aftersales.parts.tests.factories import at, make_work_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(db):
    return product_create(
        model="CAM-9", name="车牌识别相机", has_acceptance=False, warranty_months=12
    )


def _asset(acme, product, purchased_on):
    return asset_create(
        product=product,
        serial_number=f"SN-{purchased_on}",
        customer=acme,
        purchased_on=purchased_on,
    )


def test_parts_used_in_warranty_are_free(agent, acme, diamond_contract, product, depot, part):
    asset = _asset(acme, product, dt.date(2026, 3, 1))
    work_order = make_work_order(agent, acme, asset=asset)
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    [movement] = services.stock_issue(
        actor=agent,
        depot=depot,
        part=part,
        quantity=2,
        work_order=work_order,
        now=at("2026-11-02 10:00"),
    ).movements
    assert (
        movement.warranty_state,
        movement.is_chargeable,
        movement.unit_price,
        movement.amount,
    ) == (
        "warranty",
        False,
        None,
        Decimal(0),
    )
    assert movement.unit_cost == Decimal("800.00")


def test_out_of_warranty_parts_are_charged_at_the_contract_price(
    agent, acme, diamond_contract, product, depot, part
):
    # given an asset whose warranty ended, and a price agreed in the customer's contract
    asset = _asset(acme, product, dt.date(2024, 3, 1))
    work_order = make_work_order(agent, acme, asset=asset)
    assert work_order.case.contract_id == diamond_contract.pk
    services.contract_part_price_set(
        contract=diamond_contract, part=part, unit_price=Decimal("950.00")
    )
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    # when
    [movement] = services.stock_issue(
        actor=agent,
        depot=depot,
        part=part,
        quantity=2,
        work_order=work_order,
        now=at("2026-11-02 10:00"),
    ).movements
    # then
    assert (
        movement.warranty_state,
        movement.is_chargeable,
        movement.unit_price,
        movement.amount,
    ) == (
        "expired",
        True,
        Decimal("950.00"),
        Decimal("1900.00"),
    )


def test_without_a_contract_price_the_parts_sale_price_applies(agent, acme, product, depot, part):
    asset = _asset(acme, product, dt.date(2024, 3, 1))
    work_order = make_work_order(agent, acme, asset=asset)
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    [movement] = services.stock_issue(
        actor=agent,
        depot=depot,
        part=part,
        quantity=1,
        work_order=work_order,
        now=at("2026-11-02 10:00"),
    ).movements
    assert (movement.is_chargeable, movement.unit_price, movement.amount) == (
        True,
        Decimal("1200.00"),
        Decimal("1200.00"),
    )


def test_an_unknown_warranty_is_not_charged_but_marked_for_billing(
    agent, acme, depot, part, work_order
):
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    [movement] = services.stock_issue(
        actor=agent, depot=depot, part=part, quantity=1, work_order=work_order
    ).movements
    assert (movement.warranty_state, movement.is_chargeable, movement.amount) == (
        "none",
        False,
        Decimal(0),
    )


def test_the_work_order_report_lists_the_parts_issued_with_their_charge(agent, acme, product, depot, part):
    from aftersales.workorders.report import parts_lines_for

    in_warranty = make_work_order(agent, acme, asset=_asset(acme, product, dt.date(2026, 3, 1)))
    expired = make_work_order(agent, acme, asset=_asset(acme, product, dt.date(2024, 3, 1)))
    services.stock_receive(actor=agent, depot=depot, part=part, quantity=5)
    for work_order in (in_warranty, expired):
        services.stock_issue(actor=agent, depot=depot, part=part, quantity=1, work_order=work_order,
                             now=at("2026-11-02 10:00"))
    [free] = parts_lines_for(in_warranty)
    [charged] = parts_lines_for(expired)
    assert (free.code, free.quantity, free.price) == (part.code, 1, None)
    assert charged.price == part.sale_price
