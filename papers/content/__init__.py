"""What papers, reports and sessions have in common: the content base model
(:mod:`papers.content.base`), the registry of content kinds that site-wide features iterate
(:mod:`papers.content.kinds`) and the receivers that keep their search documents current
(:mod:`papers.content.reindex`). docs/ARCHITECTURE.md shows how a fourth kind is added."""
