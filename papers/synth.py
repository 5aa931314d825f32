"""Synthetic papers for benchmarks: ``manage.py synth`` calls ``generate(n, rng)``.

Everything goes in through ``bulk_create`` (no ``save()``, no signals), so the slugs and
the rendered notes are computed here. The shapes follow a real paper database: a few
prolific authors and many occasional ones, a long tail of tags, more papers every year.
"""

import itertools
from collections import defaultdict

from django.db import transaction
from django.utils.text import slugify

from papers.models import Author, Authorship, Paper, PaperLink, Status, TaggedPaper, Venue
from papers.site.markdown import render_markdown
from papers.tagging import Tag, tag_slugify

BATCH = 2000
FIRST_YEAR, LAST_YEAR = 1990, 2026


def _words(text, sep=None):
    """The items of a word list written as prose: split on ``sep``, trimmed."""
    return [word.strip() for word in text.replace("\n", " ").split(sep) if word.strip()]


_FIRST = _words("""Ada Alan Alex Alice Amir Ana Andrea Anna Ari Arjun Ayesha Ben Bin Carlos Chen
Chloe Daniel David Deepa Diego Dmitri Elena Eli Emma Eric Esra Fatima Felix Fei Gabriel Grace Hana
Hao Hugo Ilya Ines Ivan Jack Jae James Jan Jia Jing Joao John Jonas Julia Kai Karim Kate Kenji Kim
Lars Laura Lea Lei Leo Li Lin Lucas Lukas Maria Mark Marta Max Mei Mia Ming Mohamed Nadia Naveen
Nina Noah Olga Omar Oriol Pablo Paul Pedro Petra Pieter Priya Qi Quoc Rafael Rahul Ravi Rosa Ruth
Sam Sara Sergey Shane Shu Sofia Sven Takeshi Tara Tim Tomas Uma Victor Wei Xin Yan Yann Yi Yoshua
Yu Yuki Zhen Zoe""")
_LAST = _words("""Abadi Agarwal Ahmed Alvarez Andersen Bach Bai Banerjee Bauer Becker Bengio Brown
Cao Carvalho Chang Chen Cho Costa Das Dean Dubois Edwards Fan Fischer Garcia Gupta Han Hansen He
Hoffmann Hu Huang Ito Jain Jiang Jones Kaiser Kang Kato Khan Kim Klein Kumar Lam Larsen Le Lee Li
Lin Liu Lopez Lu Luo Ma Martin Meyer Miller Mori Muller Nakamura Nguyen Novak Ortiz Park Patel Peng
Perez Petrov Qian Rao Reddy Roberts Rossi Sato Schmidt Schulz Shah Shi Silva Singh Smith Song Sun
Suzuki Tan Tanaka Tang Thomas Tran Wagner Wang Weber Wu Xu Yamamoto Yang Yao Ye Yu Zeng Zhang Zhao
Zhou Zhu""")
_TOPICS = _words(
    """transformers; attention; language models; vision; image generation;
diffusion models; reinforcement learning; robotics; speech; optimization; generalization;
scaling laws; self-supervised learning; contrastive learning; graph neural networks;
few-shot learning; meta-learning; interpretability; fairness; privacy; federated learning;
compression; quantization; distillation; pruning; retrieval; question answering; summarization;
machine translation; code generation; reasoning; chain-of-thought; alignment; RLHF;
instruction tuning; multimodal; video; 3D; NeRF; segmentation; object detection;
classification; GANs; VAEs; normalizing flows; Bayesian deep learning; uncertainty;
causality; time series; recommender systems; tabular data; benchmarks; datasets;
evaluation; efficiency; hardware; sparsity; mixture of experts; state space models; RNNs;
CNNs; ResNets; normalization; initialization; theory; kernels; Gaussian processes;
adversarial robustness; out-of-distribution; continual learning; active learning;
embeddings; tokenization; C++; C#; 机器学习""",
    ";",
)
_QUALIFIERS = _words(
    """efficient; sparse; robust; multilingual; medical; scientific; open;
large; small; on-device; long-context; neural; probabilistic; hierarchical; causal""",
    ";",
)

_TITLE_HEAD = _words("""Efficient Scalable Robust Sparse Deep Simple Unified Hierarchical
Adaptive Learned Self-Supervised Contrastive Generative Neural Probabilistic Differentiable
Multimodal Fast Implicit Latent Structured Causal Continual Masked Conditional Recurrent
Universal""")
_TITLE_NOUN = _words("""Transformers Attention Representations Networks Models Embeddings
Diffusion Policies Agents Encoders Decoders Priors Objectives Tokenizers Optimizers Kernels
Experts Retrievers Graphs Fields Autoencoders Flows Classifiers Planners""")
_TITLE_TAIL = _words(
    """for Language Understanding; for Image Synthesis; at Scale;
without Labels; for Long Sequences; via Contrastive Learning; in the Wild;
for Robot Manipulation; with Limited Data; for Speech Recognition; for Code Generation;
from Human Feedback; for Video Prediction; Beyond Benchmarks; for Molecular Design;
on a Budget; for Reasoning; via Distillation""",
    ";",
)
_TITLE_FORMS = [
    "{head} {noun} {tail}",
    "{head} {noun}",
    "On the {noun2} of {head} {noun}",
    "{Alias}: {head} {noun} {tail}",
    "Towards {head} {noun} {tail}",
    "{noun} Are {head} Learners",
    "Rethinking {head} {noun}",
]
_NOUN2 = ["Limits", "Geometry", "Dynamics", "Expressivity", "Stability", "Calibration"]

_VENUES = _words("""NeurIPS ICML ICLR CVPR ICCV ECCV ACL EMNLP NAACL AAAI IJCAI KDD JMLR TMLR
TPAMI Nature CoRL RSS UAI AISTATS COLT Interspeech SIGIR WWW""")

_SENTENCES = [
    "The method replaces the {a} with a {b}, which keeps training stable at larger batch sizes.",
    "Ablations show that most of the gain comes from the {a}, not from the extra parameters.",
    "The authors train on {n} examples and report results on {m} benchmarks.",
    "A **key idea** is to treat the {a} as a latent variable and marginalise it out.",
    "Compared with the {b}, the cost grows as $O(n \\log n)$ instead of $O(n^2)$.",
    "The loss is $\\mathcal{{L}} = \\mathbb{{E}}[\\ell(f(x), y)] + \\lambda \\|\\theta\\|^2$.",
    "Code is short: the core is a `{c}` call wrapped around the {a}.",
    "I was surprised that a plain {b} baseline comes within two points of the full model.",
    "The paper is clear about its limits: the {a} fails on inputs longer than {n} tokens.",
    "Worth reading together with earlier work on the {b}, which it extends.",
    "The evaluation is careful, with {m} random seeds and confidence intervals.",
    "Scaling the {a} helps until about {n} parameters, then the curve flattens.",
    "A figure compares the {a} and the {b} on *out-of-distribution* data.",
    "The appendix has the hyper-parameters, which makes the results easy to reproduce.",
]
_PARTS = _words(
    """attention layer; encoder; decoder; tokenizer; normalisation; value head;
memory bank; router; noise schedule; reward model; retrieval index; convolution; loss term;
prior; positional encoding; optimizer state""",
    ";",
)
_CALLS = ["torch.einsum", "jax.vmap", "F.softmax", "np.linalg.svd", "scan", "topk"]


def zipf_cum_weights(count, exponent, offset):
    """Cumulative weights of a Zipf-like law over ``count`` ranks: a few common, a long tail."""
    return list(itertools.accumulate(1 / (rank + offset) ** exponent for rank in range(count)))


def unique_in(slug, used):
    """``slug``, or ``slug-2``, ``slug-3``… when taken; records it in ``used``."""
    candidate, n = slug, 1
    while candidate in used:
        n += 1
        candidate = f"{slug[: 95 - len(str(n))]}-{n}"
    used.add(candidate)
    return candidate


def sentence(rng):
    template = rng.choice(_SENTENCES)
    return template.format(
        a=rng.choice(_PARTS),
        b=rng.choice(_PARTS),
        c=rng.choice(_CALLS),
        n=rng.choice(["10k", "1M", "300M", "2B", "4096", "512"]),
        m=rng.randint(3, 12),
    )


def paragraph_pool(rng, size=120):
    """Paragraphs of notes, each rendered once: notes are joined from them (~1 KB each)."""
    pool = []
    for _ in range(size):
        text = " ".join(sentence(rng) for _ in range(rng.randint(3, 5)))
        pool.append((text, render_markdown(text)))
    return pool


def person_name(rng):
    """A made-up “First [M.] Last” name."""
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    if rng.random() < 0.3:
        first = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}."
    return f"{first} {last}"


def _authors(n, rng):
    pool_size = max(10, n // 3)
    used, authors = set(), []
    for _ in range(pool_size):
        name = person_name(rng)
        authors.append(Author(name=name, slug=unique_in(slugify(name), used)))
    return Author.objects.bulk_create(authors, batch_size=BATCH)


def _tags(rng, count=200):
    names = list(_TOPICS)
    combos = [f"{qualifier} {topic}" for qualifier in _QUALIFIERS for topic in names[:40]]
    rng.shuffle(combos)
    names = (names + combos)[:count]
    used = set()
    tags = [Tag(name=name, slug=unique_in(tag_slugify(name), used)) for name in names]
    return Tag.objects.bulk_create(tags, batch_size=BATCH)


def _title(rng):
    head, noun = rng.choice(_TITLE_HEAD), rng.choice(_TITLE_NOUN)
    alias = ""
    form = rng.choice(_TITLE_FORMS)
    if "{Alias}" in form or rng.random() < 0.1:
        alias = (head[:2] + noun[:2]).upper() + rng.choice(["", "-2", "++", "-XL", "v3"])
    title = form.format(
        head=head,
        noun=noun,
        noun2=rng.choice(_NOUN2),
        tail=rng.choice(_TITLE_TAIL),
        Alias=alias or head,
    )
    return title, alias


def _year_weights():
    # Papers per year grow about 13% a year: 2026 has ~80 times as many as 1990.
    years = list(range(FIRST_YEAR, LAST_YEAR + 1))
    return years, list(itertools.accumulate(1.13 ** (year - FIRST_YEAR) for year in years))


def _papers(n, rng, paragraphs):
    years, year_weights = _year_weights()
    used_slugs = set()
    arxiv_counters = defaultdict(lambda: rng.randint(1, 3000))
    papers = []
    # One Venue row per venue name, as a save would have linked ("NeurIPS 2021" → NeurIPS).
    venues = {name: Venue.for_text(name)[0] for name in _VENUES}
    for i in range(n):
        title, alias = _title(rng)
        year = rng.choices(years, cum_weights=year_weights)[0]
        month = rng.randint(1, 12) if rng.random() < 0.9 else None
        arxiv_id = None
        if year >= 2008 and year <= 2025 and rng.random() < 0.75:
            key = (year % 100, month or 1)
            arxiv_counters[key] += rng.randint(1, 3)
            arxiv_id = f"{key[0]:02d}{key[1]:02d}.{arxiv_counters[key]:05d}"
        doi = f"10.{rng.randint(1000, 9999)}/synth.{i}" if rng.random() < 0.3 else None
        chosen = rng.sample(paragraphs, rng.randint(3, 4))
        base = slugify(alias or title, allow_unicode=True)[:80].strip("-")
        venue = rng.choice(_VENUES) if rng.random() < 0.8 else ""
        papers.append(
            Paper(
                title=title,
                alias=alias,
                slug=unique_in(base, used_slugs),
                year=year,
                month=month,
                venue=f"{venue} {year}" if venue else "",
                published_in=venues.get(venue),
                affiliations=rng.choice(["", "", "Example University", "Example Lab"]),
                url=f"https://example.org/papers/{i}" if not arxiv_id and not doi else "",
                arxiv_id=arxiv_id,
                doi=doi,
                abstract=" ".join(sentence(rng) for _ in range(rng.randint(3, 6))),
                notes="\n\n".join(text for text, _ in chosen),
                # Paragraphs render independently, so the joined HTML equals a full render.
                notes_html="\n".join(html for _, html in chosen),
                status=Status.PUBLISHED if rng.random() < 0.97 else Status.DRAFT,
            )
        )
    return Paper.objects.bulk_create(papers, batch_size=BATCH)


def _relations(papers, authors, tags, rng):
    # The most prolific author is on ~2% of 100,000 papers; the top tag on ~17% of them.
    author_weights = zipf_cum_weights(len(authors), 0.7, 5)
    tag_weights = zipf_cum_weights(len(tags), 1.0, 3)
    authorships, tagged, links, related = [], [], [], []
    Related = Paper.related.through
    for index, paper in enumerate(papers):
        byline = dict.fromkeys(
            rng.choices(authors, cum_weights=author_weights, k=rng.randint(1, 8))
        )
        authorships += [
            Authorship(paper_id=paper.pk, author_id=author.pk, position=position)
            for position, author in enumerate(byline)
        ]
        topics = set(rng.choices(tags, cum_weights=tag_weights, k=rng.randint(0, 5)))
        tagged += [TaggedPaper(content_object_id=paper.pk, tag_id=tag.pk) for tag in topics]
        for position in range(rng.choice([0, 0, 1, 1, 2, 3])):
            kind = rng.choice(["code", "code", "project", "blog", "video", "slides"])
            links.append(
                PaperLink(
                    paper_id=paper.pk,
                    kind=kind,
                    label={"code": "Code"}.get(kind, ""),
                    url=f"https://example.org/{kind}/{paper.slug}",
                    position=position,
                )
            )
        if index > 10 and rng.random() < 0.3:
            earlier = {papers[rng.randrange(index)].pk for _ in range(rng.randint(1, 3))}
            related += [Related(from_paper_id=paper.pk, to_paper_id=pk) for pk in earlier]
    Authorship.objects.bulk_create(authorships, batch_size=BATCH)
    TaggedPaper.objects.bulk_create(tagged, batch_size=BATCH)
    PaperLink.objects.bulk_create(links, batch_size=BATCH)
    Related.objects.bulk_create(related, batch_size=BATCH)
    return {
        "authorships": len(authorships),
        "tag assignments": len(tagged),
        "links": len(links),
        "previous-work links": len(related),
    }


def generate(n, rng):
    """Create ``n`` papers with their authors, tags and links; returns counts by kind."""
    with transaction.atomic():
        paragraphs = paragraph_pool(rng)
        authors = _authors(n, rng)
        tags = _tags(rng)
        papers = _papers(n, rng, paragraphs)
        counts = _relations(papers, authors, tags, rng)
    return {"papers": len(papers), "authors": len(authors), "tags": len(tags), **counts}
