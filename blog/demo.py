"""Demo reports for ``manage.py demo``: every kind, a two-part series, math, code, a figure.

The prose is written for Papershelf. Papers are looked up by arXiv id (papers/demo.py
loads them first); a missing one is created with the bare facts from the seeds.
Running it again adds nothing: reports are keyed by slug.
"""

import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from blog import demo_covers
from blog.models import Kind, Report, ReportPaper, Series
from papers.models import Paper, Status

UTC = datetime.UTC

# Title, alias, arXiv id: facts from the seeds; year and month come from the id.
PAPERS = {
    "2003.08934": (
        "NeRF: Representing Scenes as Neural Radiance Fields for View Synthesis",
        "NeRF",
    ),
    "2010.11929": (
        "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
        "ViT",
    ),
    "2106.09685": ("LoRA: Low-Rank Adaptation of Large Language Models", "LoRA"),
    "2005.14165": ("Language Models are Few-Shot Learners", "GPT-3"),
    "1706.03762": ("Attention is All You Need", "Transformer"),
    "2312.00752": ("Mamba: Linear-Time Sequence Modeling with Selective State Spaces", "Mamba"),
    "2410.01201": ("Were RNNs All We Needed?", "minGRU"),
}

VIT_FIGURE = "uploads/demo/vit-patch-grid.png"

SERIES = {
    "slug": "principles-of-deep-learning-theory",
    "title": "The Principles of Deep Learning Theory",
    "description": "A two-part report on Roberts and Yaida's book.",
}

NERF_BODY = r"""
NeRF is the paper that made "a neural network *is* the scene" a working idea. Give it a
few dozen photos of an object with known camera poses, and it fits a small MLP from which
new views can be rendered that look like photographs. What I like about it is how little
machinery there is: one network, one classical rendering equation, one trick for high
frequencies.

## The representation

The scene is a function from a 3D point and a viewing direction to a colour and a
density:

$$F_\Theta : (\mathbf{x}, \mathbf{d}) \mapsto (\mathbf{c}, \sigma)$$

Density depends on the position only; colour may also depend on the direction, which is
how shiny surfaces get their highlights. The architecture enforces this split: the
direction is fed in only near the end of the network.

## Rendering a pixel

A pixel is a ray $\mathbf{r}(t) = \mathbf{o} + t\mathbf{d}$ from the camera. Its colour is
the colour along the ray weighted by how much light still gets through:

$$C(\mathbf{r}) = \int_{t_n}^{t_f} T(t)\, \sigma(\mathbf{r}(t))\,
\mathbf{c}(\mathbf{r}(t), \mathbf{d})\, dt,
\qquad T(t) = \exp\left(-\int_{t_n}^{t} \sigma(\mathbf{r}(s))\, ds\right)$$

In practice the integral becomes a sum over samples, which is differentiable, so the
photos themselves are the only supervision: render a pixel, compare it with the photo,
backpropagate. The paper samples twice, a coarse pass to find where the density is and a
fine pass that puts more samples there.

## Positional encoding

An MLP fed raw coordinates produces blurry scenes, because such networks prefer smooth
functions. The fix is to map each coordinate through sines and cosines of growing
frequency before the first layer:

```python
import numpy as np


def positional_encoding(x, n_frequencies=10):
    # Each coordinate becomes sin/cos features at 2^0 ... 2^(L-1) times its value.
    frequencies = 2.0 ** np.arange(n_frequencies) * np.pi
    angles = x[..., None] * frequencies  # (..., dims, L)
    features = np.concatenate([np.sin(angles), np.cos(angles)], axis=-1)
    return features.reshape(*x.shape[:-1], -1)
```

This one detail is responsible for much of the sharpness in the results, and it later
grew into a research topic of its own (Fourier features, hash grids).

## What to keep in mind

| | NeRF |
|---|---|
| Input | posed photos of a static scene |
| Training | hours per scene on one GPU |
| Rendering | hundreds of network calls per pixel |
| Output | novel views, depth as a by-product |

The slowness and the one-scene-per-network setup are the obvious limits, and most of the
follow-up work attacks exactly those.[^followups]

[^followups]: Instant-NGP and 3D Gaussian splatting are the best-known answers to speed.
"""

VIT_BODY = r"""
Before this paper, vision transformers usually meant a CNN with some attention bolted
on. ViT asks a blunt question instead: what if we treat an image as a sentence and change
nothing else? The encoder is the one from [[Transformer]], layer for layer.

## Images as sequences

An image of $H \times W$ pixels is cut into square patches of side $P$, which gives

$$N = \frac{HW}{P^2}$$

tokens; for a 224-pixel image and $P = 16$ that is $14 \times 14 = 196$ tokens. Each
patch is flattened and projected linearly to the model width, a learned position
embedding is added, and a learned `[class]` token is put in front. Its final state is
what the classifier reads.

![A 224-pixel image cut into a 14 by 14 grid of patches]({figure_url})

/// figure-caption
The patch grid for $P = 16$: each cell becomes one token. Drawn for this report.
///

## Scale is the inductive bias

The finding that everyone remembers: trained on ImageNet alone, ViT loses to a good
ResNet; pre-trained on a much larger data set and then fine-tuned, it wins, and it costs
less compute to get there. Convolutions build in locality and translation equivariance;
a transformer has to learn them, and with enough data it does.

## Details worth knowing

- Position embeddings are 1D and learned; 2D-aware variants did not help much.
- For fine-tuning at a higher resolution the patch size stays fixed, so the sequence
  gets longer and the position embeddings are interpolated in 2D.
- Attention distance grows with depth, but some heads attend globally from the first
  layer on, something a CNN cannot do.
"""

LORA_BODY = r"""
*This report is not finished: the experiments section is still missing.*

Fine-tuning every weight of a large language model for every task is expensive to train
and worse to store. LoRA's bet is that the *change* a task needs is small in a specific
sense: it has low rank. The models it was first tried on are as large as
[[arXiv:2005.14165|GPT-3]], and the idea later carried over to quantised weights in
[[QLoRA]].

## The update

For a frozen weight $W_0 \in \mathbb{R}^{d \times k}$, LoRA learns

$$W = W_0 + \Delta W = W_0 + \frac{\alpha}{r} B A, \qquad
B \in \mathbb{R}^{d \times r},\ A \in \mathbb{R}^{r \times k},\ r \ll \min(d, k)$$

$A$ starts random and $B$ starts at zero, so training begins exactly at the pre-trained
model. Only $A$ and $B$ receive gradients, which cuts optimizer state by orders of
magnitude.

```python
import torch
from torch import nn


class LoRALinear(nn.Module):
    # A frozen linear layer plus a trainable low-rank update.

    def __init__(self, base: nn.Linear, rank: int = 8, alpha: float = 16.0):
        super().__init__()
        self.base = base.requires_grad_(False)
        self.A = nn.Parameter(torch.randn(rank, base.in_features) / rank)
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale
```

## Why inference costs nothing extra

After training, $BA$ can be added into $W_0$ once. The deployed model has the original
shape and the original latency; switching tasks means subtracting one product and adding
another.

## Experiments

To do: which matrices to adapt, how small $r$ can go, and the comparison with adapters
and prefix tuning.
"""

BOOK_PART1_BODY = r"""
Roberts and Yaida's book reads like a statistical-physics course in which the system
happens to be a neural network. This first part covers what the book does before any
training happens: networks at initialization.

## The width expansion

The central move is to treat the inverse width $1/n$ as a small parameter. At infinite
width a network with random Gaussian weights computes a Gaussian process: every
pre-activation is Gaussian, described completely by its two-point function, the kernel

$$K^{(\ell)}_{\alpha\beta} = \mathbb{E}\left[z^{(\ell)}_{\alpha} z^{(\ell)}_{\beta}\right]$$

for inputs $\alpha$ and $\beta$ at layer $\ell$. That limit is well known and, for the
book, too simple: nothing interacts, so nothing interesting is learned.

## Interactions at finite width

At finite width the four-point connected correlator is no longer zero. It is of order
$1/n$, and it grows with depth, roughly like the ratio

$$r = \frac{L}{n}$$

of depth to width. This aspect ratio is the book's most quotable result: a network is
well described by the near-Gaussian theory when $L/n$ is small, and fluctuations take
over when it is not.

## Criticality

The kernel recursion from layer to layer has fixed points. Choosing the initialization
variances so that the kernel neither explodes nor vanishes with depth is *tuning to
criticality*, and the book derives the familiar recipes (He initialization for ReLU,
for example) as the critical settings of this recursion.

Part 2 turns to training.
"""

BOOK_PART2_BODY = r"""
The second half of the book asks what gradient descent does to the distribution studied
in part 1.

## The neural tangent kernel, and beyond it

In the infinite-width limit the network's tangent kernel

$$\Theta_{\alpha\beta} = \sum_{\mu}
\frac{\partial z_\alpha}{\partial \theta_\mu} \frac{\partial z_\beta}{\partial \theta_\mu}$$

stays fixed during training, and the trained network is a kernel method: it cannot
learn features. At finite width the kernel moves, by an amount of order $1/n$, and the
book computes that motion perturbatively. This is where representation learning enters
the theory.

## What I take from it

- The $1/n$ expansion makes "how wide is wide enough" a quantitative question.
- Depth and width are not interchangeable: their ratio controls both the fluctuations
  at initialization and how much the features move.
- The formalism is heavy, but each step is mechanical once the notation sinks in.

The notation is the real price of the book; the first chapter's warm-up on Gaussian
integrals is worth doing on paper.
"""

RNN_BODY = r"""
A short one on a paper from this week that everyone seems to be reading.

The pitch: LSTMs and GRUs were dropped because training them is sequential, but if you
remove the dependence of their gates on the previous hidden state, the recurrence
becomes a linear one that a parallel scan can compute. The stripped-down cell, minGRU,
is

$$h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde{h}_t, \qquad
z_t = \sigma(\mathrm{Linear}(x_t)),\ \tilde{h}_t = \mathrm{Linear}(x_t)$$

Because $z_t$ and $\tilde{h}_t$ depend only on the input, all of them can be computed at
once, and the recurrence $h_t = a_t h_{t-1} + b_t$ is solved with a scan in logarithmic
depth.

## My take

It is a good reminder that a lot of what made Mamba and friends fast is the *linear*
recurrence, not something exotic. Whether a model without state-dependent gates loses
expressiveness on harder tasks is the open question; the benchmarks here are small.
"""

FLOPS_BODY = r"""
A back-of-the-envelope I keep redoing, written down once.

## One layer, one token

For a decoder layer of width $d$ with an MLP of width $4d$, the matrix multiplications
per token are:

| part | multiply-adds |
|---|---|
| query, key, value projections | $3d^2$ |
| attention scores and mixing (context $n$) | $2nd$ |
| output projection | $d^2$ |
| MLP | $8d^2$ |

So a layer costs about $12d^2 + 2nd$ multiply-adds per token, twice that in FLOPs.

## The whole model

With $L$ layers the parameter count is roughly $N \approx 12 L d^2$, which gives the rule
of thumb

$$\text{FLOPs per token (forward)} \approx 2N + 2 L n d$$

and, since the backward pass costs about twice the forward pass, training on $D$ tokens
costs about $6ND$.

```python
def training_flops(n_params: float, n_tokens: float) -> float:
    # forward 2N per token, backward about 4N: 6N per token in total
    return 6 * n_params * n_tokens


print(f"{training_flops(175e9, 300e9):.2e}")  # a GPT-3-sized run: about 3.15e+23
```

The attention term only matters when the context is long compared with the width, which
is why it is usually dropped. The same arithmetic applied to [[Transformer]] base gives a
much smaller number; try it.
"""

GPT3_BODY = r"""
Notes in progress; not ready to publish.

## In-context learning

The model is never fine-tuned: the task is described and demonstrated in the prompt.

## To write

- zero-, one- and few-shot settings
- the scaling curves
- data contamination
"""

REPORTS = [
    {
        "slug": "nerf-neural-radiance-fields",
        "kind": Kind.PAPER_REPORT,
        "number": 1,
        "title": "NeRF: Representing Scenes as Neural Radiance Fields for View Synthesis",
        "teaser": "A small MLP, a classical rendering integral and a positional encoding: "
        "how NeRF turns a few dozen photos into a scene you can fly through.",
        "body": NERF_BODY,
        "tags": ["Vision and Image Generation", "3D", "rendering"],
        "papers": ["2003.08934"],
        "published_at": datetime.datetime(2024, 3, 12, 9, 0, tzinfo=UTC),
        "cover": demo_covers.nerf,
        "cover_alt": "Rays from a camera passing through a glowing volume, with sample points.",
    },
    {
        "slug": "vit-an-image-is-worth-16x16-words",
        "kind": Kind.PAPER_REPORT,
        "number": 2,
        "title": "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
        "teaser": "ViT feeds image patches to an unmodified transformer and shows that, "
        "with enough pre-training data, convolutions are not needed.",
        "body": VIT_BODY,
        "tags": ["Vision and Image Generation", "transformers"],
        "papers": ["2010.11929", "1706.03762"],
        "published_at": datetime.datetime(2024, 6, 2, 9, 0, tzinfo=UTC),
        "cover": demo_covers.vit,
        "cover_alt": "An image split into 16 coloured patches, laid out as a row of tokens.",
    },
    {
        "slug": "principles-of-deep-learning-theory-part-1",
        "kind": Kind.BOOK_REPORT,
        "title": "The Principles of Deep Learning Theory, Part 1: Networks at Initialization",
        "teaser": "Width as a small parameter: Gaussian processes at infinite width, "
        "interactions of order 1/n, and criticality.",
        "body": BOOK_PART1_BODY,
        "tags": ["theory", "books"],
        "papers": [],
        "part": 1,
        "published_at": datetime.datetime(2024, 9, 15, 9, 0, tzinfo=UTC),
        "cover": demo_covers.book_part1,
        "cover_alt": "Several bell curves of different widths on a dark background.",
    },
    {
        "slug": "rnns-all-we-needed",
        "kind": Kind.PAPER_OF_THE_WEEK,
        "title": "Were RNNs All We Needed?",
        "teaser": "Take the hidden state out of the gates of a GRU and it trains in "
        "parallel: a short look at minGRU.",
        "body": RNN_BODY,
        "tags": ["sequence models", "efficiency"],
        "papers": ["2410.01201", "2312.00752"],
        "published_at": datetime.datetime(2024, 10, 7, 9, 0, tzinfo=UTC),
        "cover": demo_covers.rnn,
        "cover_alt": "A chain of recurrent cells with a parallel scan drawn below them.",
    },
    {
        "slug": "principles-of-deep-learning-theory-part-2",
        "kind": Kind.BOOK_REPORT,
        "title": "The Principles of Deep Learning Theory, Part 2: Learning",
        "teaser": "Gradient descent at finite width: the tangent kernel moves, and "
        "that is where features are learned.",
        "body": BOOK_PART2_BODY,
        "tags": ["theory", "books"],
        "papers": [],
        "part": 2,
        "published_at": datetime.datetime(2024, 11, 3, 9, 0, tzinfo=UTC),
        "cover": demo_covers.book_part2,
        "cover_alt": "A falling training-loss curve over faint bell curves.",
    },
    {
        "slug": "lora-low-rank-adaptation",
        "kind": Kind.PAPER_REPORT,
        "number": 3,
        "title": "LoRA: Low-Rank Adaptation of Large Language Models",
        "teaser": "Freeze the model, learn a rank-8 update: why LoRA fine-tunes cheaply "
        "and serves at no extra cost.",
        "body": LORA_BODY,
        "tags": ["Language", "fine-tuning", "efficiency"],
        "papers": ["2106.09685"],
        "work_in_progress": True,
        "published_at": datetime.datetime(2025, 1, 20, 9, 0, tzinfo=UTC),
        "cover": demo_covers.lora,
        "cover_alt": "A large matrix W plus the product of a tall thin B and a wide thin A.",
    },
    {
        "slug": "counting-transformer-flops",
        "kind": Kind.ARTICLE,
        "title": "Counting the FLOPs of a Transformer",
        "teaser": "Where the multiply-adds of a decoder layer go, and where the famous "
        "6ND comes from.",
        "body": FLOPS_BODY,
        "tags": ["transformers", "efficiency"],
        "papers": ["1706.03762", "2005.14165"],
        "published_at": datetime.datetime(2025, 2, 10, 9, 0, tzinfo=UTC),
        "cover": demo_covers.flops,
        "cover_alt": "A bar chart: the MLP bar is the tallest.",
    },
    {
        "slug": "gpt-3-few-shot-learners",
        "kind": Kind.PAPER_REPORT,
        "number": 4,
        "title": "Language Models are Few-Shot Learners",
        "teaser": "GPT-3 and in-context learning.",
        "body": GPT3_BODY,
        "tags": ["Language"],
        "papers": ["2005.14165"],
        "status": Status.DRAFT,
        "cover": demo_covers.gpt3,
        "cover_alt": "A prompt of example translations followed by the model's answer.",
    },
]


def _paper(arxiv_id):
    """The paper with this arXiv id; a minimal published one if the database lacks it."""
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        title, alias = PAPERS[arxiv_id]
        paper = Paper.objects.create(
            title=title,
            alias=alias,
            arxiv_id=arxiv_id,
            url=f"https://arxiv.org/abs/{arxiv_id}",
            status=Status.PUBLISHED,
        )
    return paper


def _figure_url():
    if not default_storage.exists(VIT_FIGURE):
        default_storage.save(VIT_FIGURE, ContentFile(demo_covers.vit_patch_figure()))
    return default_storage.url(VIT_FIGURE)


def load(stdout):
    """Create the demo reports that do not exist yet; report what was added."""
    series, _ = Series.objects.get_or_create(
        slug=SERIES["slug"],
        defaults={"title": SERIES["title"], "description": SERIES["description"]},
    )
    created = 0
    for spec in REPORTS:
        if Report.objects.filter(slug=spec["slug"]).exists():
            continue
        body = spec["body"].strip()
        if "{figure_url}" in body:
            body = body.replace("{figure_url}", _figure_url())
        report = Report(
            slug=spec["slug"],
            kind=spec["kind"],
            number=spec.get("number"),
            title=spec["title"],
            teaser=spec["teaser"],
            body=body,
            status=spec.get("status", Status.PUBLISHED),
            work_in_progress=spec.get("work_in_progress", False),
            published_at=spec.get("published_at"),
            cover_alt=spec["cover_alt"],
        )
        if "part" in spec:
            report.series, report.part = series, spec["part"]
        report.cover.save(f"{spec['slug']}.png", ContentFile(spec["cover"]()), save=False)
        report.full_clean()
        report.save()
        report.tags.set(spec["tags"])
        for position, arxiv_id in enumerate(spec["papers"]):
            ReportPaper.objects.create(report=report, paper=_paper(arxiv_id), position=position)
        created += 1
    stdout.write(f"Reports: {created} added, {len(REPORTS) - created} already there.")
