from django.apps import AppConfig


class ReadingGroupConfig(AppConfig):
    name = "readinggroup"
    verbose_name = "Reading group"

    def ready(self):
        from papers.sections import register
        from readinggroup.sections import paper_sessions

        register(paper_sessions)
