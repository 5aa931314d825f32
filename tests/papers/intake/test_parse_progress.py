"""While a library file is parsed, the job says how many entries it has read so far
("Reading library.json: 2 entries read"), before the count of entries written starts."""

import json

import pytest

from papers.intake.files import import_file
from papers.jobs.models import Job
from tests.jobs_worker import run_queued_jobs
from tests.papers.intake.helpers import upload

pytestmark = pytest.mark.django_db

BIBTEX = b"""@article{a, title={First}, author={Ann Archer}, year={2020}}
@article{b, title={Second}, author={Bob Baker}, year={2021}}
@article{c, title={Third}, author={Cid Cole}, year={2022}}
"""
# "ER  - " ends with a space (RIS's own shape); written without trailing spaces in source.
RIS = "\n\n".join(
    f"TY  - JOUR\nTI  - {title}\nAU  - {author}\nPY  - {year}\nER  - "
    for title, author, year in [("First", "Archer, Ann", 2020), ("Second", "Baker, Bob", 2021),
                                ("Third", "Cole, Cid", 2022)]
).encode()  # fmt: skip
CSL = json.dumps(
    [{"type": "article-journal", "title": title, "issued": {"date-parts": [[year]]},
      "author": [{"family": family, "given": "A."}]}
     for title, year, family in [("First", 2020, "Archer"), ("Second", 2021, "Baker"),
                                 ("Third", 2022, "Cole")]]
).encode()  # fmt: skip


@pytest.mark.parametrize(("name", "data"), [("l.bib", BIBTEX), ("l.ris", RIS), ("l.json", CSL)])
def test_parsing_a_library_reports_each_entry_read_before_writing(name, data):
    heard = []

    def progress(**figures):
        heard.append(figures)

    report = import_file(name, data, dry_run=True, progress=progress)

    reading = [f["message"] for f in heard if f.get("message", "").startswith("Reading")]
    assert reading == [f"Reading {name}: {n:,} entries read" for n in (1, 2, 3)]
    # The count of entries written starts after the file is read, at 0 of 3.
    first_write = next(i for i, f in enumerate(heard) if f.get("total") is not None)
    assert heard[first_write]["done"] == 0 and heard[first_write]["total"] == 3
    assert all("Reading" not in f.get("message", "") for f in heard[first_write:])
    assert len(report.outcomes) == 3


def test_a_preview_job_reads_its_file_with_the_count(admin_client, monkeypatch):
    from papers.jobs import queue

    messages = []
    write = queue.Progress.write

    def recorded(self):
        messages.append(self.job.message)
        write(self)

    monkeypatch.setattr(queue, "PROGRESS_EVERY", 0)  # every figure written, for the test
    monkeypatch.setattr(queue.Progress, "write", recorded)
    upload(admin_client, CSL, "library.json")
    (job,) = run_queued_jobs("intake.preview_file")
    assert job.state == Job.State.DONE, job.message
    assert "Reading library.json: 3 entries read" in messages
