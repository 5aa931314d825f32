from django.db import migrations

from papers.site.trigrams import SQLiteTrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("readinggroup", "0007_presentation_cover_webp"),
    ]

    operations = [
        # SQLite only: the index its searches narrow by, kept by triggers, filled here.
        SQLiteTrigramIndex("presentation"),
    ]
