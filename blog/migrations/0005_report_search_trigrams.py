from django.db import migrations

from papers.site.trigrams import SQLiteTrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0004_report_cover_webp"),
    ]

    operations = [
        # SQLite only: the index its searches narrow by, kept by triggers, filled here.
        SQLiteTrigramIndex("report"),
    ]
