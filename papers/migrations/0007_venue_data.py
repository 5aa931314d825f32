"""Read the free-text venue of every existing paper into a ``Venue`` row."""

from django.db import migrations
from django.utils.text import slugify

from papers.venues import parse_venue


def _slug(Venue, text):
    base = slugify(text, allow_unicode=True)[:80].strip("-") or "venue"
    if base.isdigit():
        base = f"{base}-venue"
    slug, n = base, 1
    while Venue.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def forwards(apps, schema_editor):
    Paper = apps.get_model("papers", "Paper")
    Venue = apps.get_model("papers", "Venue")
    texts = (
        Paper.objects.filter(published_in__isnull=True)
        .exclude(venue="")
        .order_by()
        .values_list("venue", flat=True)
        .distinct()
    )
    for text in list(texts):
        parsed = parse_venue(text)
        if parsed is None:
            continue  # "2022" or blanks: no venue to link
        venue = None
        if parsed.short_name:
            venue = Venue.objects.filter(short_name__iexact=parsed.short_name).first()
        venue = venue or Venue.objects.filter(name__iexact=parsed.name).first()
        if venue is None:
            venue = Venue.objects.create(
                name=parsed.name,
                short_name=parsed.short_name,
                kind=parsed.kind,
                slug=_slug(Venue, parsed.short_name or parsed.name),
            )
        Paper.objects.filter(venue=text, published_in__isnull=True).update(published_in=venue)


class Migration(migrations.Migration):
    dependencies = [("papers", "0006_venue_author_links_tag_description")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
