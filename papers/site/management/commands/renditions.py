"""``manage.py renditions``: make the WebP renditions that stored images lack.

A cover gets its rendition when it is stored (``papers.site.images.RenditionImageField``);
covers stored before renditions existed have none, and their pages show the original
alone until this is run (once, after the deploy that added them; again is harmless).
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from papers.site import cache


class Command(BaseCommand):
    help = "Store a WebP rendition for every stored image (covers) that has none."

    def handle(self, *args, **options):
        made = failed = 0
        for model in apps.get_models():
            for field in model._meta.fields:
                if not hasattr(field, "rendition_field"):
                    continue
                rows = model._base_manager.exclude(**{field.name: ""}).only(
                    "pk", field.name, field.rendition_field
                )
                for row in rows.iterator():
                    image = getattr(row, field.name)
                    if image.rendition:
                        continue
                    try:
                        stored = image.store_rendition()
                    except OSError as error:  # the original is missing from the storage
                        self.stderr.write(f"{model.__name__} {row.pk}: {image.name}: {error}")
                        failed += 1
                        continue
                    finally:
                        image.close()
                    # A queryset update: the row's other fields (and its save()) untouched.
                    model._base_manager.filter(pk=row.pk).update(**{field.rendition_field: stored})
                    made += bool(stored)
        if made:
            cache.bump_content_version(counts=False)  # the pages show the renditions now
        self.stdout.write(f"{made} rendition(s) made, {failed} image(s) could not be read.")
