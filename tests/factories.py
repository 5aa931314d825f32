"""factory-boy factories for the paper database."""

import factory
from django.core.files.base import ContentFile
from django.db.models import Q
from django.db.models.signals import m2m_changed

from papers.models import Author, Authorship, Figure, Paper, PaperLink, Status
from papers.refresh import saves_written_at_end


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author Number{n}")


class SavesWrittenAtEndFactory(factory.django.DjangoModelFactory):
    """A factory of a content kind (paper, report, session) whose row is saved, then its
    post-generation rows (byline, papers, presenters, tags) one by one: what they derive
    (the search document, the related-papers job…) is written once at the end, as an
    admin save does (``saves_written_at_end``)."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @classmethod
    def _generate(cls, strategy, params):
        if not any(params.get(name) for name in cls._meta.post_declarations):
            # Only the row is saved: its save writes its document once anyway, from the
            # instance; the block would read the row back to rebuild it (a query more).
            return super()._generate(strategy, params)
        with saves_written_at_end():
            return super()._generate(strategy, params)


def add_tags(obj, tags):
    """``obj.tags.add(*tags)`` for a row just created (it has no tags yet), with the same
    signals: ``m2m_changed`` before and after, each tag row's save (its ``pre_save`` and
    ``post_save``: the counts, kept pages, search document). taggit's ``add`` creates each
    tag row by ``get_or_create`` (a SELECT, a savepoint, the INSERT, its release) after a
    SELECT of the row's tags: 7 of the 11 queries of two tags, none needed for a new row.
    The tags are read in one SELECT (``_tag_rows``): 3 queries for two existing tags."""
    manager = obj.tags
    through = manager.through
    tags = _tag_rows(manager, tags)
    signal = {
        "sender": through,
        "instance": obj,
        "reverse": False,
        "model": through.tag_model(),
        "pk_set": {tag.pk for tag in tags},
        "using": obj._state.db,
    }
    m2m_changed.send(action="pre_add", **signal)
    for tag in tags:
        through.objects.create(tag=tag, content_object=obj)
    m2m_changed.send(action="post_add", **signal)


def _tag_rows(manager, names):
    """The Tag rows of ``names``, the missing ones created: what taggit's resolution
    (``_to_tag_model_instances``: case-insensitive names, in order, without repeats) gives,
    for one SELECT of all of them and one INSERT per new tag. taggit reads each name
    (``name__iexact``), then reads it again and creates it in two savepoints (its
    ``get_or_create``, then the slug's retry block of ``TagBase.save``): 7 statements a new
    tag. A new tag's row is saved as any other (its signals fire), with the slug taggit
    would give it. Tag objects, names beyond ASCII (SQLite's case-folding is ASCII's) and a
    slug already taken (taggit numbers it: -1, -2…) go taggit's way."""
    model = manager.through.tag_model()
    if not all(isinstance(name, str) and name.isascii() for name in names):
        return manager._to_tag_model_instances(names, {})
    slugs = {name: model().slugify(name) for name in names}
    condition = Q(slug__in=set(slugs.values()))
    for name in names:
        condition |= Q(name__iexact=name)
    by_name, taken = {}, set()
    for row in model.objects.filter(condition).order_by("pk"):
        by_name.setdefault(row.name.lower(), row)  # taggit takes the first of equal names
        taken.add(row.slug)
    result = []
    for name in names:
        tag = by_name.get(name.lower())
        if tag is None:
            if slugs[name] in taken:
                return manager._to_tag_model_instances(names, {})
            tag = model(name=name, slug=slugs[name])
            tag.save()
            by_name[name.lower()] = tag
            taken.add(tag.slug)
        if tag not in result:
            result.append(tag)
    return result


class PaperFactory(SavesWrittenAtEndFactory):
    class Meta:
        model = Paper

    title = factory.Sequence(lambda n: f"A Study of Things, Part {n}")
    year = 2021
    month = 3
    venue = "NeurIPS"
    status = Status.PUBLISHED
    notes = "Some *notes*."

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        for position, author in enumerate(extracted or []):
            Authorship.objects.create(paper=self, author=author, position=position)

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            add_tags(self, extracted)


class PaperLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaperLink

    paper = factory.SubFactory(PaperFactory)
    kind = PaperLink.Kind.CODE
    label = "Code"
    url = factory.Sequence(lambda n: f"https://example.org/code/{n}")


def png_bytes(size=(8, 8), color=(200, 40, 40)):
    """A small real PNG."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Figure

    paper = factory.SubFactory(PaperFactory)
    image = factory.LazyFunction(lambda: ContentFile(png_bytes(), name="figure.png"))
    caption = "Overview of the method."
    credit = "Figure 1 of the paper"


def paper_with_everything(n_authors=3, tags=("vision", "transformers"), n_links=2, **kwargs):
    """A published paper with several authors, tags and links: what list pages show."""
    authors = [AuthorFactory() for _ in range(n_authors)]
    with saves_written_at_end():
        paper = PaperFactory(authors=authors, tags=list(tags), **kwargs)
        for _ in range(n_links):
            PaperLinkFactory(paper=paper)
    return paper


def run_synth(papers, seed):
    """``manage.py synth`` into the test database; returns what it printed."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("synth", papers=papers, seed=seed, stdout=out)
    return out.getvalue()
