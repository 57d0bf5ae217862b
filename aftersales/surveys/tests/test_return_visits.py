"""Return visits (定期回访): periods, plans, generation exactly once per period (also with two
runs at once), recording the outcome and its follow-up."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from aftersales.accounts.models import Role
from aftersales.cases.models import Case
from aftersales.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    ValidationFailed,
)
from aftersales.surveys import periods, selectors, services
from aftersales.surveys.models import ReturnVisit, ReturnVisitPlan, VisitStatus

D = dt.date


@pytest.mark.parametrize(("frequency", "day", "start", "end"), [
    ("monthly", D(2026, 2, 14), D(2026, 2, 1), D(2026, 2, 28)),
    ("quarterly", D(2026, 5, 31), D(2026, 4, 1), D(2026, 6, 30)),
    ("quarterly", D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31)),
    ("half_yearly", D(2026, 7, 1), D(2026, 7, 1), D(2026, 12, 31)),
    ("yearly", D(2028, 2, 29), D(2028, 1, 1), D(2028, 12, 31)),
])
def test_periods_are_calendar_aligned(frequency, day, start, end):
    assert periods.period_start(frequency, day) == start
    assert periods.period_end(frequency, start) == end


def test_periods_run_from_the_start_to_today_and_stop_at_the_end():
    assert list(periods.periods("quarterly", D(2026, 2, 10), D(2026, 11, 2))) == [
        D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1)]
    assert list(periods.periods("quarterly", D(2026, 2, 10), D(2026, 11, 2), D(2026, 6, 30))) == [
        D(2026, 1, 1), D(2026, 4, 1)]
    assert list(periods.periods("monthly", D(2026, 12, 5), D(2027, 1, 1))) == [D(2026, 12, 1), D(2027, 1, 1)]


@pytest.fixture
def plan(manager, agent, acme, diamond_contract):
    return services.return_visit_plan_create(actor=manager, customer_id=acme.pk, contract_id=diamond_contract.pk,
                                             assignee_id=agent.pk, starts_on=D(2026, 2, 10), today=D(2026, 2, 10))


@pytest.mark.django_db
def test_a_diamond_contracts_plan_is_quarterly_and_its_first_visit_exists_at_once(plan, agent, acme):
    assert plan.frequency == "quarterly"
    visit = ReturnVisit.objects.get()
    assert (visit.plan, visit.customer, visit.period_start, visit.due_on, visit.assignee, visit.status) == (
        plan, acme, D(2026, 1, 1), D(2026, 3, 31), agent, VisitStatus.DUE)


@pytest.mark.django_db
def test_generation_makes_each_period_once_however_often_it_runs(plan):
    assert services.return_visits_generate(today=D(2026, 11, 2)) == 3
    assert services.return_visits_generate(today=D(2026, 11, 2)) == 0
    assert services.return_visits_generate(today=D(2026, 11, 30)) == 0
    assert list(ReturnVisit.objects.order_by("period_start").values_list("period_start", flat=True)) == [
        D(2026, 1, 1), D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1)]


@pytest.mark.django_db
def test_stopped_plans_and_plans_not_yet_started_make_nothing(manager, agent, acme, plan):
    services.return_visit_plan_update(actor=manager, plan_id=plan.pk, is_active=False)
    later = services.return_visit_plan_create(actor=manager, customer_id=acme.pk, frequency="monthly",
                                              assignee_id=agent.pk, starts_on=D(2027, 1, 1), today=D(2026, 2, 10))
    assert services.return_visits_generate(today=D(2026, 11, 2)) == 0
    assert ReturnVisit.objects.filter(plan=later).count() == 0
    # stopping cancelled the open visit
    assert list(ReturnVisit.objects.values_list("status", flat=True)) == [VisitStatus.CANCELLED]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_generate_each_period_once(manager, agent, acme, globex):
    # given
    for customer in (acme, globex):
        for frequency in ("monthly", "quarterly"):
            ReturnVisitPlan.objects.create(customer=customer, frequency=frequency, assignee=agent,
                                           starts_on=D(2026, 1, 5), created_by=manager)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            services.return_visits_generate(today=D(2026, 11, 2))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    # then: 11 months + 4 quarters per customer
    assert errors == []
    assert ReturnVisit.objects.count() == 2 * (11 + 4)
    assert ReturnVisit.objects.values("plan_id", "period_start").distinct().count() == 30


@pytest.mark.django_db
def test_plan_rules(manager, agent, alice, acme, globex, diamond_contract):
    def create(**changes):
        values = {"actor": manager, "customer_id": acme.pk, "assignee_id": agent.pk, "starts_on": D(2026, 1, 1),
                  "frequency": "monthly", **changes}
        return services.return_visit_plan_create(**values)

    for changes, field in (
        ({"customer_id": "nope"}, "customer_id"),
        ({"customer_id": globex.pk, "contract_id": diamond_contract.pk}, "contract_id"),
        ({"frequency": "weekly"}, "frequency"),
        ({"frequency": None}, "frequency"),
        ({"assignee_id": alice.pk}, "assignee_id"),
        ({"ends_on": D(2025, 12, 31)}, "ends_on"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            create(**changes)
        assert refused.value.field == field
    with pytest.raises(PermissionDenied):
        create(actor=agent)
    assert not ReturnVisitPlan.objects.exists()


@pytest.mark.django_db
def test_a_new_assignee_takes_over_the_open_visits(plan, manager, make_user):
    other = make_user("li", Role.AGENT)
    services.return_visit_plan_update(actor=manager, plan_id=plan.pk, assignee_id=other.pk, expected_version=1,
                                      today=D(2026, 2, 10))
    assert list(ReturnVisit.objects.values_list("assignee__username", flat=True)) == ["li"]
    with pytest.raises(PreconditionFailed):
        services.return_visit_plan_update(actor=manager, plan_id=plan.pk, note="x", expected_version=1)


@pytest.mark.django_db
def test_the_agent_records_a_reached_visit(plan, agent):
    visit = ReturnVisit.objects.get()
    done = services.return_visit_record(actor=agent, visit_id=visit.pk, is_reached=True, satisfaction=4,
                                        notes="客户对本季度服务满意", expected_version=1)
    assert (done.status, done.is_reached, done.satisfaction, done.done_by, done.follow_up_case) == (
        VisitStatus.DONE, True, 4, agent, None)
    with pytest.raises(Conflict):
        services.return_visit_record(actor=agent, visit_id=visit.pk, is_reached=True, satisfaction=5)
    assert ReturnVisit.objects.get().satisfaction == 4


@pytest.mark.django_db
def test_a_follow_up_needed_opens_one_case(plan, agent, acme):
    visit = ReturnVisit.objects.get()
    done = services.return_visit_record(actor=agent, visit_id=visit.pk, is_reached=True, satisfaction=2,
                                        notes="客户反映夜间热线接通慢", is_follow_up_needed=True)
    follow_up = done.follow_up_case
    assert follow_up is not None
    assert (follow_up.category, follow_up.customer, follow_up.assignee, follow_up.description) == (
        "consultation", acme, agent, "客户反映夜间热线接通慢")
    assert follow_up.title == "回访跟进：Acme 高速公路管理处（2026-01 回访）"
    with pytest.raises(Conflict):
        services.return_visit_record(actor=agent, visit_id=visit.pk, is_reached=True, notes="再来一次",
                                     is_follow_up_needed=True)
    assert Case.objects.filter(category="consultation").count() == 1


@pytest.mark.django_db
def test_outcome_rules(plan, agent, bob, alice):
    visit = ReturnVisit.objects.get()
    for changes, field in (
        ({"is_reached": False, "satisfaction": 3}, "satisfaction"),
        ({"is_reached": True, "satisfaction": 6}, "satisfaction"),
        ({"is_reached": True, "is_follow_up_needed": True}, "notes"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            services.return_visit_record(actor=agent, visit_id=visit.pk, **changes)
        assert refused.value.field == field
    with pytest.raises(PermissionDenied):
        services.return_visit_record(actor=bob, visit_id=visit.pk, is_reached=True)
    with pytest.raises(PermissionDenied):
        services.return_visit_record(actor=alice, visit_id=visit.pk, is_reached=True)
    with pytest.raises(NotFound):
        services.return_visit_record(actor=agent, visit_id="nope", is_reached=True)
    with pytest.raises(PreconditionFailed):
        services.return_visit_record(actor=agent, visit_id=visit.pk, is_reached=True, expected_version=7)
    assert ReturnVisit.objects.get().status == VisitStatus.DUE


@pytest.mark.django_db
def test_the_agents_list_shows_due_and_overdue_and_customers_see_nothing(plan, agent, alice):
    services.return_visits_generate(today=D(2026, 5, 2))
    overdue = selectors.return_visit_list(user=agent, assignee_id=agent.pk, state="overdue", today=D(2026, 5, 2))
    assert [v.period_start for v in overdue] == [D(2026, 1, 1)]
    open_visits = selectors.return_visit_list(user=agent, assignee_id=agent.pk, state="open", today=D(2026, 5, 2))
    assert [v.period_start for v in open_visits] == [D(2026, 1, 1), D(2026, 4, 1)]
    assert not selectors.return_visit_list(user=alice).exists()
    with pytest.raises(NotFound):
        selectors.get_return_visit_for_user(alice, ReturnVisit.objects.first().pk)
    with pytest.raises(NotFound):
        selectors.get_return_visit_plan_for_user(alice, plan.pk)


@pytest.mark.parametrize(("months", "frequency"), [
    (1, "monthly"), (2, "monthly"), (3, "quarterly"), (4, "quarterly"), (6, "half_yearly"),
    (11, "half_yearly"), (12, "yearly"), (24, "yearly"), (0, None),
])
def test_a_promised_interval_takes_the_least_frequent_plan_that_keeps_it(months, frequency):
    assert periods.frequency_for_months(months) == frequency


@pytest.mark.django_db
def test_a_tiers_own_interval_overrides_the_default_of_its_code(manager, agent, acme, diamond_contract):
    from aftersales.contracts.services import service_tier_set_return_visit_months

    service_tier_set_return_visit_months(tier=diamond_contract.tier, months=1)
    plan = services.return_visit_plan_create(actor=manager, customer_id=acme.pk, contract_id=diamond_contract.pk,
                                             assignee_id=agent.pk, starts_on=D(2026, 2, 10), today=D(2026, 2, 10))
    assert plan.frequency == "monthly"


@pytest.mark.django_db
def test_a_contract_without_a_plan_gets_one_and_needs_a_visitor(manager, agent, acme, diamond_contract):
    with pytest.raises(ValidationFailed) as refused:
        services.return_visit_plan_set_for_contract(actor=manager, contract=diamond_contract, frequency="monthly",
                                                    today=D(2026, 2, 10))
    assert refused.value.field == "assignee_id"
    assert not ReturnVisitPlan.objects.exists()

    plan = services.return_visit_plan_set_for_contract(actor=manager, contract=diamond_contract,
                                                       frequency="monthly", assignee_id=agent.pk,
                                                       today=D(2026, 2, 10))
    assert (plan.customer, plan.contract, plan.frequency, plan.assignee, plan.starts_on, plan.ends_on) == (
        acme, diamond_contract, "monthly", agent, D(2026, 2, 10), diamond_contract.ends_on)
    assert ReturnVisit.objects.get().period_start == D(2026, 2, 1)


@pytest.mark.django_db
def test_the_same_frequency_keeps_the_plan_and_another_replaces_it_from_today(plan, manager, agent):
    # the quarterly plan (started 2026-02-10) again: nothing changes
    assert services.return_visit_plan_set_for_contract(actor=manager, contract=plan.contract,
                                                       frequency="quarterly", today=D(2026, 5, 3)) == plan
    assert ReturnVisitPlan.objects.count() == 1

    # monthly: the old plan stops (its open visit is cancelled), a new one starts today with
    # the same visitor
    monthly = services.return_visit_plan_set_for_contract(actor=manager, contract=plan.contract,
                                                          frequency="monthly", today=D(2026, 5, 3))
    plan.refresh_from_db()
    assert not plan.is_active
    assert (monthly.frequency, monthly.assignee, monthly.starts_on, monthly.is_active) == (
        "monthly", agent, D(2026, 5, 3), True)
    assert set(ReturnVisit.objects.filter(plan=plan).values_list("status", flat=True)) == {VisitStatus.CANCELLED}
    assert list(ReturnVisit.objects.filter(plan=monthly).values_list("period_start", flat=True)) == [D(2026, 5, 1)]


@pytest.mark.django_db
def test_a_period_already_visited_is_not_visited_again_by_the_new_plan(plan, manager, agent):
    visit = ReturnVisit.objects.order_by("-period_start").first()
    services.return_visit_record(actor=agent, visit_id=visit.pk, is_reached=True, satisfaction=5,
                                 now=dt.datetime(2026, 2, 20, 3, 0, tzinfo=dt.UTC))
    half_yearly = services.return_visit_plan_set_for_contract(actor=manager, contract=plan.contract,
                                                              frequency="half_yearly", today=D(2026, 3, 1))
    # visited in February: the half-year from January is kept; the new plan begins in July
    assert half_yearly.starts_on == D(2026, 7, 1)
    assert not ReturnVisit.objects.filter(plan=half_yearly).exists()


@pytest.mark.django_db
def test_setting_a_contracts_visits_is_for_planners_and_not_after_the_contract_ends(
    manager, agent, acme, diamond_contract,
):
    with pytest.raises(PermissionDenied):
        services.return_visit_plan_set_for_contract(actor=agent, contract=diamond_contract, frequency="monthly",
                                                    assignee_id=agent.pk)
    with pytest.raises(ValidationFailed) as refused:
        services.return_visit_plan_set_for_contract(actor=manager, contract=diamond_contract, frequency="weekly",
                                                    assignee_id=agent.pk)
    assert refused.value.field == "frequency"
    with pytest.raises(ValidationFailed) as refused:
        services.return_visit_plan_set_for_contract(actor=manager, contract=diamond_contract, frequency="monthly",
                                                    assignee_id=agent.pk, today=D(2036, 1, 2))
    assert refused.value.field == "contract_id"
