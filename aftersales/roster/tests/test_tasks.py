from __future__ import annotations

import pytest

from aftersales.roster.models import RosterAlertMark
from aftersales.roster.tasks import alert_out_of_hours, flag_gaps

pytestmark = pytest.mark.django_db


def test_the_periodic_tasks_run_the_roster_services(manager, field_team):
    # when
    alerts = alert_out_of_hours.call_local()
    flags = flag_gaps.call_local()
    # then: no cases to alert, and the empty field roster is one gap told to the manager
    assert alerts == (0, 0)
    assert flags == (1, 1)
    assert RosterAlertMark.objects.filter(name="out_of_hours_cases").count() == 1
