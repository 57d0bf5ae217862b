"""The inspection checklist filled on the engineer's phone from its work order."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from aftersales.cases.models import Case
from aftersales.inspections import services
from aftersales.inspections.models import InspectionOccurrence
from aftersales.inspections.tests.factories import at, checklist, field_team, make_plan
from aftersales.workorders import services as work_order_services
from aftersales.workorders.tests.factories import photo_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def on_site(manager, bob, acme, acme_site, diamond_contract):
    template = checklist(manager)
    make_plan(manager, template=template, team=field_team(), site_id=acme_site.pk)
    services.occurrences_plan(through=dt.date(2026, 11, 2))
    services.occurrences_dispatch(now=at("2026-11-02 08:00"), horizon_days=0)
    occurrence = InspectionOccurrence.objects.get()
    work_order_id = occurrence.work_order_id
    work_order_services.work_order_assign(actor=manager, work_order_id=work_order_id, technician_id=bob.pk)
    work_order_services.work_order_start_travel(actor=bob, work_order_id=work_order_id)
    work_order_services.work_order_check_in(actor=bob, work_order_id=work_order_id)
    photo = work_order_services.work_order_add_photo(actor=bob, work_order_id=work_order_id,
                                                     upload=io.BytesIO(photo_bytes()), caption="天线")
    return occurrence, photo


def test_the_engineer_fills_the_checklist_and_a_failed_item_opens_a_case(client_for, bob, on_site):
    occurrence, photo = on_site
    client = client_for(bob)
    url = f"/console/work-orders/{occurrence.work_order_id}/checklist/"
    assert "巡检检查表" in client.get(f"/console/work-orders/{occurrence.work_order_id}/").content.decode()
    page = client.get(url).content.decode()
    assert "供电电压" in page
    # the voltage is missing: refused at its row, nothing recorded
    refused = client.post(url, {"passed-0": "yes", "photo-0": str(photo.pk), "value-2": "绿"})
    assert refused.status_code == 422
    assert "请填写数值" in refused.content.decode()
    done = client.post(url, {"passed-0": "yes", "photo-0": str(photo.pk), "value-1": "10.2", "value-2": "绿"})
    assert done.status_code == 302
    occurrence.refresh_from_db()
    assert occurrence.status == "completed"
    assert Case.objects.filter(channel="inspection", category="fault").count() == 1
    assert "已提交" in client.get(url).content.decode()


def test_a_work_order_without_inspection_has_no_checklist(client_for, bob, agent, acme, diamond_contract):
    from aftersales.workorders.tests.factories import open_case

    case = open_case(agent, acme)
    work_order, _created = work_order_services.work_order_create(actor=agent, case_id=case.pk, kind="repair")
    assert client_for(bob).get(f"/console/work-orders/{work_order.pk}/checklist/").status_code == 404
