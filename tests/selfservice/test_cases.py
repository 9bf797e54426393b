"""The page's "我想回家" and "我有问题" open a case through cases.services.open_case."""

import pytest
from django.apps import apps
from django.urls import reverse

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not apps.is_installed("cases"), reason="the cases app is not installed"),
]


def test_go_home_and_a_wage_problem_open_cases_the_worker_then_sees(link_and_token, placed, client):
    from cases.models import Case

    _link, token = link_and_token
    go_home = reverse("selfservice_public:case", args=[token, "go_home"])
    assert client.get(go_home).status_code == 200
    assert client.post(go_home, {"description": "家里老人生病"}).status_code == 302
    problem = reverse("selfservice_public:case", args=[token, "problem"])
    refused = client.post(problem, {"kind": "wage_arrears", "description": "两个月没发工资"})
    assert refused.status_code == 200 and not Case.objects.filter(kind="wage_arrears")
    response = client.post(
        problem,
        {
            "kind": "wage_arrears",
            "description": "两个月没发工资",
            "sector": "non_construction",
            "owed_from": "2026-09",
            "owed_to": "2026-10",
            "amount_owed": "9000",
        },
    )
    assert response.status_code == 302
    opened = {c.kind: c for c in Case.objects.filter(worker=placed.worker)}
    assert set(opened) == {"go_home", "wage_arrears"}
    assert all(c.opened_via == "worker_link" and c.opened_by is None for c in opened.values())
    html = client.get(reverse("selfservice_public:me", args=[token])).content.decode()
    assert "我反映的问题" in html and "两个月没发工资" not in html  # steps, not the text
    assert client.get(reverse("selfservice_public:case", args=[token, "x"])).status_code == 404
