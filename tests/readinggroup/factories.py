"""factory-boy factories for reading-group sessions."""

import datetime

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from papers.models import Status
from readinggroup.models import Presentation, Presenter
from tests.factories import PaperFactory, SavesWrittenAtEndFactory, add_tags
from tests.readinggroup.pdfs import pdf_bytes


class PresenterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Presenter

    name = factory.Sequence(lambda n: f"Presenter Number{n}")


class PresentationFactory(SavesWrittenAtEndFactory):
    """A published past session about a published paper, without slides or recording."""

    class Meta:
        model = Presentation

    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Session about paper {n}")
    summary = "We read the paper and *argued* about section 3."
    paper = factory.SubFactory(PaperFactory)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=30))
    duration_minutes = 60
    location = "Room 2.14"
    status = Status.PUBLISHED

    class Params:
        upcoming = factory.Trait(
            scheduled_at=factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7)),
            meeting_url="https://meet.example.org/reading-group",
        )
        with_slides = factory.Trait(
            slides=factory.LazyFunction(lambda: ContentFile(pdf_bytes(2), name="slides.pdf"))
        )
        with_recording = factory.Trait(recording_url="https://www.youtube.com/watch?v=caP30Kq-_ME")
        draft = factory.Trait(status=Status.DRAFT)

    @classmethod
    def _create(cls, model_class, *args, check_slides=True, **kwargs):
        """Slides come out checked, with their cover, as the job leaves them
        (``check_slides=False``: as an upload leaves them, waiting for the job)."""
        presentation = model_class(*args, **kwargs)
        presentation.save(check_slides_now=check_slides)
        return presentation

    @factory.post_generation
    def presenters(self, create, extracted, **kwargs):
        if create and extracted:
            self.presenters.set(extracted)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            add_tags(self, extracted)


def session_with_everything(**kwargs):
    """A past session with slides (and so a cover), a recording, two presenters and tags."""
    return PresentationFactory(
        with_slides=True,
        with_recording=True,
        presenters=[PresenterFactory(), PresenterFactory()],
        tags=["vision", "unlearning"],
        **kwargs,
    )
