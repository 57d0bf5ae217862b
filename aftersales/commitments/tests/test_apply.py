"""Applying a reviewed commitment import: the seed document gives a 24×7 policy with its
figures, products' warranty terms, parts delivery and the return window; regional figures reach
the cases at sites of that region; apply is all or nothing, and idempotent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from aftersales.assets.models import Product
from aftersales.assets.services import product_create
from aftersales.cases.models import CaseClock
from aftersales.cases.services import case_open
from aftersales.commitments import services
from aftersales.commitments.documents import text_document
from aftersales.commitments.models import CommitmentImport, ImportStatus
from aftersales.commitments.services import ApplyTarget, commitment_apply, commitment_import_create
from aftersales.contracts.models import Contract, ServiceTier, SlaPolicy
from aftersales.contracts.services import contract_create, policy_targets
from aftersales.core.errors import Conflict, PermissionDenied, PreconditionFailed, ValidationFailed
from aftersales.customers.services import site_create
from aftersales.parts.models import PartsDeliveryTarget
from aftersales.returns.models import ReturnPolicy

pytestmark = pytest.mark.django_db

DOCUMENTS = Path(__file__).resolve().parent / "documents"
T0 = dt.datetime(2026, 11, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def seed_text() -> str:
    return (DOCUMENTS / "seed.txt").read_text(encoding="utf-8")


@pytest.fixture
def product(db) -> Product:
    return product_create(model="ITS-9", name="收费车道控制机", trial_months=3, warranty_months=6,
                          return_days=15)


def _import(manager, text: str) -> CommitmentImport:
    return commitment_import_create(actor=manager, document=text_document(text=text, name="承诺书"))


def test_the_seed_applied_to_a_contract_gives_its_figures_everywhere(
    seed_text, manager, acme, diamond_contract, product,
):
    # given the seed imported as it is parsed
    commitment = _import(manager, seed_text)

    # when it is applied to a new policy, as the contract's own, with the product
    applied = commitment_apply(actor=manager, import_id=commitment.pk, version=commitment.version,
                               target=ApplyTarget(policy_code="its-bid", policy_name="ITS 投标承诺",
                                                  contract_number=diamond_contract.number,
                                                  product_models=("ITS-9",)))

    # then the policy has the promised targets on a 24×7 calendar
    policy = SlaPolicy.objects.get(code="its-bid")
    assert applied.status == ImportStatus.APPLIED
    assert applied.target_policy == policy
    assert policy.calendar.working_hours == {}
    p1 = policy_targets(policy, "P1")
    # first response: the phone response (30 min) beats the 24 h response; on site: 4 h beats
    # 24 h; resolution: the general faults' 24 h, which P1 and P2 take too; restoration: the
    # 24 h of "24小时内恢复系统" beats the 48 h of "48小时恢复正常工作" (the most favourable)
    assert p1 == {"first_response": 30, "on_site": 240, "resolution": 1440, "restoration": 1440}
    assert policy_targets(policy, "P3")["resolution"] == 1440
    assert policy_targets(policy, "P4")["resolution"] is None
    assert policy_targets(policy, "P4")["on_site"] == 240
    # the contract runs it, the product has the warranty terms, parts and returns the rest
    assert Contract.objects.get(pk=diamond_contract.pk).policy_override == policy
    product.refresh_from_db()
    assert (product.trial_months, product.warranty_months, product.return_days) == (12, 12, 15)
    delivery = dict(PartsDeliveryTarget.objects.filter(contract=diamond_contract).values_list("kind", "minutes"))
    assert delivery == {"regular": 120, "non_regular": 2880}
    assert ReturnPolicy.objects.get(contract=diamond_contract).window_days == 7
    labels = [change["label"] for change in applied.applied_changes]
    assert "默认 P1 到场" in labels


def test_the_48_hour_restoration_wins_once_the_24_hour_one_is_unticked(
    seed_text, manager, diamond_contract,
):
    # given the seed, with the 24 h restoration promise unticked in the review
    commitment = _import(manager, seed_text)
    quick = commitment.items.get(kind="restoration", value=1440)
    services.commitment_item_update(actor=manager, import_id=commitment.pk, item_id=quick.pk,
                                    version=commitment.version, is_included=False)

    # when applied
    commitment_apply(actor=manager, import_id=commitment.pk,
                     target=ApplyTarget(policy_code="its-bid", policy_name="ITS 投标承诺"))

    # then the restoration target is the 48 h one
    assert policy_targets(SlaPolicy.objects.get(code="its-bid"), "P1")["restoration"] == 2880


def test_items_that_do_not_fit_the_policy_are_unticked_with_the_reason(manager):
    text = (DOCUMENTS / "contracts_warranty_zh.txt").read_text(encoding="utf-8")
    commitment = _import(manager, text)
    without = commitment.items.get(kind="on_site", conditions__contract="without_maintenance_contract")
    assert not without.is_included
    assert "无维保合同" in without.reason
    out = commitment.items.get(kind="on_site", conditions__warranty_status="out_of_warranty")
    assert not out.is_included
    assert "保修期外" in out.reason
    with_contract = commitment.items.get(kind="on_site", conditions__contract="with_maintenance_contract")
    assert with_contract.is_included
    assert with_contract.reason == ""


def test_regional_figures_reach_cases_at_sites_of_that_region(manager, agent, acme):
    # given "京津地区2小时到场，其他地区48小时" applied as the gold tier's policy
    commitment = _import(manager, "售后承诺：京津地区2小时到场，其他地区48小时。")
    regional = commitment.items.get(value=120)
    assert regional.regions == ["北京", "天津"]
    assert regional.is_included
    commitment_apply(actor=manager, import_id=commitment.pk,
                     target=ApplyTarget(policy_code="regional", policy_name="分区域承诺", tier_code="gold"))
    assert ServiceTier.objects.get(code="gold").policy.code == "regional"
    contract_create(number="HT-R", customer=acme, tier_code="gold", starts_on=dt.date(2026, 1, 1),
                    ends_on=dt.date(2026, 12, 31))
    tianjin = site_create(customer=acme, name="天津站", region="天津")
    urumqi = site_create(customer=acme, name="乌鲁木齐站", region="新疆")

    # when cases are filed at both sites
    near, _ = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                        title="断电", severity="P2", site_id=tianjin.pk, now=T0)
    far, _ = case_open(actor=agent, customer_id=acme.pk, channel="phone", category="fault",
                       title="断电", severity="P2", site_id=urumqi.pk, now=T0)

    # then each runs its region's on-site clock
    assert CaseClock.objects.get(case=near, target="on_site").target_minutes == 120
    assert CaseClock.objects.get(case=far, target="on_site").target_minutes == 2880


def test_a_relative_region_is_unticked_until_the_administrator_names_it(manager):
    commitment = _import(manager, "省内用户报修后4小时内到达现场。")
    item = commitment.items.get()
    assert not item.is_included
    assert "省内" in item.reason
    updated = services.commitment_item_update(
        actor=manager, import_id=commitment.pk, item_id=item.pk, version=commitment.version,
        regions=["新疆", " 新疆", ""], is_included=True)
    assert updated.regions == ["新疆"]
    assert updated.is_included
    assert updated.reason == ""


def test_applying_the_same_review_twice_changes_nothing_the_second_time(seed_text, manager, diamond_contract):
    commitment = _import(manager, seed_text)
    target = ApplyTarget(policy_code="its-bid", policy_name="ITS 投标承诺",
                         contract_number=diamond_contract.number)
    first = commitment_apply(actor=manager, import_id=commitment.pk, target=target)
    policy_version = SlaPolicy.objects.get(code="its-bid").version

    again = commitment_apply(actor=manager, import_id=commitment.pk, target=target)

    assert again.applied_at == first.applied_at
    assert again.version == first.version
    assert SlaPolicy.objects.get(code="its-bid").version == policy_version
    # a second import of the same document onto the same policy finds nothing to change
    second = commitment_apply(actor=manager, import_id=_import(manager, seed_text).pk, target=target)
    assert second.applied_changes == []
    assert SlaPolicy.objects.get(code="its-bid").version == policy_version


def test_applying_with_another_target_or_editing_after_apply_is_a_conflict(seed_text, manager):
    commitment = _import(manager, seed_text)
    commitment_apply(actor=manager, import_id=commitment.pk,
                     target=ApplyTarget(policy_code="its-bid", policy_name="ITS 投标承诺"))
    with pytest.raises(Conflict) as other:
        commitment_apply(actor=manager, import_id=commitment.pk,
                         target=ApplyTarget(policy_code="gold"))
    assert other.value.code == "already_applied"
    commitment.refresh_from_db()
    item = commitment.items.first()
    with pytest.raises(Conflict):
        services.commitment_item_update(actor=manager, import_id=commitment.pk, item_id=item.pk,
                                        version=commitment.version, value=1)


def test_a_stale_version_is_refused(seed_text, manager):
    commitment = _import(manager, seed_text)
    item = commitment.items.get(kind="on_site", value=240)
    services.commitment_item_update(actor=manager, import_id=commitment.pk, item_id=item.pk,
                                    version=commitment.version, value=180)
    with pytest.raises(PreconditionFailed):
        services.commitment_item_update(actor=manager, import_id=commitment.pk, item_id=item.pk,
                                        version=commitment.version, value=120)
    with pytest.raises(Conflict) as stale:
        commitment_apply(actor=manager, import_id=commitment.pk, version=commitment.version,
                         target=ApplyTarget(policy_code="x", policy_name="x"))
    assert stale.value.field == "version"
    assert not SlaPolicy.objects.filter(code="x").exists()


def test_apply_is_all_or_nothing(seed_text, manager, diamond_contract, monkeypatch):
    # given an import whose last step (the return window) fails
    commitment = _import(manager, seed_text)

    def broken(**kwargs):
        raise ValidationFailed("boom", field="window_days")

    monkeypatch.setattr(services, "return_policy_set", broken)

    # when applied
    with pytest.raises(ValidationFailed):
        commitment_apply(actor=manager, import_id=commitment.pk,
                         target=ApplyTarget(policy_code="its-bid", policy_name="ITS 投标承诺",
                                            contract_number=diamond_contract.number))

    # then nothing at all was written
    assert not SlaPolicy.objects.filter(code="its-bid").exists()
    assert Contract.objects.get(pk=diamond_contract.pk).policy_override is None
    assert not PartsDeliveryTarget.objects.filter(contract=diamond_contract).exists()
    commitment.refresh_from_db()
    assert commitment.status == ImportStatus.DRAFT
    assert commitment.applied_changes == []


def test_the_target_is_checked_by_field(seed_text, manager):
    commitment = _import(manager, seed_text)
    cases = [
        (ApplyTarget(policy_code=""), "policy_code"),
        (ApplyTarget(policy_code="new-one"), "policy_name"),
        (ApplyTarget(policy_code="bad code!", policy_name="x"), "policy_code"),
        (ApplyTarget(policy_code="gold", tier_code="nope"), "tier_code"),
        (ApplyTarget(policy_code="gold", contract_number="nope"), "contract_number"),
        (ApplyTarget(policy_code="gold", product_models=("nope",)), "product_models"),
    ]
    for target, field in cases:
        with pytest.raises(ValidationFailed) as refused:
            commitment_apply(actor=manager, import_id=commitment.pk, target=target)
        assert refused.value.field == field


def test_informational_items_cannot_be_ticked(manager):
    commitment = _import(manager, "24小时内给予书面答复。")
    item = commitment.items.get()
    assert item.kind == "reply"
    assert not item.is_included
    assert item.reason
    with pytest.raises(ValidationFailed) as refused:
        services.commitment_item_update(actor=manager, import_id=commitment.pk, item_id=item.pk,
                                        version=commitment.version, is_included=True)
    assert refused.value.field == "is_included"
    # mapped to first response by the administrator, it applies
    services.commitment_item_update(actor=manager, import_id=commitment.pk, item_id=item.pk,
                                    version=commitment.version, kind="first_response", is_included=True)
    commitment_apply(actor=manager, import_id=commitment.pk,
                     target=ApplyTarget(policy_code="reply", policy_name="回复"))
    assert policy_targets(SlaPolicy.objects.get(code="reply"), "P2")["first_response"] == 1440


def test_only_admins_and_managers_import(agent):
    with pytest.raises(PermissionDenied):
        commitment_import_create(actor=agent, document=text_document(text="4小时到场"))
    assert not CommitmentImport.objects.exists()


VISITS = "我们承诺每2个月回访一次，每季度回访调查一次。每月巡检一次。"


def test_return_visits_go_to_the_contracts_plan_and_the_tiers_interval(manager, agent, diamond_contract):
    from aftersales.surveys.models import ReturnVisitPlan

    # given a document promising visits every 2 months (and quarterly): the most frequent wins;
    # the monthly inspection stays for information (plans are per site)
    commitment = _import(manager, VISITS)
    kinds = {item.kind: item for item in commitment.items.all()}
    assert kinds["return_visit_frequency"].is_included
    assert not kinds["inspection_frequency"].is_included
    target = ApplyTarget(policy_code="diamond", tier_code="diamond", contract_number=diamond_contract.number,
                         visit_assignee_id=str(agent.pk))

    # the preview says what happens: a monthly plan keeps the 2-month promise
    preview = services.commitment_preview(actor=manager, import_id=commitment.pk, target=target)
    assert [(c.area, c.old, c.new) for c in preview.changes if c.area == "return_visits"] == [
        ("return_visits", "—", "2"), ("return_visits", "—", "每月")]
    assert any("每 2 个月" in note for note in preview.notes)

    # when it is applied
    commitment_apply(actor=manager, import_id=commitment.pk, target=target)

    # then the contract is visited monthly by the agent, and the tier promises every 2 months
    plan = ReturnVisitPlan.objects.get(contract=diamond_contract, is_active=True)
    assert (plan.frequency, plan.assignee) == ("monthly", agent)
    assert ServiceTier.objects.get(code="diamond").return_visit_months == 2
    # applied again: nothing new
    commitment_apply(actor=manager, import_id=commitment.pk, target=target)
    assert ReturnVisitPlan.objects.filter(contract=diamond_contract).count() == 1


def test_a_contract_without_a_plan_needs_a_visitor_before_anything_is_applied(manager, diamond_contract, acme):
    commitment = _import(manager, "7×24小时服务，每季度回访一次。")
    target = ApplyTarget(policy_code="visits", policy_name="回访", contract_number=diamond_contract.number)
    for call in (services.commitment_preview, commitment_apply):
        with pytest.raises(ValidationFailed) as refused:
            call(actor=manager, import_id=commitment.pk, target=target)
        assert refused.value.field == "visit_assignee_id"
    assert not SlaPolicy.objects.filter(code="visits").exists()

    customer_user = _customer_user(acme)
    for visitor in ("999999", "abc", str(customer_user.pk)):
        with pytest.raises(ValidationFailed) as refused:
            services.commitment_preview(actor=manager, import_id=commitment.pk,
                                        target=ApplyTarget(policy_code="gold", visit_assignee_id=visitor))
        assert refused.value.field == "visit_assignee_id"


def _customer_user(customer):
    from aftersales.accounts.models import Role
    from aftersales.accounts.services import user_create

    return user_create(username="acme-user", password="x-Very-long-passw0rd", role=Role.CUSTOMER,
                       customer=customer)


def test_return_visits_without_a_tier_or_contract_are_noted_not_applied(manager):
    from aftersales.surveys.models import ReturnVisitPlan

    commitment = _import(manager, "每半年回访一次。")
    preview = services.commitment_preview(actor=manager, import_id=commitment.pk,
                                          target=ApplyTarget(policy_code="gold"))
    assert any("回访频率不会写入" in note for note in preview.notes)
    commitment_apply(actor=manager, import_id=commitment.pk, target=ApplyTarget(policy_code="gold"))
    assert not ReturnVisitPlan.objects.exists()


def test_weekly_visits_cannot_be_planned_and_are_left_unticked_with_the_reason(manager):
    commitment = _import(manager, "每周回访一次。")
    item = commitment.items.get()
    assert (item.kind, item.value, item.value_unit, item.is_included) == ("return_visit_frequency", 7, "days", False)
    assert "每月" in item.reason

    # set to 1 by the administrator, it is monthly
    edited = services.commitment_item_update(actor=manager, import_id=commitment.pk, item_id=item.pk,
                                             version=commitment.version, value=1, is_included=True)
    assert (edited.value, edited.value_unit, edited.is_included) == (1, "months", True)
