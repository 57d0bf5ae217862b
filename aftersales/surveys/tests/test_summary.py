"""satisfaction_summary against a hand-computed fixture."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.surveys import selectors, services
from aftersales.surveys.models import Survey
from aftersales.surveys.tests.factories import closed_case

pytestmark = pytest.mark.django_db

NOV = dt.datetime(2026, 11, 10, 10, 0, tzinfo=dt.UTC)


def _answer(survey: Survey, speed: int, professionalism: int, result: int, attitude: int) -> None:
    services.survey_answer(actor=survey._answerer, survey_id=survey.pk, now=NOV + dt.timedelta(hours=1), answers={  # type: ignore[attr-defined]
        "response_speed": speed, "professionalism": professionalism, "result": result, "attitude": attitude})


def test_the_summary_counts_rates_and_averages_exactly(agent, alice, charlie, acme, globex, diamond_contract):
    # given: four Acme surveys in November (three answered), one in October, one of Globex
    acme_cases = [closed_case(agent, acme, title=f"故障 {i}", when=NOV + dt.timedelta(days=i)) for i in range(4)]
    closed_case(agent, acme, title="十月", when=dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC))
    globex_case = closed_case(agent, globex, title="别家", when=NOV)
    surveys = {s.case_id: s for s in Survey.objects.all()}
    answers = [(5, 4, 4, 5), (3, 3, 2, 4), (4, 5, 5, 5)]  # the third case of the four stays unanswered
    for case, ratings in zip(acme_cases[:3], answers, strict=True):
        survey = surveys[case.pk]
        survey._answerer = alice  # type: ignore[attr-defined]
        _answer(survey, *ratings)
    other = surveys[globex_case.pk]
    other._answerer = charlie  # type: ignore[attr-defined]
    _answer(other, 1, 1, 1, 1)
    # when
    summary = selectors.satisfaction_summary(customer_id=acme.pk, start=dt.date(2026, 11, 1),
                                             end=dt.date(2026, 11, 30))
    # then
    # speed (5+3+4)/3 = 4.00; professionalism (4+3+5)/3 = 4.00; result (4+2+5)/3 = 3.67;
    # attitude (5+4+5)/3 = 4.67; overall (18+12+19)/12 = 4.08; one survey with a 2 (threshold 2)
    assert summary == {
        "sent": 4,
        "answered": 3,
        "response_rate": 0.75,
        "averages": {
            "attitude": {"label": "您对服务人员的服务态度是否满意？", "average": 4.67, "count": 3},
            "professionalism": {"label": "您对服务人员的专业水平是否满意？", "average": 4.0, "count": 3},
            "response_speed": {"label": "您对我们的响应速度是否满意？", "average": 4.0, "count": 3},
            "result": {"label": "您对问题的处理结果是否满意？", "average": 3.67, "count": 3},
        },
        "overall_average": 4.08,
        "low_score_count": 1,
    }
    # by contract: the Acme cases carry the diamond contract, Globex's none
    by_contract = selectors.satisfaction_summary(contract_id=diamond_contract.pk, start=dt.date(2026, 11, 1),
                                                 end=dt.date(2026, 11, 30))
    assert (by_contract["sent"], by_contract["answered"], by_contract["overall_average"]) == (4, 3, 4.08)
    everyone = selectors.satisfaction_summary(start=dt.date(2026, 10, 1), end=dt.date(2026, 11, 30))
    assert (everyone["sent"], everyone["answered"], everyone["low_score_count"]) == (6, 4, 2)
    # overall: (49 + 4) / 16 = 3.3125
    assert everyone["overall_average"] == 3.31


def test_an_empty_period_has_no_rates(acme):
    assert selectors.satisfaction_summary(customer_id=acme.pk, start=dt.date(2026, 1, 1),
                                          end=dt.date(2026, 1, 31)) == {
        "sent": 0, "answered": 0, "response_rate": None, "averages": {}, "overall_average": None,
        "low_score_count": 0}
