from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete


class PapersConfig(AppConfig):
    name = "papers"
    verbose_name = "Paper database"

    def ready(self):
        # refresh and facets register their job kinds (a worker loads no URLconf).
        from papers import facets, refresh, signals  # noqa: F401
        from papers.content import reindex
        from papers.models import Author, Authorship, Paper, Tag

        post_save.connect(reindex.reindex_paper_of_authorship, sender=Authorship)
        post_delete.connect(reindex.reindex_paper_of_authorship, sender=Authorship)
        post_save.connect(reindex.reindex_papers_of_author, sender=Author)
        # Papers are the first content kind (papers/content/kinds.py); a tag's new name
        # rewrites the documents of every kind's rows that carry it.
        from django.db.models import F

        from papers.content import kinds
        from papers.models import paper_date

        kinds.register(
            key="papers",
            label="Papers",
            singular="paper",
            model=Paper,
            title_fields=("title", "alias"),
            year=F("year"),
            date_fields=("year", "month"),
            date_of=paper_date,
            feed="papers.feeds.PaperFeed",
            sitemap="papers.sitemaps.PaperSitemap",
            api_router="papers.api.router",
            item_template="papers/_paper_item.html",
            cached_cards="papers.cards.render_cards",
            search_kicker_template="papers/_paper_search_kicker.html",
            # From the kept counts: counting 243,000 tag rows at 100,000 papers was 196 ms
            # at every change, for the sitemap index, the tag index and the API's tags.
            tag_counts="papers.counts.tag_totals",
            # Kept across counts versions and counted again off the request: the grouped
            # query over every paper of a tag was most of a tag page's remaking.
            tags_along="papers.facets.tags_along",
        )
        post_save.connect(reindex.reindex_tagged_on_rename, sender=Tag)
        from papers import related

        post_save.connect(related.paper_saved, sender=Paper)
        pre_delete.connect(related.paper_deleted, sender=Paper)
        m2m_changed.connect(related.links_changed, sender=Paper.related.through)
        m2m_changed.connect(related.links_changed, sender=Paper.tags.through)
        from papers import wikilinks
        from papers.site import markdown

        markdown.add_text_extension(wikilinks.extension_for)
        signals.paper_references_changed.connect(wikilinks.rerender_notes_naming, sender=Paper)

        from papers import models
        from papers.identity import register_section
        from papers.sections import papers_mentioning_paper, register_backlinks
        from papers.site import addresses, cache  # noqa: F401 - addresses registers a deploy check

        register_backlinks(papers_mentioning_paper)

        for key, label in (
            ("home", "Home"),
            ("papers", "Papers"),
            ("topics", "Topics"),
            ("about", "About"),
        ):
            register_section(key, label)

        # Modules that register job kinds: exports, tag merges.
        from papers import exports, merge_jobs  # noqa: F401
        from papers.intake import jobs  # noqa: F401 - registers the intake's job kinds

        # Every model a public page shows: a save or delete invalidates the page caches.
        cache.watch(
            models.Paper,
            models.Paper.related.through,
            models.Paper.mentions.through,
            models.Author,
            models.Authorship,
            models.PaperLink,
            models.Figure,
            models.Tag,
            models.TaggedPaper,
            # Cards and venue pages show its name (it was only in watch_counts: a renamed
            # venue stayed on cached pages until the next other save).
            models.Venue,
            models.SiteSettings,
        )
        # The site-wide counts' table follows every change it counts (papers/counts.py).
        from papers import counts

        counts.connect()
        # Cards are kept per paper: what they show beside the paper's row drops them.
        from papers import cards

        cards.connect()
        # A paper's page is kept per paper too, beside what the cards follow.
        from papers import pages

        pages.connect()
        # What the site-wide counts read (papers/facets.py): published papers' years and
        # venues, their tags and bylines, and the names shown beside the numbers.
        cache.watch_counts(
            models.Paper,
            models.TaggedPaper,
            models.Tag,
            models.Venue,
            models.Authorship,
            models.Author,
        )
