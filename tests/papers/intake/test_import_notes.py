"""``manage.py import_notes``: the four notes layouts, images, re-runs and bad files."""

import shutil

import pytest
from django.core.management import CommandError

from papers.models import Figure, Paper, PaperLink
from tests.factories import png_bytes

from .conftest import NOTES
from .helpers import assert_everything_valid, run_import_notes

pytestmark = pytest.mark.django_db


run = run_import_notes


@pytest.fixture
def notes_dir(tmp_path):
    """The fixture documents, beside the local images some of them show."""
    for source in NOTES.iterdir():
        shutil.copy(source, tmp_path / source.name)
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "vae.png").write_bytes(png_bytes((40, 30)))
    (tmp_path / "local-vit.png").write_bytes(png_bytes((20, 20), color=(0, 90, 200)))
    return tmp_path


def tags(paper):
    return sorted(tag.name for tag in paper.tags.all())


def test_badge_index_and_summary_table(notes_dir, settings):
    out = run(notes_dir / "badge_index.md")
    assert "7 paper mentions → 5 papers" in out and "5 created" in out
    gpt3 = Paper.objects.get(arxiv_id="2005.14165")
    assert (gpt3.title, gpt3.alias) == ("Language Models are Few-Shot Learners", "GPT-3")
    assert (gpt3.year, gpt3.month, gpt3.url) == (2020, 5, "https://arxiv.org/abs/2005.14165")
    assert tags(gpt3) == ["Language"]  # the table after the rule adds no section
    # The summary row's text is the notes: Markdown kept, the table's "\|" unescaped.
    assert gpt3.notes.startswith("My note: *in-context* learning")
    assert "no gradient step | none at all" in gpt3.notes
    # "relevant previous work" links to ViT, imported later in the same file.
    vit = Paper.objects.get(arxiv_id="2010.11929")
    assert list(gpt3.related.all()) == [vit]
    assert (vit.alias, tags(vit)) == ("ViT", ["Vision and Image Generation"])
    (figure,) = vit.figures.all()
    assert figure.image.name.startswith("figures/") and figure.image.size > 0
    # Two papers in one index item, both dated by its badge.
    moe = Paper.objects.get(alias="MoE")
    mixtral = Paper.objects.get(alias="Mixtral 8x7B")
    assert (moe.year, moe.month, mixtral.year, mixtral.month) == (2023, 12, 2023, 12)
    assert mixtral.url == "https://mistral.ai/news/mixtral-of-experts/"
    gpt2 = Paper.objects.get(alias="GPT-2")
    assert gpt2.pdf_url == gpt2.url and gpt2.url.endswith("language-models.pdf")
    assert "image https://example.org/assets/gpt3-schema.png is not a local file" in out
    assert_everything_valid()


def test_blog_headings_with_labelled_links(notes_dir):
    out = run(notes_dir / "blog_headings.md")
    paper = Paper.objects.get(arxiv_id="2306.05670")
    assert paper.title == "One-Shot Machine Unlearning with Mnemonic Code"
    assert (paper.arxiv_id, paper.year, paper.month) == ("2306.05670", 2023, 6)
    assert paper.url == paper.pdf_url == "https://arxiv.org/pdf/2306.05670"
    assert tags(paper) == ["Reading Group Recordings"]
    assert (
        paper.notes == "We talked about forgetting training data cheaply, in my own summary words."
    )
    (link,) = paper.links.all()
    assert (link.kind, link.url) == (
        PaperLink.Kind.VIDEO,
        "https://www.youtube.com/watch?v=caP30Kq-_ME",
    )
    assert (
        "line 15: Accurate predictions on small data with a tabular foundation model — no date"
        in out
    )
    assert "manage.py add_paper 10.1038/s41586-024-08328-6" in out
    assert "line 22: Auto-Encoding Variational Bayes — no link to a paper" in out
    assert "slides “slides/presentation_2.pdf” is a local file: not imported." in out


def test_no_slides_or_recording_is_not_a_note_about_the_paper(notes_dir):
    run(notes_dir / "blog_headings.md")
    paper = Paper.objects.get(arxiv_id="2310.01852")
    assert paper.title.startswith("LanguageBind: Extending Video-Language Pretraining")
    # The session had no slides or recording: that says nothing about the paper.
    assert paper.notes == (
        "Language as the hub that ties the other modalities together.\n\n"
        "A line of mine written after it."
    )
    assert tags(paper) == ["Earlier sessions"]
    assert not paper.links.exists()


def test_jekyll_year_table_with_notes_rows_math_and_figures(notes_dir):
    out = run(notes_dir / "jekyll_table.md")
    vae = Paper.objects.get(arxiv_id="1312.6114")
    assert vae.title == "Auto-Encoding Variational Bayes"
    assert (vae.affiliations, vae.venue, vae.year, vae.month) == (
        "University of Amsterdam",
        "ICLR 2014",
        2013,
        12,  # the year column says 2013; the month comes from the arXiv id
    )
    paragraphs = vae.notes.split("\n\n")
    assert paragraphs[0] == (
        "The encoder outputs a distribution $$q_\\phi(z|x)$$ rather than a point, "
        "and the decoder models $$p_\\theta(x|z)$$."
    )
    assert paragraphs[1].startswith("Second paragraph of my notes")
    assert "<math" in vae.notes_html
    (figure,) = vae.figures.all()
    assert (figure.caption, figure.credit) == ("Graphical model", "Figure 1 of the paper")
    assert "images/missing.png was not found" in out
    transformer = Paper.objects.get(arxiv_id="1706.03762")
    (code,) = transformer.links.all()
    assert (code.kind, code.url) == ("code", "https://github.com/tensorflow/tensor2tensor")
    gan = Paper.objects.get(arxiv_id="1406.2661")
    assert gan.affiliations == "Université de Montréal" and gan.notes == ""
    assert_everything_valid()


def test_org_export_headings_with_authors_and_dates(notes_dir):
    run(notes_dir / "org_export.md")
    vae = Paper.objects.get(arxiv_id="1312.6114")
    assert [a.name for a in vae.ordered_authors()] == ["Diederik P. Kingma", "Max Welling"]
    assert (vae.year, vae.month) == (2013, 12)
    assert tags(vae) == ["Generative models"]
    assert vae.notes.startswith("- A latent-variable model trained")
    assert "$\\log p_\\theta(x) \\geq" in vae.notes
    assert sorted(vae.links.values_list("label", "kind")) == [
        ("PyTorch", "code"),
        ("TensorFlow", "code"),
    ]
    gan = Paper.objects.get(arxiv_id="1406.2661")
    assert [a.name for a in gan.ordered_authors()] == ["Ian J. Goodfellow", "Jean Pouget-Abadie"]
    assert (gan.year, gan.month) == (2014, 6)
    assert tags(Paper.objects.get(arxiv_id="1706.03762")) == ["Sequence models"]


def test_org_mode_file_is_converted(notes_dir):
    out = run(notes_dir / "reading.org")
    assert "reading.org (org): 3 paper mentions → 3 papers" in out
    vae = Paper.objects.get(arxiv_id="1312.6114")
    assert [a.name for a in vae.ordered_authors()] == ["Kingma", "Welling"]
    assert tags(vae) == ["Generative models", "vae"]
    assert "- The *encoder* gives a **distribution**, written $q_\\phi(z|x)$." in vae.notes
    assert "`z = mu + sigma * eps`" in vae.notes
    # Code blocks stay code: no emphasis conversion inside.
    assert "```python\ndef sample(mu, sigma):  # *not* bold, /not/ italic" in vae.notes
    assert ":PROPERTIES:" not in vae.notes and "#+CAPTION" not in vae.notes
    (figure,) = vae.figures.all()
    assert figure.caption == "The graphical model"
    assert "~~minimax~~" in Paper.objects.get(arxiv_id="1406.2661").notes
    vit = Paper.objects.get(arxiv_id="2010.11929")
    assert (vit.alias, vit.year, vit.month, tags(vit)) == ("ViT", 2020, 10, ["Vision"])
    assert_everything_valid()


def test_rerun_creates_no_duplicates(notes_dir):
    for name in ("badge_index.md", "jekyll_table.md", "reading.org"):
        run(notes_dir / name)
    counts = (Paper.objects.count(), Figure.objects.count(), PaperLink.objects.count())
    out = run(notes_dir / "reading.org")
    assert "0 created, 0 updated, 3 skipped." in out
    assert "nothing new" in out
    assert (Paper.objects.count(), Figure.objects.count(), PaperLink.objects.count()) == counts


def test_second_format_fills_in_what_the_first_lacked(notes_dir):
    run(notes_dir / "jekyll_table.md")
    out = run(notes_dir / "org_export.md")
    assert "Updated (3):" in out
    vae = Paper.objects.get(arxiv_id="1312.6114")
    assert vae.venue == "ICLR 2014" and vae.authors.count() == 2
    assert vae.notes.startswith("The encoder outputs")  # fill mode never replaces notes


def test_dry_run_saves_nothing_and_leaves_no_files(notes_dir, settings):
    out = run(notes_dir / "jekyll_table.md", "--dry-run")
    assert "Would create (3):" in out and "Dry run: nothing was saved." in out
    assert Paper.objects.count() == 0
    assert not any(p.is_file() for p in settings.MEDIA_ROOT.rglob("*"))


def test_links_without_titles_are_skipped_with_a_reason(notes_dir):
    out = run(notes_dir / "links_without_titles.md")
    assert out.count("the link has no title.") == 3
    assert Paper.objects.count() == 0


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty"),
        (b"  \n\n", "The file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "binary file"),
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"Just prose.\n\nNo links at all here.\n", "no entry linking a paper was found"),
    ],
)
def test_unusable_files_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "notes.md"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run(path)


def test_a_heading_too_long_for_a_tag_is_trimmed_and_does_not_block_the_file(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(
        "# " + "Long " * 30 + "[^1]\n\n- [A fine paper](https://arxiv.org/abs/2103.00020)\n\n"
        "# Fine\n\n- [Another](https://arxiv.org/abs/2010.11929)\n\n[^1]: A footnote.\n"
    )
    run(path)
    paper = Paper.objects.get(arxiv_id="2103.00020")
    (tag,) = tags(paper)
    assert len(tag) <= 100 and tag.startswith("Long Long") and tag.endswith("…")
    assert Paper.objects.count() == 2


def test_images_outside_the_notes_folder_are_not_read(tmp_path):
    (tmp_path / "secret.png").write_bytes(png_bytes())
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "n.md").write_text(
        "### [A paper](https://arxiv.org/abs/2103.00020)\n![x](../secret.png)\n"
    )
    out = run(notes / "n.md")
    assert "is outside" in out and Figure.objects.count() == 0


def test_format_is_detected_from_the_content_or_forced(notes_dir):
    org_text = (notes_dir / "reading.org").read_text()
    (notes_dir / "reading.txt").write_text(org_text)
    out = run(notes_dir / "reading.txt", "--dry-run")
    assert "reading.txt (org): 3 paper mentions → 3 papers" in out
    # Forced to Markdown, the org links are not Markdown links: nothing is found.
    with pytest.raises(CommandError, match=r"no entry linking a paper was found \(markdown\)"):
        run(notes_dir / "reading.txt", "--format", "markdown")
    (notes_dir / "notes.md").write_text(org_text)
    out = run(notes_dir / "notes.md", "--format", "org")
    assert "notes.md (org): 3 paper mentions → 3 papers" in out
    assert Paper.objects.count() == 3


REPOSITORY_PDFS = NOTES.parent / "notes_shapes" / "repository_pdfs.md"


def test_pdfs_stored_on_github_are_listed_by_default_and_imported_with_repository_pdfs(
    tmp_path,
):
    notes = tmp_path / "papers.md"
    shutil.copy(REPOSITORY_PDFS, notes)
    out = run(notes)
    assert "0 created" in out and Paper.objects.count() == 0
    assert "line 6: Deep Cross Features for Click Estimates — a PDF stored in a code " in out
    assert out.count("not imported as a paper unless --repository-pdfs is given") == 3

    out = run(notes, "--repository-pdfs")
    assert "3 created" in out
    assert sorted(Paper.objects.values_list("title", flat=True)) == [
        "Deep Cross Features for Click Estimates",
        "Retrieval with Twin Encoders at Scale",
        "Sparse Feedback in Implicit Ranking",
    ]


def test_a_notes_folder_takes_repository_pdfs_too(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    shutil.copy(REPOSITORY_PDFS, folder / "README.md")
    run(folder)
    assert Paper.objects.count() == 0
    run(folder, "--repository-pdfs")
    assert Paper.objects.count() == 3
