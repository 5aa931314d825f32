"""Shapes from the third set of real notes files measured in docs/INTAKE.md ("A third
set"), each in a fixture of our own (notes_shapes/): a reading group's schedule table,
link texts that hold a whole citation or a title with its year and authors, short names."""

from pathlib import Path

from papers.intake.bibtex_import import parse_bibtex, read_bibtex_bytes
from papers.intake.notes.importer import detect_format, parse_notes

SHAPES = Path(__file__).parent / "notes_shapes"


def parsed(name, **options):
    path = SHAPES / name
    text = path.read_text()
    return parse_notes(text, detect_format(path, text), SHAPES, **options)


def by_title(result):
    return {record.title: record for record in result.records}


def test_a_schedule_tables_dates_say_when_it_was_presented_not_when_it_appeared():
    result = parsed("schedule_table.md")
    found = {title: (r.year, r.arxiv_id, r.alias) for title, r in by_title(result).items()}
    assert found == {
        # The arXiv id dates the paper; "8th March, 2022" and "## 2022" do not.
        "Deep Residual Learning for Image Recognition": (2015, "1512.03385", "ResNet"),
        "Layer Normalization": (2016, "1607.06450", ""),
        # Nothing but the session dates it: imported with the year unknown.
        "Sequence to Sequence Learning with Neural Networks": (None, "", ""),
        # A date the paper's own link text gives is kept.
        "Batch Normalization": (2015, "", ""),
    }
    warnings = "\n".join(message for _, message in result.warnings)
    assert "“Sequence to Sequence Learning with Neural Networks”: year unknown" in warnings
    assert "presented 8th February, 2022" in warnings


def test_a_one_word_short_name_link_is_listed_never_a_title():
    result = parsed("schedule_table.md")
    assert {s.label: s.reason for s in result.skipped} == {
        "GroupNorm": "only a short name (“GroupNorm”) names the paper."
    }
    assert "GroupNorm" not in by_title(result)


def test_a_link_text_with_the_papers_year_and_authors_gives_all_three():
    records = by_title(parsed("link_text_citations.md"))
    odes = records["Neural Ordinary Differential Equations"]
    # "## 2103" is when it was read (YYMM), not a year: the link's own "(2018)" dates it.
    assert (odes.year, odes.authors) == (2018, ["Chen", "Rubanova", "Bettencourt", "Duvenaud"])
    assert records["Decoupled Weight Decay Regularization"].year == 2019
    bahdanau = records["Neural Machine Translation by Jointly Learning to Align and Translate"]
    assert (bahdanau.year, bahdanau.authors[0]) == (2015, "Bahdanau")
    assert not [title for title in records if "(2015)" in title or " - " in title]


def test_a_link_text_that_is_a_whole_scholar_citation_gives_the_quoted_title():
    records = by_title(parsed("link_text_citations.md"))
    seq = records["Sequence to sequence learning with neural networks"]
    assert (seq.year, seq.arxiv_id, seq.authors) == (2014, "1409.3215", ["Ilya Sutskever"])
    w2v = records["Efficient estimation of word representations in vector space"]
    assert (w2v.year, w2v.arxiv_id, w2v.authors) == (2013, "1301.3781", ["Tomas Mikolov"])


def test_short_names_around_a_title_are_aliases_not_part_of_it():
    result = parsed("link_text_citations.md")
    records = by_title(result)
    gpt2 = records["Language Models are Unsupervised Multitask Learners"]
    assert (gpt2.alias, gpt2.year, gpt2.authors) == ("GPT-2", 2019, [])
    lstm = records["Long Short-Term Memory"]
    assert (lstm.alias, lstm.arxiv_id) == ("LSTM", "1503.04069")
    # "… & Other SRs": a remark that more papers were discussed, not part of the title.
    assert (
        "Photo-Realistic Single Image Super-Resolution Using a Generative Adversarial Network"
        in records
    )
    assert {s.label for s in result.skipped} == {"GroupNorm"}
    assert len(result.records) == 9


def test_journal_and_library_pages_are_paper_links_and_a_topic_label_is_no_author():
    result = parsed("survey_hosts.md")
    records = by_title(result)
    # JAIR's article pages and CiteSeerX downloads are papers (their "doi=10.1.1…" is a
    # CiteSeerX id, not a DOI).
    planning = records["Planning and Acting in Partially Observable Stochastic Domains"]
    assert (planning.year, planning.doi, planning.authors) == (1998, "", [])
    ranking = records["An Overview of Learning to Rank Methods"]
    assert (ranking.year, ranking.doi) == (2007, "")
    # "- Overview: [Title (2012)](…)": the topic label is not an author.
    assert records["A Few Useful Things to Know About Machine Learning"].authors == []


def test_an_undated_reference_naming_its_authors_is_imported_with_the_year_unknown():
    result = parsed("survey_hosts.md")
    records = by_title(result)
    gpt = records["Improving Language Understanding by Generative Pre-Training"]
    assert (gpt.year, gpt.authors[:2]) == (None, ["Alec Radford", "Karthik Narasimhan"])
    # A stray undated link in a file that dates its papers stays listed, with the
    # add_paper command when it carries a DOI.
    reasons = {s.label: s.reason for s in result.skipped}
    assert reasons == {
        "Deep learning in medical image analysis: a review": "no date found. Add it with: "
        "manage.py add_paper 10.1007/s10462-021-10000-0",
        "An interactive essay on attention": "no date found.",
    }
    assert len(result.records) == 7


def test_a_dblp_corr_entrys_volume_is_its_arxiv_id():
    data = (SHAPES / "dblp_corr.bib").read_bytes()
    records = {r.title: r for r in parse_bibtex(read_bibtex_bytes(data))}
    assert records["Adam: A Method for Stochastic Optimization"].arxiv_id == "1412.6980"
    # A journal's volume number is no id.
    assert records["Computational Graphs and Rounding Error"].arxiv_id == ""


def test_references_written_names_first_before_a_paper_label_give_their_titles():
    records = by_title(parsed("reference_paragraphs.md"))
    assert {title: (r.year, r.doi) for title, r in records.items()} == {
        # MLA with the title in quotes.
        "Tensor decompositions and applications": (2009, "10.1137/07070111X"),
        # MLA without quotes (a book), linked "(Book)": the label is no title.
        "Nonnegative matrix and tensor factorizations: applications to exploratory "
        "multi-way data analysis": (2009, ""),
        # Harvard: names, year, title, venue (also "2010, June.").
        "Exact matrix completion via convex optimization": (2009, ""),
        "Matrix completion from a few entries": (2010, ""),
    }
    harvard = records["Exact matrix completion via convex optimization"]
    assert harvard.authors == ["Candes, E. J.", "Recht, B."]
    assert harvard.venue.startswith("Foundations of Computational Mathematics")
    book = records[
        "Nonnegative matrix and tensor factorizations: applications to exploratory "
        "multi-way data analysis"
    ]
    assert book.authors == ["Andrzej Cichocki"]


def test_a_lists_title_over_a_cite_our_review_block_is_a_section_not_the_review():
    result = parsed("awesome_cite_block.md")
    records = by_title(result)
    # Every row of the tables under it is a paper (the BibTeX block made the title a
    # paper that swallowed the whole file as its notes).
    assert {title: r.year for title, r in records.items()} == {
        "DeepSleepNet: a Model for Automatic Sleep Stage Scoring based on Raw "
        "Single-Channel EEG": 2017,
        "Joint Classification and Prediction CNN Framework for Automatic Sleep Stage "
        "Classification": 2019,
        # A PDF served by a document store ("….pdf/70cf3e1b-…") is a paper link.
        "Sleep Stage Scoring with Hidden Markov Models on Wearable Data": 2015,
        # "[[arXiv]](…/2107.00001)" is named by the BibTeX block citing that same id.
        "Automatic sleep staging: a review": 2021,
    }
    assert "Awesome Sleep Staging" not in records
    review = records["Automatic sleep staging: a review"]
    assert (review.arxiv_id, review.authors) == ("2107.00001", ["Jane Doe", "Richard Roe"])
    assert not result.skipped


def test_a_bibtex_block_citing_another_paper_names_no_untitled_link():
    text = (
        "[[arXiv]](https://arxiv.org/abs/2107.00001)\n\n"
        "```bibtex\n@article{x,\n  title={A different paper entirely},\n"
        "  journal={arXiv preprint arXiv:1999.00002},\n  year={2019}\n}\n```\n"
    )
    result = parse_notes(text, "markdown", SHAPES)
    assert result.records == []
    assert [s.reason for s in result.skipped] == ["the link has no title."]


def test_a_literature_notes_front_matter_names_its_paper_in_toml_or_yaml():
    result = parsed("toml_literature_note.md")
    (record,) = result.records
    title = "Neural Machine Translation by Jointly Learning to Align and Translate"
    assert (record.title, record.year, record.authors) == (
        title,
        2015,
        ["Bahdanau", "Cho", "Bengio"],
    )
    # The page is its notes; the TOML block is not read as a paragraph of text.
    assert "My own summary" in record.notes and "+++" not in record.notes
    yaml_page = "---\ntitle: " + title + "\nauthors: [D. Bahdanau, K. Cho]\nyear: 2015\n---\n"
    (from_yaml,) = parse_notes(yaml_page + "\nNotes.\n", "markdown", SHAPES).records
    assert (from_yaml.title, from_yaml.authors) == (title, ["D. Bahdanau", "K. Cho"])


def test_a_blog_posts_front_matter_names_no_paper():
    # "author" and "date" are the writer's and the post's.
    result = parsed("yaml_blog_post.md")
    assert result.records == [] and result.skipped == []


def test_a_posts_further_reading_list_of_whole_citations_names_papers_of_its_own():
    # A post about one paper (its title is the last citation's quoted title) whose "read
    # next" list cites two more papers in full: those are papers; a paper the prose names
    # in passing stays a mention in the notes.
    result = parsed("post_further_reading.md")
    found = {title: (r.year, r.arxiv_id) for title, r in by_title(result).items()}
    assert found == {
        "Quiet Gradients: Training Deep Nets with Fewer Updates": (2018, "1809.06666"),
        "Sparse updates for shallow networks": (2014, ""),
        "Skipping steps in stochastic descent": (2016, "1602.05555"),
    }
    post = by_title(result)["Quiet Gradients: Training Deep Nets with Fewer Updates"]
    assert "[Loud Gradients Everywhere](https://arxiv.org/abs/1703.04444)" in post.notes
    assert "What to read next" in post.notes


def test_with_repository_pdfs_a_pdf_kept_on_github_and_titled_as_a_paper_is_the_paper():
    # "[[DXN] Title (Lakeside 2017)](github.com/…/blob/…pdf)": the list's label in brackets
    # is a short name (or, several words, a tag), "(Lakeside 2017)" who and when.
    result = parsed("repository_pdfs.md", repository_pdfs=True)
    found = {
        title: (r.year, r.alias, r.affiliations, r.pdf_url.split("/")[2])
        for title, r in by_title(result).items()
    }
    assert found == {
        "Deep Cross Features for Click Estimates": (2017, "DXN", "Lakeside", "github.com"),
        "Retrieval with Twin Encoders at Scale": (
            2019,
            "",
            "Hillcrest",
            "raw.githubusercontent.com",
        ),
        "Sparse Feedback in Implicit Ranking": (2014, "", "Riverbend", "github.com"),
    }
    assert "Two Towers" in by_title(result)["Retrieval with Twin Encoders at Scale"].tags


def test_with_repository_pdfs_slides_handbooks_and_talks_kept_the_same_way_are_listed():
    result = parsed("repository_pdfs.md", repository_pdfs=True)
    skipped = {s.line: s.reason for s in result.skipped}
    # The handbook, the slides, the talk ("Introduction by <name>") and the notes, each
    # with its line.
    assert sorted(skipped) == [9, 10, 11, 12]
    assert all(reason.startswith("no link to a paper") for reason in skipped.values())
    titles = " ".join(by_title(result))
    assert not {"Handbook", "Bandits", "Introduction", "notes"} & set(titles.split())


def test_by_default_pdfs_kept_in_a_code_repository_are_listed_with_their_line_not_papers():
    # A list's talks and slide decks are stored and titled exactly as its papers are
    # (wzhe06/Reco-papers): without --repository-pdfs none of them is a paper.
    result = parsed("repository_pdfs.md")
    assert result.records == []
    skipped = {s.line: (s.label, s.reason) for s in result.skipped}
    assert sorted(skipped) == [6, 7, 8, 9, 10, 11, 12]
    for line in (6, 7, 8):  # blob/, raw.githubusercontent.com and raw/ links
        assert skipped[line][1] == (
            "a PDF stored in a code repository (github.com/example/rank-papers): not "
            "imported as a paper unless --repository-pdfs is given (in the admin: “PDFs "
            "stored in a code repository are papers”)."
        )
    assert skipped[6][0] == "Deep Cross Features for Click Estimates"
    # What is no paper even with the option keeps its own reason.
    assert all(skipped[line][1].startswith("no link to a paper") for line in (9, 10, 11, 12))


def test_by_default_an_entry_that_also_links_a_paper_host_is_still_its_paper():
    text = (
        "- [Deep Cross Features for Click Estimates (Lakeside 2017)]"
        "(https://github.com/example/rank-papers/blob/master/dxn.pdf) "
        "[[arXiv]](https://arxiv.org/abs/1708.05123)\n"
        "- [[Code]](https://github.com/example/dxn) "
        "[Sparse Feedback in Implicit Ranking](https://arxiv.org/abs/1409.01234)\n"
    )
    result = parse_notes(text, "markdown")
    assert {(r.title, r.arxiv_id) for r in result.records} == {
        ("Deep Cross Features for Click Estimates", "1708.05123"),
        ("Sparse Feedback in Implicit Ranking", "1409.01234"),
    }
    assert result.skipped == []


def test_a_post_about_one_undated_paper_imports_it_with_the_year_unknown():
    # "title: Paper Reading: …" over "[This paper](….pdf)": the post's one paper, without
    # the "Paper Reading:" prefix; nothing dates it, so its year is unknown (not skipped
    # as an undated stray link, as it was).
    result = parsed("paper_reading_post.md")
    assert [(r.title, r.year, r.pdf_url) for r in result.records] == [
        (
            "Gossip Without Leaders (Extended Version)",
            None,
            "https://example.org/papers/gossip.pdf",
        )
    ]
    assert "Nothing waits for a leader" in result.records[0].notes
    assert result.skipped == []
    warnings = " ".join(message for _, message in result.warnings)
    assert "year unknown — the file gives no publication year" in warnings


def test_an_undated_index_of_notes_pages_in_a_section_that_lists_papers_imports_them():
    # "**[Title][ref]**" with "[ref]: notes/x.md": titles linking the writer's notes pages
    # through reference links, no years. The section also links a paper by its title (the
    # arXiv one), so it lists papers: each title is a paper of unknown year, its page read
    # in as notes; a two-word name is listed, not guessed.
    result = parsed("notes_index_refs.md")
    found = {title: (r.year, r.arxiv_id) for title, r in by_title(result).items()}
    assert found == {
        "Merging Logs Without Stalls: A Compaction Scheduler": (None, ""),
        "Cuckoo Filters for Range Deletes": (None, ""),
        "Graph Walks for Approximate Neighbours in Sixty Lines": (2023, "2301.04455"),
        "Adaptive Radix Forests for Main-Memory Keys": (None, ""),
    }
    merging = by_title(result)["Merging Logs Without Stalls: A Compaction Scheduler"]
    assert "two queues" in merging.notes
    assert {s.line: s.reason for s in result.skipped} == {
        7: "only a short name (“Tree Quantizers”) names the paper."
    }


def test_a_readmes_table_of_contents_of_local_pages_names_no_paper():
    # The "Documentation" list links local pages too, but nothing in its section is a
    # paper: a table of contents, neither imported nor listed.
    result = parsed("notes_index_refs.md")
    assert not [r for r in result.records if r.source.startswith(("line 13", "line 14"))]
    assert not {"Building the Book Locally", "How Pages Are Organised"} & set(by_title(result))
    assert all(s.line < 12 for s in result.skipped)
