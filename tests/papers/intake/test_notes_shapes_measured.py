"""Shapes found in real notes files measured in docs/INTAKE.md, each in a fixture of our
own (notes_shapes/): the records they give, what is skipped and why, and that no heading
or label becomes a paper."""

from pathlib import Path

import pytest

from papers.intake.notes.citations import load_bib
from papers.intake.notes.importer import detect_format, parse_notes
from papers.models import Paper

from .helpers import assert_everything_valid, run_import_notes

SHAPES = Path(__file__).parent / "notes_shapes"


def parsed(name, bib=None):
    path = SHAPES / name
    text = path.read_text()
    return parse_notes(text, detect_format(path, text), SHAPES, bib=bib)


def records(result):
    return {r.title: (r.year, r.arxiv_id, r.doi) for r in result.records}


def skipped(result):
    return {s.label: s.reason for s in result.skipped}


def test_a_reading_log_month_heading_dates_no_paper_the_id_or_the_venue_does():
    result = parsed("read_dates.md")
    # A paper nothing else dates is imported with its year unknown (None), never the
    # heading's reading date; a warning names the heading.
    assert records(result) == {
        "Kernel Tricks for Streaming Data": (None, "", ""),
        "Curriculum Order Matters Less Than You Think": (None, "", ""),
        "Sparse Routing for Tiny Transformers": (2019, "1907.01234", ""),
        "Gradient Noise in Small Batches": (2018, "1811.04321", ""),
        # "[[CVPR'19](…pdf)]": the label names the venue and its year.
        "Margins Under Label Drift": (2019, "", ""),
        "Cheap Ensembles by Weight Sharing": (2017, "1702.05555", ""),
        # "- ICLR'18 oral" is a remark: the conference year, kept after its preprint.
        "Dropout as Annealing": (2018, "1710.02222", ""),
    }
    warnings = [message for _, message in result.warnings]
    for title, heading in [
        ("Kernel Tricks for Streaming Data", "2021-03"),
        ("Curriculum Order Matters Less Than You Think", "2021-02"),
    ]:
        assert f"“{title}”: year unknown — the heading “{heading}”" in "\n".join(warnings)
    assert not skipped(result)
    assert not {"What I read", "2021-03", "2021-02"} & set(records(result))


def test_an_added_on_heading_is_a_reading_date_even_without_ids():
    text = (
        "## Added 2018/10/01:\n"
        "  * [Group Norms for Tiny Batches](notes/group-norms.md)\n"
        "  * `ECCV 2018` [Corner Pairs for Detection](notes/corners.md)\n"
    )
    result = parse_notes(text)
    assert records(result) == {
        "Corner Pairs for Detection": (2018, "", ""),
        "Group Norms for Tiny Batches": (None, "", ""),
    }
    (warning,) = [message for _, message in result.warnings if "year unknown" in message]
    assert "“Added 2018/10/01”" in warning


def test_a_day_left_open_and_a_file_named_after_its_paper_still_make_entries():
    # "Added 2016/03/??" is a reading date like "Added 2016/03/31"; "[Mask R-CNN](…/Mask_R-CNN.md)"
    # names its notes page, so a two-word name is the paper's; a one-word one is listed.
    text = (
        "## Added 2016/03/??:\n"
        "  * `DETECTION` [Box Heads](notes/Box_Heads.md)\n"
        "  * [Sparse Voxel Nets for Point Clouds](notes/voxels.md)\n"
        "  * `GAN` [FOOGAN](notes/FOOGAN.md)\n"
        "  * [Notes](notes/misc.md)\n"
    )
    result = parse_notes(text)
    assert records(result) == {
        "Box Heads": (None, "", ""),
        "Sparse Voxel Nets for Point Clouds": (None, "", ""),
    }
    assert skipped(result) == {"FOOGAN": "only a short name (“FOOGAN”) names the paper."}


def test_a_file_that_dates_no_paper_imports_its_papers_as_year_unknown():
    # A checklist of papers with bare links and no dates anywhere: its papers, year unknown.
    text = "".join(
        f"- [ ] Paper Number {word} On Checklists https://example.org/p/{word}.pdf\n"
        for word in ("One", "Two", "Three", "Four")
    )
    result = parse_notes(text)
    assert {r.title: r.year for r in result.records} == {
        f"Paper Number {word} On Checklists": None for word in ("One", "Two", "Three", "Four")
    }
    assert not result.skipped


def test_a_stray_undated_link_in_a_dated_list_is_skipped_and_listed():
    dated = "".join(
        f"- **Dated Paper Number {n}** ({2000 + n}) [[pdf]](https://example.org/{n}.pdf)\n"
        for n in range(1, 21)
    )
    text = dated + "- Journal Home Page [[web]](https://example.org/journal.pdf)\n"
    result = parse_notes(text)
    assert len(result.records) == 20 and all(r.year for r in result.records)
    assert skipped(result) == {"Journal Home Page": "no date found."}


def test_a_short_name_item_takes_its_reference_lines_title_or_is_skipped():
    result = parsed("short_names.md")
    assert records(result) == {
        "QuickBox: Single-Pass Box Regression with Shared Anchors": (2017, "1604.01111", ""),
        "Thin Lines: Detecting Wires in Aerial Photographs": (2016, "1606.03333", ""),
        # A label over two reference lines, each with its own link: two papers.
        "Learning to Remove Sensor Noise": (2016, "", ""),
        "Noise Models for Burst Photography": (2016, "1607.04444", ""),
        # A label with one link per reference line: paired in order.
        "Multiscale Scene Labelling with Purity Trees": (2012, "", ""),
        "Hierarchical Features for Scene Labelling": (2013, "", ""),
        "Segmenting Roads with Dilated Convolutions": (2016, "1511.05555", ""),
        # A whole reference without a link (authors, title, venue, year) is a paper.
        "Part Fields for Crowded Pose Estimation": (2017, "", ""),
        "Stacked Funnels for Keypoints": (2016, "", ""),
    }
    by_title = {r.title: r for r in result.records}
    assert by_title["Multiscale Scene Labelling with Purity Trees"].url.endswith(
        "icml12/labels.pdf"
    )
    assert by_title["Hierarchical Features for Scene Labelling"].url.endswith("pami13/labels.pdf")
    assert by_title["QuickBox: Single-Pass Box Regression with Shared Anchors"].alias == "QuickBox"
    reasons = skipped(result)
    # A nickname over authors, venue and year but no title: never the title.
    assert "only a short name (“TinyNet”)" in reasons["https://arxiv.org/pdf/1605.02222"]
    # The text's arXiv id and the link's disagree: not guessed.
    assert (
        "its text says arXiv:1511.06666, its link 1511.07777"
        in reasons["Crowd Counting by Density Maps"]
    )
    labels = {"Vision papers", "Detection", "Denoising", "Scene Labels", "TinyNet", "Pose"}
    assert not labels & set(records(result))


def test_each_key_of_an_org_cite_group_is_a_paper_and_prose_is_never_a_title():
    result = parsed("litreview.org", bib=load_bib(SHAPES / "litreview.bib"))
    assert records(result) == {
        "Emergence of Sparse Receptive Fields in a Toy Retina": (1996, "", ""),
        "Sparse Coding with an Overcomplete Basis of Invented Filters": (1997, "", ""),
        "Single-Layer Codes Are Enough for Toy Classifiers": (2011, "", ""),
        # The .bib's DOI is kept though its url field is a publisher page.
        "A Million-Pulse Chip with a Tiny Network Interface": (
            2014,
            "",
            "10.5555/example.2014.668",
        ),
        "Spindle: A Many-Core Pulse Processor with On-Chip Learning": (2018, "", ""),
    }
    assert "cannot be resolved" in skipped(result)["cite:kim_gate_2019"]
    assert "Background" not in records(result)


def test_remarks_cut_headings_and_one_link_with_two_titles():
    result = parsed("messy_list.md")
    assert records(result) == {
        "Learning to Rank Candidates": (2018, "1803.01111", ""),
        # "maybe pair it with (or swap for?): Title (simpler)": the remark is not the title.
        "Contextual Char Embeddings for Tagging": (2018, "", ""),
        # A heading cut after "and" goes on in the next line.
        "Sarcasm Detection in Short Posts with Attention and Emoji Features": (2017, "", ""),
        "Music Generation with Deep Models - A Survey": (2017, "1709.03333", ""),
        # An ACL Anthology mirror's address still carries the ACL id (P17: 2017).
        "Attention Maps for Translation": (2017, "", ""),
        # "[[pdf]] (url)": a label that did not become a link is not part of the title.
        "Word Vectors Revisited": (2015, "", ""),
    }
    by_title = {r.title: r for r in result.records}
    assert by_title["Contextual Char Embeddings for Tagging"].alias == ""
    reason = skipped(result)["https://arxiv.org/abs/1412.05555"]
    assert "one link two titles" in reason
    assert not {"Candidate papers", "Same link, two titles", "Emoji Features"} & set(
        records(result)
    )


@pytest.mark.django_db
def test_importing_the_short_name_list_saves_exactly_its_papers(tmp_path):
    out = run_import_notes(SHAPES / "short_names.md", "--skip-invalid")
    assert Paper.objects.count() == 9
    assert not Paper.objects.filter(title__in=["Detection", "Denoising", "TinyNet"]).exists()
    assert "TinyNet" in out
    assert_everything_valid()


def test_a_blog_reading_page_keywords_wrapped_titles_and_short_venue_years():
    result = parsed("venue_reading.md")
    assert records(result) == {
        # "**缓存，调度** **Title**": the first bold run lists keywords, the second is the title.
        "Tiered Caches for Small Model Serving": (2025, "2502.01234", ""),
        # A bold title wrapped over two lines is one title.
        "Elastic Batching for Long Prompts Across Shared Accelerators": (2024, "2403.05678", ""),
        # "ASPLOS'25", "OSDI '24": systems venues with a short year; the DOI from the link.
        "Paged Buffers Without Pages": (2025, "", "10.1145/3600000.3700001"),
        "Pipeline Bubbles Considered Harmful": (2024, "", "10.1145/3600000.3700002"),
    }
    assert not {"2025-03", "Conference list", "Systems papers I skimmed"} & set(records(result))


def test_a_headings_bibtex_block_gives_its_eprint_and_a_contradicting_link_is_skipped():
    result = parsed("heading_bibtex.md")
    # The heading's paper links to OpenReview; its BibTeX block gives the arXiv id.
    assert records(result) == {"Greedy Is Enough for Short Answers": (2023, "2310.01111", "")}
    reasons = [s.reason for s in result.skipped]
    assert any(
        "its link says arXiv:2209.02222, its BibTeX block arXiv:1904.03333" in r for r in reasons
    )
    assert "Decoding notes" not in records(result)


def test_front_matter_sessions_name_their_paper_without_a_paper_link():
    result = parsed("semester.md")
    # Authors and a venue say it is a paper, whatever its link (a gateway, "(Link)").
    assert records(result) == {
        "Quiet Replicas: Consensus Without Leader Chatter": (2018, "", ""),
        "Snapshots for Free in Log-Structured Stores": (2017, "", ""),
    }
    assert "Social hour" not in records(result)


def test_a_list_item_heading_titles_the_bare_link_below_it():
    result = parsed("list_headings.md")
    assert records(result) == {
        "Grounding Words in Street Photos": (2018, "", ""),
        "Captions as Weak Labels": (2017, "", ""),
    }
    assert not {"Proposed by Kim", "Image and text"} & set(records(result))


def test_items_of_a_paper_list_that_name_no_paper_are_listed_as_skipped_with_the_line():
    text = (
        "## Vision\n\n"
        "- [Residual Nets for Tiny Images](https://arxiv.org/abs/1512.03385)\n"
        "- A Paper Someone Forgot To Link (2016), B. Author et al.\n"
        "- [A Blog Post About Nets](https://example.com/blog)\n"
        "- ok\n"
    )
    result = parse_notes(text)
    assert records(result) == {"Residual Nets for Tiny Images": (2015, "1512.03385", "")}
    assert {(s.line, s.label, s.reason) for s in result.skipped} == {
        (
            4,
            "A Paper Someone Forgot To Link (2016), B. Author et al.",
            "no link to a paper and no whole reference (authors, title, venue, year).",
        ),
        (5, "A Blog Post About Nets", "no link to a paper (its links: https://example.com/blog)."),
    }


def test_a_list_with_no_paper_in_it_lists_nothing():
    # A to-do list or a table of contents is not a list of papers: no skipped noise.
    result = parse_notes("- buy milk and eggs\n- [Home page](https://example.com/)\n")
    assert not result.records and not result.skipped


def test_a_labs_publication_page_is_a_paper_link_but_its_blog_is_not():
    text = "".join(
        f"- [ ] {title} {url}\n"
        for title, url in [
            ("Acoustic Models for Many Speakers", "https://research.google.com/pubs/pub45400.html"),
            ("Simple Data Processing on Clusters", "https://research.google.com/archive/mr.html"),
            ("Growing Nets Step by Step", "http://research.nvidia.com/publication/2017-10_Grow"),
            ("A Survey of Quantisers", "https://www.jstage.jst.go.jp/article/mta/6/1/6_2/_article"),
            ("Our Team Wrote a Blog Post", "https://research.google/blog/our-team-post/"),
        ]
    )
    result = parse_notes(text)
    # Four undated papers of an undated list: year unknown, except the one the address dates.
    assert records(result) == {
        "Acoustic Models for Many Speakers": (None, "", ""),
        "Simple Data Processing on Clusters": (None, "", ""),
        "Growing Nets Step by Step": (2017, "", ""),
        "A Survey of Quantisers": (None, "", ""),
    }
    (label,) = skipped(result)
    assert label.startswith("Our Team Wrote a Blog Post")
    assert skipped(result)[label].startswith("no link to a paper")


def test_plain_references_written_title_first_are_papers_with_their_venue_year_or_id():
    # The numbered lists of plain references many awesome lists keep: "Title. Authors
    # et al. VENUE YEAR", "Title. arXiv:ID", "Title [KDD 2021]"; code links ride along.
    result = parsed("plain_references.md")
    assert records(result) == {
        "Soft Targets for Small Students": (2019, "", ""),
        "Teaching with Temperature: A Second Look": (2019, "1906.01234", ""),
        "Fewer Layers, Same Answers": (2020, "", ""),
        "Compressing Decoders Gently": (2018, "1812.04321", ""),
        "Calibrated Students in the Wild": (2020, "", ""),
        "Pruned Teachers Still Teach": (2017, "", ""),
        "Distilling Rankers for Search": (2021, "", ""),
        "Sparse Students for Streaming Graphs": (2021, "", ""),
        "TinyKit: A Toolkit for Small Models": (2020, "2011.01234", ""),
        "Contrastive Students": (2020, "", ""),
    }
    by_title = {record.title: record for record in result.records}
    assert by_title["Soft Targets for Small Students"].authors == ["Ada Byron"]
    assert by_title["Soft Targets for Small Students"].venue == "CVPR"
    assert by_title["Teaching with Temperature: A Second Look"].authors == [
        "Ada Lovelace",
        "Charles Babbage",
    ]
    assert by_title["Distilling Rankers for Search"].venue == "Information Retrieval Journal"
    assert [(link.kind, link.url) for link in by_title["Fewer Layers, Same Answers"].links] == [
        ("code", "https://github.com/example/fewer-layers")
    ]
    # In the list, prose ending in a venue and a year and a bare title are no papers,
    # listed with the reason; a to-do list without any paper lists nothing.
    assert set(skipped(result)) == {
        "We tried this recipe. It worked well in CVPR 2019 demos",
        "A Title Alone Without Any Venue",
    }


def test_a_link_text_ending_in_its_own_date_gives_the_year_and_makes_the_headings_a_log():
    # "[Title (**2016.03**)](notes/x.md)" under "#### 2019-11": the parenthesis is the
    # paper's date, not part of its title; papers dated years before their month heading
    # make the headings reading dates, so the one undated entry's year is unknown.
    result = parsed("dated_titles.md")
    assert {r.title: (r.year, r.month) for r in result.records} == {
        "Reading Tables with Pointers": (2016, 3),
        "Answer Spans from Two Passes": (2017, 8),
        "Entailment by Alignment": (2015, 9),
        "Shuffled Batches Considered Useful": (None, None),
        "Gated Readers for Long Documents": (2016, 6),
    }


def test_a_list_of_paper_titles_linking_the_writers_notes_imports_them_year_unknown():
    # "## List of papers" whose items are each one title linking the writer's own notes
    # (a notes site, gists, Medium): papers of unknown year, the link kept as a typed
    # "notes" link. A one-word item may be a nickname: listed, not imported. The list of
    # other links under "## Links" names no paper and lists nothing.
    result = parsed("notes_site_list.md")
    assert records(result) == {
        "Sparse Routing for Tiny Transformers": (None, "", ""),
        "Curriculum Order Matters Less Than You Think": (None, "", ""),
        "Gradient Noise in Small Batches": (None, "", ""),
        "Kernel Tricks for Streaming Data": (None, "", ""),
    }
    by_title = {record.title: record for record in result.records}
    assert [
        (link.kind, link.url) for link in by_title["Gradient Noise in Small Batches"].links
    ] == [("notes", "https://gist.github.com/example-writer/0a1b2c3d4e5f")]
    assert skipped(result) == {
        "Hypernets": "only a short name (“Hypernets”) names the paper (its notes: "
        "https://notes.example.org/a-paper-a-week/hypernets)."
    }


def test_resource_lists_under_a_papers_heading_stay_skipped_not_papers():
    # Under headings that say "papers": links with a description after them, posts on many
    # different blogs, repositories, talks. None is a paper; each item is listed.
    result = parsed("notes_site_resources.md")
    assert result.records == []
    reasons = skipped(result)
    assert len(reasons) == 14
    assert all(reason.startswith("no link to a paper (its links: ") for reason in reasons.values())
    assert reasons["Why Batches Matter"] == (
        "no link to a paper (its links: https://blog-four.example.io/batches)."
    )


def test_an_undated_entry_whose_notes_page_is_about_a_blog_post_is_no_paper():
    # A reading log's "[Kernel Tricks: The Confusing Parts (1)](notes/…)" among dated papers:
    # its notes page is headed by a link to a blog post, so it is notes on a post. A page
    # headed by an arXiv link keeps its entry a paper; an entry with its own date stays a
    # paper whatever its page links. "%20" in a local link finds the file.
    result = parsed("blog_post_notes.md")
    assert {r.title: r.year for r in result.records} == {
        "Reading Tables with Pointers": 2016,
        "Shuffled Batches Considered Useful": None,
        "Answer Spans from Two Passes": 2017,
        "Gated Readers for Long Documents": 2016,
    }
    reasons = skipped(result)
    assert reasons["Kernel Tricks: The Confusing Parts (1)"] == (
        "its notes page (./notes/Kernel%20Tricks%201.md) is about "
        "https://someone.example.com/post/kernel-tricks-1/, which is not a paper."
    )
    assert set(reasons) == {
        "Kernel Tricks: The Confusing Parts (1)",
        "Kernel Tricks: The Confusing Parts (2)",
        "Convolutions demystified",
    }
    gated = next(r for r in result.records if r.title.startswith("Gated"))
    assert "Gates decide which sentences the reader keeps." in gated.notes


def test_a_title_wrapped_onto_the_next_line_keeps_the_repeated_author_name_out():
    # "… for Semi-Supervised" / "Okonkwo. Okonkwo et al. CVPR 2021": the name the writer
    # repeats as first author is not the end of the title; a title that really goes on
    # over the break is kept whole. "(survey)" before a title is a label; "(Almost)" is
    # part of the title.
    result = parsed("wrapped_references.md")
    assert records(result) == {
        "Soft Labels Travel Further Than Hard Ones for Semi-Supervised": (2021, "", ""),
        "Teaching Small Students with Many Teachers via Joint Use of Feature Maps and Logits": (
            2021,
            "2105.01234",
            "",
        ),
        "Distilling Knowledge: A Survey": (2021, "", ""),
        "(Almost) Free Students for Everyone": (2020, "", ""),
        "Residual Students for Image Recognition": (2016, "", ""),
    }
    first = next(r for r in result.records if r.title.startswith("Soft Labels"))
    assert first.venue == "CVPR"
    assert [(link.kind, link.url) for link in first.links] == [
        ("code", "https://github.com/example/soft-labels")
    ]


def test_a_post_about_one_paper_takes_its_title_from_the_front_matter():
    # A Jekyll post: "title:" names the paper, "[Link to the paper](…)" links it; the
    # link's text is a label, never the title.
    result = parsed("paper_post.md")
    assert records(result) == {"Sparse Routing for Tiny Transformers": (2019, "1907.01234", "")}
    # Its other link (a blog) is no paper of its own, and the page's title went to the
    # paper, not to it.
    assert "Shazeer et al" not in skipped(result)


def test_a_notes_file_named_year_author_words_gives_its_paper_the_year():
    # "[Title](./dir/2018-Byron_pivot-languages.md)" in an undated list: the file name
    # carries the year; a notes page without one ("note.md") is no paper.
    result = parsed("year_named_notes.md")
    assert records(result) == {
        "Pivot Languages for Tiny Corpora": (2018, "", ""),
        "Shared Subwords Across Scripts": (2013, "", ""),
    }
    # The notes files are not there: said, not silently ignored.
    assert any("2013-Noether_shared-subwords.md" in message for _, message in result.warnings)


def test_an_org_heading_over_its_pdf_and_bibtex_sub_headings_is_one_paper():
    # "** Title" over "*** [[…pdf][pdf]]", "*** bibtex" (a bare @article) and "*** notes":
    # the heading is the paper, dated and identified by its BibTeX; the section above it
    # and a sibling section listing papers of their own are not.
    result = parsed("heading_parts.org")
    assert records(result) == {
        "Lenses on Program Verification": (1998, "", "10.1145/000001.000002"),
        "Attention Is All You Need": (2017, "1706.03762", ""),
    }
    lenses = next(r for r in result.records if r.year == 1998)
    assert lenses.url == "https://example.org/papers/lenses.pdf"
    assert lenses.authors == ["Ada Byron", "Emmy Noether"]
    assert "Read chapter 2 first." in "\n".join([lenses.notes])


def test_a_post_about_one_paper_gives_it_the_whole_post_as_notes_and_its_tags_date():
    # A Jekyll post about one paper: every section is the paper's notes (not only the
    # lines under its link), the front matter's 'ICML 2018' dates it and names the venue,
    # its other tags are tags; its prose bullets are notes, not skipped items.
    result = parsed("paper_post_body.md")
    assert records(result) == {"Gradient Noise in Small Batches": (2018, "1811.04321", "")}
    paper = result.records[0]
    assert paper.venue == "ICML"
    assert paper.tags == ["Optimisation", "AI"]
    for part in ("# Introduction", "# Method", "scale = lr * dataset_size", "# Results",
                 "Noise helps until the learning rate is tuned."):  # fmt: skip
        assert part in paper.notes
    assert "Link to the paper" not in paper.notes
    assert not [s for s in result.skipped if s.reason.startswith("no link to a paper")]


def test_a_posts_year_tag_that_is_the_year_it_was_written_does_not_date_the_paper():
    # "date: 2019-05-01" and the tag '2019': perhaps only when the post was written; the
    # arXiv id dates the paper.
    result = parsed("paper_post_written.md")
    assert records(result) == {"Sparse Routing for Tiny Transformers": (2017, "1706.01234", "")}
    assert "Routing tokens to a few experts" in result.records[0].notes


@pytest.mark.django_db
def test_importing_a_notes_site_list_saves_papers_of_unknown_year_with_a_notes_link():
    out = run_import_notes(SHAPES / "notes_site_list.md")
    papers = Paper.objects.order_by("title")
    assert [(paper.title, paper.year) for paper in papers] == [
        ("Curriculum Order Matters Less Than You Think", None),
        ("Gradient Noise in Small Batches", None),
        ("Kernel Tricks for Streaming Data", None),
        ("Sparse Routing for Tiny Transformers", None),
    ]
    kernel = papers.get(title="Kernel Tricks for Streaming Data")
    assert [(link.kind, link.url) for link in kernel.links.all()] == [
        ("notes", "https://medium.com/@example-writer/kernel-tricks-0a1b2c")
    ]
    assert kernel.links.get().get_kind_display() == "Notes"
    assert "Hypernets" in out
    assert_everything_valid()


def test_citations_and_sentences_running_into_a_link_are_never_titles():
    # "[Okonkwo et al. 2019](…)" cites a paper by its authors; "… see section 3 in the
    # [paper](…)" is a sentence running into its link: neither names the paper (listed, with
    # the link, for --lookup). A title before a "[paper]" label still is one.
    result = parsed("citation_links.md")
    assert records(result) == {"Deep Sparse Routing": (2019, "1903.01234", "")}
    assert {s.line: s.reason for s in result.skipped} == {
        3: "the link has no title.",
        4: "the link has no title.",
        6: "the link has no title.",
    }


def test_a_post_about_one_paper_turns_its_other_links_into_mentions():
    # The line that only links the paper ("* [Link to the paper](…)") names the post's
    # paper, though a citation comes first and a later "[original paper](…)" under a
    # heading links it too; the papers the post cites are mentions in its notes.
    result = parsed("paper_post_mentions.md")
    assert records(result) == {
        "Teaching Small Students with Many Teachers": (2021, "2101.01234", "")
    }
    paper = result.records[0]
    assert paper.venue == "ICLR"
    assert "[Okonkwo et al. 2019](https://arxiv.org/abs/1901.01234)" in paper.notes
    assert "[Soft Labels Travel Further](https://arxiv.org/abs/1902.04321)" in paper.notes
    assert result.skipped == []


def test_a_post_whose_paper_link_is_a_repository_still_names_its_paper():
    # "* [Link to the paper](https://github.com/…)": the line says it is the paper; the
    # page's title names it, its tag dates it, the repository is its code link; the
    # arXiv paper it beats is a mention.
    result = parsed("paper_post_repo_link.md")
    assert records(result) == {"Contrastive Views for Tiny Agents": (2020, "", "")}
    paper = result.records[0]
    assert [(link.kind, link.url) for link in paper.links] == [
        ("code", "https://github.com/example/tiny-agents")
    ]
    assert "SAC-Tiny" in paper.notes


@pytest.mark.parametrize("name", ["reading_list_page.md", "reading_list_post.md"])
def test_a_reading_list_page_is_no_post_about_one_paper(name):
    # A page (layout: page), or a post whose title says "papers", listing papers with one
    # "[Paper](…)" line among them: that line is not taken for the page's one paper, and
    # the other papers stay papers, not mentions.
    result = parsed(name)
    assert records(result) == {
        "Sparse Routing for Tiny Transformers": (2019, "1907.01234", ""),
        "Gradient Noise in Small Batches": (2018, "1811.04321", ""),
        "Kernel Tricks for Streaming Data": (2017, "1702.01234", ""),
    }
    assert {s.line: s.reason for s in result.skipped} == {9: "the link has no title."}
