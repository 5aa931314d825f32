"""The paper admin warns about a paper with the same normalised title and year, links it,
and saves only once the editor confirms."""

import pytest
from django.urls import reverse

from papers.models import Paper
from tests.factories import PaperFactory
from tests.papers.test_admin import ADD, paper_form

pytestmark = pytest.mark.django_db

LORA = "LoRA: Low-Rank Adaptation of Large Language Models"


def test_add_form_warns_about_a_normalised_title_and_year_match(admin_client):
    known = PaperFactory(title=LORA, year=2021)
    response = admin_client.post(
        ADD, paper_form(title="lora: low-rank adaptation of large language models!", year="2021")
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "same title and year" in body
    assert reverse("admin:papers_paper_change", args=[known.pk]) in body
    assert Paper.objects.count() == 1


def test_add_form_saves_the_duplicate_once_confirmed(admin_client):
    PaperFactory(title=LORA, year=2021)
    data = paper_form(title=f"{LORA}.", year="2021", confirm_duplicate="on")
    response = admin_client.post(ADD, data)
    assert response.status_code == 302
    assert Paper.objects.count() == 2


def test_same_title_in_another_year_is_no_duplicate(admin_client):
    PaperFactory(title=LORA, year=2021)
    assert admin_client.post(ADD, paper_form(title=LORA, year="2022")).status_code == 302
    assert sorted(Paper.objects.filter(title=LORA).values_list("year", flat=True)) == [2021, 2022]


def test_change_form_warns_when_an_edit_makes_a_duplicate_but_not_about_itself(admin_client):
    PaperFactory(title=LORA, year=2021)
    other = PaperFactory(title="Something else", year=2021)
    url = reverse("admin:papers_paper_change", args=[other.pk])
    data = paper_form(title="Something else", year="2021", edit_version=str(other.edit_version))
    assert admin_client.post(url, data).status_code == 302  # itself is no duplicate
    other.refresh_from_db()
    data = paper_form(title=LORA.upper(), year="2021", edit_version=str(other.edit_version))
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "same title and year" in response.content.decode()
    assert Paper.objects.get(pk=other.pk).title == "Something else"
