"""Item 6 of issue 15: a published report or session about a draft paper warns the editor,
offers to publish the paper, and its public page says the paper is missing (never silently
drops the section, never names the draft)."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from blog.models import Report
from papers.models import Paper, Status
from readinggroup.models import Presentation
from tests.blog.factories import ReportFactory
from tests.blog.factories import report_admin_form as report_form
from tests.factories import PaperFactory
from tests.readinggroup.factories import PresentationFactory
from tests.readinggroup.test_slides import _form_data as session_form

pytestmark = pytest.mark.django_db

REPORT_ADD = "/admin/blog/report/add/"
SESSION_ADD = reverse("admin:readinggroup_presentation_add")


def report_about(paper, **overrides):
    return report_form(
        **{
            "status": Status.PUBLISHED,
            "paper_links-TOTAL_FORMS": "1",
            "paper_links-0-position": "0",
            "paper_links-0-paper": str(paper.pk),
            **overrides,
        }
    )


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_saving_a_published_report_about_a_draft_paper_warns_with_a_link_to_it(admin_client):
    draft = PaperFactory(title="Imported Draft", status=Status.DRAFT)
    response = admin_client.post(REPORT_ADD, report_about(draft), follow=True)
    warning = next(m for m in messages_of(response) if "draft paper" in m)
    assert "Imported Draft" in warning
    assert reverse("admin:papers_paper_change", args=[draft.pk]) in warning
    assert Paper.objects.get(pk=draft.pk).status == Status.DRAFT  # nothing done unasked


def test_the_box_publishes_the_draft_paper_with_the_report(admin_client, client):
    draft = PaperFactory(title="Imported Draft", status=Status.DRAFT)
    response = admin_client.post(
        REPORT_ADD, report_about(draft, publish_draft_papers="on"), follow=True
    )
    assert any("Published 1 paper" in m for m in messages_of(response))
    assert Paper.objects.get(pk=draft.pk).status == Status.PUBLISHED
    report = Report.objects.get()
    assert draft.get_absolute_url() in client.get(report.get_absolute_url()).content.decode()


def test_a_draft_report_about_a_draft_paper_gets_no_warning(admin_client):
    draft = PaperFactory(status=Status.DRAFT)
    response = admin_client.post(REPORT_ADD, report_about(draft, status=Status.DRAFT), follow=True)
    assert not [m for m in messages_of(response) if "draft paper" in m]


def test_saving_a_published_session_about_a_draft_paper_warns_and_the_box_publishes_it(
    admin_client,
):
    draft = PaperFactory(title="Session Draft", status=Status.DRAFT)
    response = admin_client.post(SESSION_ADD, session_form(paper=str(draft.pk)), follow=True)
    assert any("Session Draft" in m and "draft paper" in m for m in messages_of(response))
    session = Presentation.objects.get()
    change = reverse("admin:readinggroup_presentation_change", args=[session.pk])
    data = session_form(paper=str(draft.pk), publish_draft_papers="on", edit_version="1")
    data["edit_version"] = str(session.edit_version)
    admin_client.post(change, data)
    assert Paper.objects.get(pk=draft.pk).status == Status.PUBLISHED


def test_the_list_action_publishes_the_draft_papers_of_the_selected_reports(admin_client):
    draft = PaperFactory(status=Status.DRAFT)
    report = ReportFactory(status=Status.PUBLISHED)
    report.papers.add(draft)
    admin_client.post(
        "/admin/blog/report/", {"action": "publish_draft_papers", "_selected_action": [report.pk]}
    )
    assert Paper.objects.get(pk=draft.pk).status == Status.PUBLISHED


def test_an_editor_who_may_not_change_papers_is_told_and_the_paper_stays_a_draft(
    client, django_user_model
):
    user = django_user_model.objects.create_user("writer2", password="pw-x-123456", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["add_report", "change_report", "add_reportpaper", "view_paper"]
        )
    )
    client.force_login(user)
    draft = PaperFactory(status=Status.DRAFT)
    response = client.post(REPORT_ADD, report_about(draft, publish_draft_papers="on"), follow=True)
    assert any("may not change papers" in m for m in messages_of(response))
    assert Paper.objects.get(pk=draft.pk).status == Status.DRAFT


def test_the_public_session_page_says_its_paper_is_not_public_without_naming_it(client):
    draft = PaperFactory(title="Secret Draft Title", status=Status.DRAFT)
    session = PresentationFactory(paper=draft, status=Status.PUBLISHED)
    html = client.get(session.get_absolute_url()).content.decode()
    assert 'id="paper-heading"' in html
    assert "The paper is not in the public library yet" in html
    assert "Secret Draft Title" not in html and draft.get_absolute_url() not in html


def test_the_public_report_page_counts_the_papers_not_public_beside_the_public_ones(client):
    public = PaperFactory(title="Public One")
    draft = PaperFactory(title="Secret Draft Title", status=Status.DRAFT)
    report = ReportFactory(status=Status.PUBLISHED)
    report.papers.add(public, draft)
    html = client.get(report.get_absolute_url()).content.decode()
    assert "Public One" in html
    assert "1 of the 2 papers is not in the public library yet" in html
    assert "Secret Draft Title" not in html
