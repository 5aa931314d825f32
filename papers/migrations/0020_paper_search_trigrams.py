from django.db import migrations

from papers.site.trigrams import SQLiteTrigramIndex


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0019_paper_id_status_updated"),
    ]

    operations = [
        # SQLite only: the index its searches narrow by, kept by triggers, filled here.
        SQLiteTrigramIndex("paper"),
    ]
