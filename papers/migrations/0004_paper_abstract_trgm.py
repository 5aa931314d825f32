import django.contrib.postgres.indexes
from django.db import migrations

from papers.dbops import PostgresOnly


class Migration(migrations.Migration):

    dependencies = [
        ('papers', '0003_search_and_tag_redirects'),
    ]

    operations = [
        # The paper list's ?q= matches abstracts with `~*`, which this index serves.
        PostgresOnly(migrations.AddIndex(
            model_name='paper',
            index=django.contrib.postgres.indexes.GinIndex(fields=['abstract'], name='paper_abstract_trgm', opclasses=['gin_trgm_ops']),
        )),
    ]
