"""BibTeX import: LaTeX decoding, field mapping, duplicates, and every kind of bad file."""

import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from papers.intake.batch import Problem
from papers.intake.bibtex_import import parse_bibtex
from papers.models import Author, Paper, Status
from tests.factories import PaperFactory

from .helpers import assert_everything_valid

pytestmark = pytest.mark.django_db

GOOD = r"""
@string{iclr = "International Conference on Learning Representations"}

@inproceedings{kingma2014auto,
  title     = {Auto-Encoding Variational {B}ayes},
  author    = {Kingma, Diederik P. and Welling, Max},
  booktitle = iclr,
  year      = 2014,
  month     = apr,
  eprint    = {1312.6114},
  archivePrefix = {arXiv},
  keywords  = {generative models; variational inference},
}

@article{hollmann2025accurate,
  title   = {Accurate predictions on small data with a tabular foundation model},
  author  = {Hollmann, Noah and M{\"u}ller, Samuel and Purucker, Lennart and Hutter, Frank},
  journal = {Nature},
  year    = {2025},
  month   = {1},
  doi     = {10.1038/s41586-024-08328-6},
  url     = {https://www.nature.com/articles/s41586-024-08328-6},
}

@article{radford2021learning,
  title   = {Learning Transferable Visual Models From Natural Language Supervision},
  author  = {Radford, Alec and Kim, Jong Wook and others},
  journal = {arXiv preprint arXiv:2103.00020},
  year    = {2021}
}

@misc{ecole,
  title  = {{\'E}tudes sur l'{\AE}sth{\'e}tique -- {\c{c}}a va},
  author = {Fran{\c{c}}ois, Ren{\'e} and {\L}ukasz Kaiser and van der Berg, Jr., Hans},
  year   = {2019},
  url    = {https://example.org/a\_b%20c},
}
"""


def import_bib(tmp_path, text, *args, data=None):
    path = tmp_path / "library.bib"
    path.write_bytes(data if data is not None else text.encode())
    out = StringIO()
    call_command("import_bibtex", str(path), *args, stdout=out)
    return out.getvalue()


def failing_import(tmp_path, text, *args, data=None):
    out = StringIO()
    path = tmp_path / "library.bib"
    path.write_bytes(data if data is not None else text.encode())
    with pytest.raises(CommandError) as caught:
        call_command("import_bibtex", str(path), *args, stdout=out)
    return out.getvalue(), str(caught.value)


def test_fields_are_mapped_and_latex_decoded(tmp_path):
    out = import_bib(tmp_path, GOOD)
    assert "4 created, 0 updated, 0 skipped." in out
    vae = Paper.objects.get(arxiv_id="1312.6114")
    assert vae.title == "Auto-Encoding Variational Bayes"
    assert [a.name for a in vae.ordered_authors()] == ["Diederik P. Kingma", "Max Welling"]
    assert vae.venue == "International Conference on Learning Representations"
    assert (vae.year, vae.month) == (2014, 4)
    assert sorted(t.name for t in vae.tags.all()) == ["generative models", "variational inference"]
    assert vae.status == Status.DRAFT

    tabpfn = Paper.objects.get(doi="10.1038/s41586-024-08328-6")
    assert [a.name for a in tabpfn.ordered_authors()][1] == "Samuel Müller"
    assert (tabpfn.venue, tabpfn.month) == ("Nature", 1)

    clip = Paper.objects.get(title__startswith="Learning Transferable")
    # Google Scholar's "arXiv preprint arXiv:…" journal is an id, not a venue.
    assert (clip.arxiv_id, clip.venue) == ("2103.00020", "")
    assert [a.name for a in clip.ordered_authors()] == ["Alec Radford", "Jong Wook Kim"]

    ecole = Paper.objects.get(year=2019)
    assert ecole.title == "Études sur l'Æsthétique – ça va"
    assert [a.name for a in ecole.ordered_authors()] == [
        "René François",
        "Łukasz Kaiser",
        "Hans van der Berg, Jr.",
    ]
    # URLs are never LaTeX-decoded: "%20" is not a comment, "\_" is an escaped "_".
    assert ecole.url == "https://example.org/a_b%20c"
    assert_everything_valid()


def test_rerun_creates_no_duplicates(tmp_path):
    import_bib(tmp_path, GOOD)
    out = import_bib(tmp_path, GOOD)
    assert Paper.objects.count() == 4
    assert "0 created, 0 updated, 4 skipped." in out
    assert "nothing new" in out


def test_existing_paper_is_filled_in_not_overwritten(tmp_path):
    existing = PaperFactory(title="VAE (my title)", arxiv_id="1312.6114", venue="", year=2013)
    out = import_bib(tmp_path, GOOD)
    existing.refresh_from_db()
    assert existing.title == "VAE (my title)" and existing.year == 2013
    assert existing.venue == "International Conference on Learning Representations"
    assert existing.authors.count() == 2
    assert "Updated (1):" in out and "[venue, authors, tags]" in out
    import_bib(tmp_path, GOOD, "--existing=overwrite")
    existing.refresh_from_db()
    assert existing.title == "Auto-Encoding Variational Bayes" and existing.year == 2014


def test_same_paper_twice_in_one_file_is_imported_once(tmp_path):
    text = GOOD + "\n@misc{again, title={Auto-encoding variational Bayes}, year={2014}}\n"
    out = import_bib(tmp_path, text)
    assert Paper.objects.count() == 4
    assert "the same title and year" in out


def test_dry_run_reports_and_saves_nothing(tmp_path):
    out = import_bib(tmp_path, GOOD, "--dry-run")
    assert "Would create (4):" in out and "Dry run: nothing was saved." in out
    assert Paper.objects.count() == 0 and Author.objects.count() == 0


BAD = r"""@article{good1, title={A good one}, year={2020}}

@article{unclosed,
  title = {Unclosed {brace,
  year = 2021
}

@article{good1, title={Same key again}, year={2019}}

@misc{year, title={Year is not a year}, year={20xx}}

@misc{js, title={Script link}, year={2020}, url={javascript:alert(1)}}

@misc{notitle, year={2020}}

@article{good2, title={Another good one}, year={2018}, month={Smarch}}
"""


def test_strict_reports_each_malformed_entry_with_its_line_and_saves_nothing(tmp_path):
    out, error = failing_import(tmp_path, BAD, "--strict")
    assert "Nothing was saved (--strict)" in error and "without --strict" in error
    assert Paper.objects.count() == 0
    assert "line 3: cannot be read" in out
    assert "line 8 (good1): the key “good1” is used twice (first at line 1)" in out
    assert "line 10 (year): the year “20xx” is not a year" in out
    assert "line 12 (js): Script link" in out and "url: Enter a valid URL." in out
    assert "line 14 (notitle): the entry has no title." in out
    assert "line 16 (good2): the month “Smarch” is not a month" in out


@pytest.mark.parametrize("args", [(), ("--skip-invalid",)], ids=["default", "old-flag"])
def test_by_default_the_valid_entries_are_imported_and_the_others_listed(tmp_path, args):
    out = import_bib(tmp_path, BAD, *args)
    assert list(Paper.objects.values_list("title", flat=True)) == ["A good one"]
    assert "1 created, 0 updated, 0 skipped, 6 with errors." in out
    assert "line 14 (notitle): the entry has no title." in out
    assert not Paper.objects.filter(url__startswith="javascript").exists()
    assert_everything_valid()


def test_exit_status_is_non_zero_only_when_nothing_could_be_imported(tmp_path):
    bad_only = "@misc{notitle, year={2020}}\n\n@misc{y, title={T}, year={20xx}}\n"
    out, error = failing_import(tmp_path, bad_only)
    assert "Nothing could be imported: all 2 entries have errors" in error
    assert "line 1 (notitle): the entry has no title." in out
    assert Paper.objects.count() == 0
    # Running the lenient import again: the valid entry is "already there", not an error.
    import_bib(tmp_path, BAD)
    out = import_bib(tmp_path, BAD)
    assert "0 created, 0 updated, 1 skipped, 6 with errors." in out


def test_non_utf8_bytes_are_refused_with_their_position(tmp_path):
    data = b"@misc{a, title={Caf" + b"\xe9" + b"}, year={2020}}\n"
    _, error = failing_import(tmp_path, "", data=data)
    assert "is not UTF-8 text: byte 0xe9 at line 1, column 20" in error
    import_bib(tmp_path, "", "--encoding=latin-1", data=data)
    assert Paper.objects.get().title == "Café"


def test_binary_empty_and_entryless_files_are_refused(tmp_path):
    _, error = failing_import(tmp_path, "", data=b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "binary file" in error
    _, error = failing_import(tmp_path, "  \n")
    assert "empty" in error
    _, error = failing_import(tmp_path, "just some words, no entries")
    assert "no BibTeX entries found" in error


def test_ten_megabyte_file_is_refused_before_parsing(tmp_path):
    entry = "@misc{k%d, title={Padding entry number %d}, year={2020}, abstract={%s}}\n"
    chunks, size, n = [], 0, 0
    while size < 10 * 2**20:
        chunk = entry % (n, n, "x" * 2000)
        chunks.append(chunk)
        size += len(chunk)
        n += 1
    _, error = failing_import(tmp_path, "".join(chunks))
    assert "The file is 10.0 MB; the limit is 8 MB" in error
    assert Paper.objects.count() == 0


def test_five_thousand_entries_import(tmp_path):
    entries = "\n".join(
        f'@article{{k{i}, title={{Study number {i} of {{GANs}} in M{{\\"u}}nchen}}, '
        f"author={{Author{i % 300}, Ann and Writer{i % 77}, Bob}}, journal={{Journal {i % 9}}}, "
        f"year={{{2000 + i % 24}}}, doi={{10.5555/bench.{i}}}, keywords={{topic{i % 11}}}}}"
        for i in range(5000)
    )
    started = time.perf_counter()
    out = import_bib(tmp_path, entries)
    elapsed = time.perf_counter() - started
    assert "5000 created" in out
    assert Paper.objects.count() == 5000
    assert Author.objects.count() == 377
    assert Paper.objects.get(doi="10.5555/bench.42").title == "Study number 42 of GANs in München"
    print(f"5,000 entries imported in {elapsed:.1f} s")  # informative only: bench/ measures


def test_parse_gives_problems_not_exceptions_for_garbage():
    items = parse_bibtex("@article{x, title={A}, year={2020}\n@@@{{{ \x01 }}}\n@misc{")
    assert all(isinstance(item, Problem) or item.title for item in items)


def test_export_bibtex_command_writes_every_paper(tmp_path):
    PaperFactory(title="Published one")
    PaperFactory(title="Draft one", status=Status.DRAFT)
    out = StringIO()
    call_command("export_bibtex", stdout=out)
    assert out.getvalue().count("@") == 2
    target = tmp_path / "all.bib"
    call_command("export_bibtex", str(target), "--published-only", stdout=StringIO())
    assert "Published one" in target.read_text() and "Draft one" not in target.read_text()


def test_imported_papers_search_documents_hold_their_byline_and_tags(tmp_path):
    # Bylines and tags are inserted in bulk after the papers: the documents come after them.
    import_bib(tmp_path, GOOD)
    vae = Paper.objects.get(arxiv_id="1312.6114")
    assert "Max Welling" in vae.search_text and "variational inference" in vae.search_text


def test_an_author_spelled_differently_is_the_stored_author_not_a_second_one(tmp_path):
    from tests.factories import AuthorFactory

    stored = AuthorFactory(name="Stefano Ermon")
    import_bib(
        tmp_path,
        "@article{a, title={One}, author={stefano ermon and Yang Song}, year={2021}}\n"
        "@article{b, title={Two}, author={St{\\'e}fano Ermon}, year={2022}}\n"
        "@article{c, title={Three}, author={Yang Song and YANG SONG and S. Ermon}, year={2022}}\n",
    )
    assert list(Paper.objects.get(title="One").authors.all()) == [
        stored,
        Author.objects.get(name="Yang Song"),
    ]
    assert list(Paper.objects.get(title="Two").authors.all()) == [stored]
    # Two spellings of one new person in one file are one author, named once per byline;
    # initials are not matched on import ("S. Ermon" may be someone else).
    three = [a.name for a in Paper.objects.get(title="Three").ordered_authors()]
    assert three == ["Yang Song", "S. Ermon"]
    assert Author.objects.filter(name__iexact="yang song").count() == 1


def test_imported_venues_are_read_into_venues_and_an_overwrite_relinks_them(tmp_path):
    import_bib(
        tmp_path,
        "@inproceedings{a, title={One}, booktitle={CVPR 2022}, year={2022}}\n"
        "@inproceedings{b, title={Two}, booktitle={Proc. of the 38th ICML}, year={2021}}\n"
        "@article{c, title={Three}, journal={2022}, year={2022}}\n",
    )
    venues = {p.title: p.published_in for p in Paper.objects.select_related("published_in")}
    assert venues["One"].short_name == "CVPR"
    assert venues["Two"].short_name == "ICML"
    assert venues["Three"] is None
    import_bib(
        tmp_path,
        "@inproceedings{a, title={One}, booktitle={ICCV 2023}, year={2022}}\n",
        "--existing",
        "overwrite",
    )
    assert Paper.objects.get(title="One").published_in.short_name == "ICCV"


def test_a_year_not_known_yet_imports_as_year_unknown_and_a_year_that_is_none_is_refused():
    from papers.intake.batch import Problem
    from papers.intake.bibtex_import import parse_bibtex

    warnings = []
    items = parse_bibtex(
        "@article{a, title={Concreteness Norms Revisited}, year={to appear}}\n"
        "@misc{b, title={A Forthcoming Corpus}, year={Forthcoming}}\n"
        "@misc{c, title={Old Texts Corpus}, year={Tenth century--2021}}\n",
        warnings=warnings,
    )
    a, b, c = items
    assert (a.title, a.year, b.year) == ("Concreteness Norms Revisited", None, None)
    assert isinstance(c, Problem) and "is not a year" in c.message
    assert [message for _, message in warnings] == [
        "year unknown: the entry says “to appear”.",
        "year unknown: the entry says “Forthcoming”.",
    ]
