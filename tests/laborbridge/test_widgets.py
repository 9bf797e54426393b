"""ReferenceSelect: the registry filter's thousands of options rendered once, still right."""

import pytest
from django.urls import reverse

from laborbridge import widgets
from tests.factories import ANDING, WorkerFactory
from workers.models import WishCity

pytestmark = pytest.mark.django_db


def test_selected_escaped_and_same_options_as_the_queryset(reference_data):
    from django import forms

    from laborbridge.models import Region

    regions = Region.objects.filter(level__in=["city", "county"])
    field = forms.ModelChoiceField(
        regions, empty_label="全部", widget=widgets.ReferenceSelect("test.regions")
    )
    html = field.widget.render("wish_city", "370200", attrs={"id": "id_wish_city"})
    assert html.startswith('<select name="wish_city" id="id_wish_city">')
    assert html.count("<option") == regions.count() + 1
    assert '<option value="370200" selected>' in html
    assert html.count(" selected") == 1
    again = field.widget.render("wish_city", None)
    assert again.count(" selected") == 1 and '<option value="" selected>' in again
    field.widget.choices = [("<x>", "a & b")]
    widgets._RENDERED.clear()
    assert '<option value="&lt;x&gt;" selected>a &amp; b</option>' in field.widget.render(
        "w", "<x>"
    )


def test_registry_filters_by_wish_city_with_the_cached_select(client, official_a):
    client.force_login(official_a)
    wishing, other = WorkerFactory(home_county_id=ANDING), WorkerFactory(home_county_id=ANDING)
    WishCity.objects.create(worker=wishing, region_id="370200", rank=1)
    body = client.get(reverse("workers:list"), {"wish_city": "370200"}).content.decode()
    assert f"/workers/{wishing.pk}/" in body and f"/workers/{other.pk}/" not in body
    assert '<option value="370200" selected>' in body
