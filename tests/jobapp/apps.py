from django.apps import AppConfig


class JobAppConfig(AppConfig):
    name = "tests.jobapp"
    label = "jobapp"

    def ready(self):
        from tests.jobapp import kinds  # noqa: F401 - registers the test job kinds
