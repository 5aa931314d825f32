"""Notes import recognises papers by structure, in every shape (fixtures in notes_shapes/)."""

import shutil
import time
from pathlib import Path

import pytest
from django.core.management import CommandError

from papers.intake.notes.importer import import_notes_text, parse_notes
from papers.models import Paper

from .helpers import assert_everything_valid, run_import_notes

SHAPES = Path(__file__).parent / "notes_shapes"
pytestmark = pytest.mark.django_db


run = run_import_notes


@pytest.fixture
def shapes(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(SHAPES, root)
    return root


def test_awesome_list_bold_titles_sub_bullets_and_code_links(shapes):
    out = run(shapes / "awesome.md")
    resnet = Paper.objects.get(arxiv_id="1512.03385")
    assert resnet.title == "Deep Residual Learning for Image Recognition"
    assert resnet.year == 2016 and [a.name for a in resnet.ordered_authors()] == ["K. He"]
    assert resnet.pdf_url.startswith("https://arxiv.org/pdf/1512.03385")
    assert list(resnet.links.values_list("kind", "url")) == [
        ("code", "https://github.com/example/resnet")
    ]
    # A short name before the link over a reference line that gives authors, venue and
    # year but no title: the short name is not the paper's title; skipped with why.
    assert not Paper.objects.filter(arxiv_id="1603.05027").exists()
    assert "only a short name (“ResNet-style blocks”) names the paper" in out
    # A nested category is a tag; the paper link inside the notes is a mention only.
    attention = Paper.objects.get(arxiv_id="1706.03762")
    assert [t.name for t in attention.tags.all()] == ["Category with nested papers"]
    # A year contradicting the arXiv id is corrected and reported.
    assert attention.year == 2017 and "the year 2016 contradicts arXiv 1706.03762" in out
    # Code, video and non-paper pages never become papers; unsafe links are left out.
    assert Paper.objects.count() == 2
    assert "javascript:alert(1)" not in "".join(Paper.objects.values_list("notes", flat=True))
    assert_everything_valid()


def test_dated_reading_log_headings_are_dates_not_papers(shapes):
    out = run(shapes / "reading_log.md")
    assert not Paper.objects.filter(title__in=["2018-02", "March 2019"]).exists()
    rank = Paper.objects.get(arxiv_id="1802.01528")
    assert (rank.title, rank.year, rank.month) == ("Learning to Rank from Pairs", 2018, 2)
    # A linked local Markdown file is brought in as the notes; ../ escapes are refused.
    assert rank.notes == "My longer notes on ranking, written in their own file."
    assert "“../outside.md” is outside" in out
    mixed = Paper.objects.get(url="https://openreview.net/forum?id=r1gs9JgRZ")
    assert (mixed.title, mixed.venue, mixed.year) == ("Mixed Precision Training", "ICLR 2018", 2018)
    assert Paper.objects.count() == 2


def test_symlinked_notes_file_pointing_outside_is_refused(shapes, tmp_path):
    (tmp_path / "secret.md").write_text("secret text")
    (shapes / "notes" / "rank.md").unlink()
    (shapes / "notes" / "rank.md").symlink_to(tmp_path / "secret.md")
    out = run(shapes / "reading_log.md")
    assert "is outside" in out
    assert "secret" not in Paper.objects.get(arxiv_id="1802.01528").notes


def test_table_columns_found_from_header_names(shapes):
    run(shapes / "table.md")
    bert = Paper.objects.get(url="https://aclanthology.org/N19-1423/")
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers"
    assert (bert.year, bert.venue) == (2019, "NAACL")
    assert list(bert.links.values_list("kind", flat=True)) == ["code"]
    neurips = Paper.objects.get(title="Attention Is All You Need")
    assert neurips.url.startswith("https://proceedings.neurips.cc/")


def test_jekyll_page_link_text_gives_alias_and_affiliation(shapes):
    run(shapes / "jekyll.md")
    gpt3 = Paper.objects.get(arxiv_id="2005.14165")
    assert (gpt3.title, gpt3.alias, gpt3.affiliations) == (
        "Language Models are Few-Shot Learners",
        "GPT-3",
        "OpenAI",
    )
    assert gpt3.notes == "Scale alone gives in-context learning."
    assert Paper.objects.count() == 1  # the front matter's title is no paper


def test_org_drawers_links_ratings_and_math_are_kept(shapes):
    run(shapes / "drawers.org")
    vae = Paper.objects.get(arxiv_id="1312.6114")
    assert vae.title == "Auto-Encoding Variational Bayes"
    assert "- **like**: yes" in vae.notes and "- **rating**: 5" in vae.notes
    assert "$\\log p(x) \\geq \\mathrm{ELBO}$" in vae.notes
    gan = Paper.objects.get(arxiv_id="1406.2661")
    assert (gan.title, gan.year, [t.name for t in gan.tags.all()]) == (
        "Generative Adversarial Nets",
        2014,
        ["Generative models"],
    )


def test_org_ref_citations_resolve_against_the_companion_bib(shapes):
    out = run(shapes / "orgref.org")
    attention = Paper.objects.get(arxiv_id="1706.03762")
    assert attention.title == "Attention Is All You Need" and attention.year == 2017
    assert "my note: attention only" in attention.notes
    adam = Paper.objects.get(arxiv_id="1412.6980")
    assert adam.title == "Adam: A Method for Stochastic Optimization"
    assert "2 created" in out


def test_org_ref_without_a_bib_takes_the_date_from_description_or_key(shapes):
    (shapes / "orgref.bib").unlink()
    out = run(shapes / "orgref.org", "--dry-run")
    assert "Would create (2):" in out
    assert "Attention Is All You Need — 2017" in out and "Adam — 2014" in out


def test_malformed_companion_bib_stops_with_nothing_saved(shapes):
    (shapes / "orgref.bib").write_text("@article{broken,\n  title = {Unclosed\n")
    with pytest.raises(CommandError, match="Nothing was imported"):
        run(shapes / "orgref.org")
    assert Paper.objects.count() == 0


def test_a_paper_link_without_a_title_is_skipped_with_its_line():
    parsed = parse_notes("# Reading\n\n- [[pdf]](https://arxiv.org/abs/1706.03762)\n")
    (skipped,) = parsed.skipped
    assert (skipped.line, skipped.reason) == (3, "the link has no title.")
    assert parsed.records == []


@pytest.mark.parametrize(
    "text",
    [
        "".join("  " * depth + "- level\n" for depth in range(50))
        + "  " * 50
        + "- [Deep paper](https://arxiv.org/abs/1706.03762)\n",
        "|"
        + "|".join(f"c{n}" for n in range(500))
        + "|\n|"
        + "---|" * 500
        + "\n|"
        + "|".join("x" for _ in range(500))
        + "|\n",
        "- [XSS](javascript:alert(1))\n- [Data](data:text/html;base64,AAAA)\n",
    ],
    ids=["50-levels", "500-columns", "unsafe-links"],
)
def test_hostile_documents_give_no_traceback_and_no_invented_paper(text):
    started = time.monotonic()
    report, parsed = import_notes_text(text, "markdown", None, dry_run=True)
    assert time.monotonic() - started < 5
    assert all(record.arxiv_id in ("1706.03762", "") for record in parsed.records)
    assert Paper.objects.count() == 0


def test_a_100000_line_file_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "huge.md"
    path.write_text("\n".join(f"- line {n}" for n in range(100_000)))
    with pytest.raises(CommandError, match="has 100,000 lines; the limit is 50,000"):
        run(path)


def test_a_reading_log_month_is_when_it_was_read_the_arxiv_id_when_it_appeared():
    text = (
        "## 2019-07 (summer edition)\n"
        "- [Applying Deep Learning to Search](https://arxiv.org/abs/1810.09591)\n"
        "- A paper without an id [[pdf]](https://example.org/paper.pdf)\n"
    )
    with_id, without_id = parse_notes(text).records
    assert (with_id.year, with_id.month) == (2018, 10)
    assert (without_id.title, without_id.year, without_id.month) == (
        "A paper without an id",
        2019,
        7,
    )


def test_a_dated_item_whose_notes_file_is_in_a_papers_folder_is_a_paper(tmp_path):
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "caps.md").write_text("Routing by agreement, in my words.")
    (tmp_path / "talks").mkdir()
    (tmp_path / "talks" / "nips.md").write_text("A talk.")
    text = (
        "#### 2017-12\n\n"
        "* Dynamic Routing Between Capsules [[notes](papers/caps.md)]\n"
        "* Overheard at a conference [[notes](talks/nips.md)]\n"
    )
    (record,) = parse_notes(text, "markdown", tmp_path).records
    assert (record.title, record.year) == ("Dynamic Routing Between Capsules", 2017)
    assert record.notes == "Routing by agreement, in my words." and record.url == ""


def test_org_cite_headings_resolve_against_the_bib(shapes):
    (shapes / "cited.org").write_text(
        "* Reading\n** Attention, my summary [cite:@vaswani-2017-attention] [[~/x.pdf][|PDF|]]\n"
        "Notes under it.\n"
    )
    run(shapes / "cited.org", "--bib", str(shapes / "orgref.bib"))
    paper = Paper.objects.get(arxiv_id="1706.03762")
    assert paper.title == "Attention Is All You Need" and paper.notes.startswith("Notes under it.")


def test_papers_listed_in_yaml_front_matter(shapes):
    run(shapes / "sessions.md")
    (paper,) = Paper.objects.all()
    assert (paper.title, paper.venue, paper.year) == (
        "The Design of a Toy Filesystem",
        "SOSP '89",
        1989,
    )
    assert paper.doi == "10.1145/00000.00001"


def test_an_undated_entry_takes_the_year_its_paper_address_carries():
    text = (
        "### Neural Relation Extraction with Selective Attention\n"
        "http://www.aclweb.org/anthology/P16-1200\n\n"
        "### A page with no date at all in it\n"
        "https://transacl.org/ojs/index.php/tacl/article/view/1325\n"
    )
    parsed = parse_notes(text)
    (record,) = parsed.records
    assert (record.title, record.year) == (
        "Neural Relation Extraction with Selective Attention",
        2016,
    )
    (skipped,) = parsed.skipped
    assert skipped.reason.startswith("no date found")


def test_lookup_fills_an_untitled_paper_link_from_arxiv(tmp_path, serve):
    serve({"export.arxiv.org": ("arxiv_2103.00020.xml", 200)})
    path = tmp_path / "n.md"
    path.write_text("# Reading\n\n- [[pdf]](https://arxiv.org/pdf/2103.00020)\n")
    out = run(path, "--lookup")
    paper = Paper.objects.get(arxiv_id="2103.00020")
    assert paper.title.startswith("Learning Transferable Visual Models")
    assert "line 3 (looked up)" in out


def test_lookup_that_fails_keeps_the_entry_skipped_with_why(tmp_path):
    path = tmp_path / "n.md"
    path.write_text("# Reading\n\n- [[pdf]](https://arxiv.org/pdf/2103.00020)\n")
    out = run(path, "--lookup", "--dry-run")
    assert "the link has no title. Look-up failed" in out


def test_org_heading_with_a_title_and_a_year_is_a_paper_without_a_link():
    text = (
        "* Kernel Methods For Deep Learning 2009                  :svm:deep:\n"
        "notes on kernels\n"
        "** try\n"
        "* Reading 2019\n"
    )
    (record,) = parse_notes(text, "org").records
    assert (record.title, record.year, record.url) == ("Kernel Methods For Deep Learning", 2009, "")
    assert sorted(record.tags) == ["deep", "svm"] and "notes on kernels" in record.notes


def test_a_bibtex_block_under_a_heading_gives_its_date_and_full_title():
    text = (
        "** Monads for functional programming\n"
        "[[file:monads.pdf][PDF]]\n"
        "#+BEGIN_SRC bibtex\n"
        "@inproceedings{wadler95,\n  title = {Monads for functional programming},\n"
        "  author = {Wadler, Philip},\n  year = {1995},\n  booktitle = {Advanced Functional "
        "Programming},\n}\n#+END_SRC\n"
    )
    (record,) = parse_notes(text, "org").records
    assert (record.title, record.year, record.authors) == (
        "Monads for functional programming",
        1995,
        ["Philip Wadler"],
    )
    assert "@inproceedings{wadler95" in record.notes  # the block stays in the notes


@pytest.mark.parametrize(
    "reference, title",
    [
        ("Ann Author and Bo Writer \"Segment Things: A Model.\" arXiv preprint, 2015.",
         "Segment Things: A Model"),
        ("Yang, Z., He, X., & Smola, A. (2015). Stacked Attention Networks for Questions. "
         "arXiv:1511.02274.", "Stacked Attention Networks for Questions"),
        ("Guo Lin, Anton van dan Hengel, Efficient piecewise training of models, arXiv:1504.01013.",
         "Efficient piecewise training of models"),
    ],
)  # fmt: skip
def test_a_reference_under_a_short_name_gives_the_full_title(reference, title):
    text = f"* Short Name [[Paper]](https://arxiv.org/abs/1511.02274)\n  * {reference}\n"
    (record,) = parse_notes(text).records
    assert (record.title, record.alias) == (title, "Short Name")


def test_a_year_before_the_arxiv_id_is_kept_when_it_is_plausible():
    text = (
        "- *SMOTE: Synthetic Minority Over-sampling* (Jun 2002, JAIR) "
        "[[arXiv](https://arxiv.org/abs/1106.1813)]\n"
        "- *Word Translation with a Language Model* (Nov 2018, EMNLP 2018) "
        "[[arXiv](http://arxiv.org/abs/1901.01590)]\n"
        "- *Reformer: The Efficient Transformer* (ICLR 2020, Google AI) "
        "[[OpenReview](https://openreview.net/forum?id=rkgNKkHtvB)]\n"
    )
    parsed = parse_notes(text)
    assert [(r.title, r.year) for r in parsed.records] == [
        ("SMOTE: Synthetic Minority Over-sampling", 2002),  # an old paper posted later
        ("Word Translation with a Language Model", 2018),  # the conference came first
        ("Reformer: The Efficient Transformer", 2020),  # the year of the venue
    ]
    assert not any("contradicts" in message for _, message in parsed.warnings)


def test_a_springer_link_gives_its_doi_also_with_the_slash_encoded():
    text = (
        "# Rendering\n\n"
        "- [Differentiable Rendering Revisited (2014)]"
        "(https://link.springer.com/chapter/10.1007%2F978-3-319-10584-0_11)\n"
        "- [Scene Parsing Done Small (2015)]"
        "(https://link.springer.com/content/pdf/10.1007/s11263-015-0816-y.pdf)\n"
    )
    dois = {record.title: record.doi for record in parse_notes(text).records}
    assert dois == {
        "Differentiable Rendering Revisited": "10.1007/978-3-319-10584-0_11",
        "Scene Parsing Done Small": "10.1007/s11263-015-0816-y",
    }


def test_a_paper_50_levels_deep_is_found_and_deeper_text_is_reported_not_dropped():
    def nested(depth):
        return (
            "".join("  " * level + "- level\n" for level in range(depth))
            + "  " * depth
            + "- [A Deeply Nested Paper](https://arxiv.org/abs/1706.03762)\n"
        )

    parsed = parse_notes(nested(50))
    assert [(r.title, r.arxiv_id) for r in parsed.records] == [
        ("A Deeply Nested Paper", "1706.03762")
    ]
    assert parsed.warnings == []
    parsed = parse_notes(nested(100))
    assert parsed.records == []
    assert parsed.warnings == [
        ("lines 65–101", "nested too deeply to be read (over 60 levels): not read.")
    ]


def test_javascript_and_data_links_are_named_in_the_report_and_left_out(tmp_path):
    path = tmp_path / "n.md"
    path.write_text(
        "- [XSS](javascript:alert(1))\n"
        "- [Data](data:text/html;base64,AAAA)\n"
        "- [A Fine Paper](https://arxiv.org/abs/1706.03762) [demo](javascript:void(0))\n"
    )
    out = run(path)
    assert "line 1: the link “javascript:alert(1” is unsafe: left out." in out
    assert "line 2: the link “data:text/html;base64,AAAA” is unsafe: left out." in out
    assert "line 3: the link “javascript:void(0” is unsafe: left out." in out
    paper = Paper.objects.get()
    assert paper.title == "A Fine Paper"
    assert "javascript:" not in paper.notes + "".join(paper.links.values_list("url", flat=True))


def test_a_pdf_named_by_its_citation_key_gives_the_year():
    text = (
        "* Simulation\n"
        "** [[https://example.org/research/async/byron2018async.pdf][Adaptive Time Steps for Grids]]\n"
        "** [[https://example.org/v22/noether12/noether12.pdf][Families of Samplers on Manifolds]]\n"
    )
    parsed = parse_notes(text, "org")
    # "byron2018async.pdf": author, year, first word; "noether12" gives no four-digit year
    # (and, the only undated link of a file that dates its papers, is listed, not guessed).
    assert [(r.title, r.year) for r in parsed.records] == [("Adaptive Time Steps for Grids", 2018)]
    (skipped,) = parsed.skipped
    assert skipped.reason.startswith("no date found")
