from django.db import migrations, models


def fill_dimensions(apps, schema_editor):
    """Measure figures stored before sizes were kept (a missing or unreadable file keeps
    NULL: its page renders the image without width and height, as before)."""
    from papers.models import image_size

    Figure = apps.get_model("papers", "Figure")
    for figure in Figure.objects.filter(image_width__isnull=True).iterator(chunk_size=200):
        width, height = image_size(figure.image)
        if width:
            Figure.objects.filter(pk=figure.pk).update(image_width=width, image_height=height)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0011_paper_year_unknown"),
    ]

    operations = [
        migrations.AddField(
            model_name="figure",
            name="image_width",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="figure",
            name="image_height",
            field=models.PositiveIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(fill_dimensions, migrations.RunPython.noop),
    ]
