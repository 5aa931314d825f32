"""The demo papers: facts from the seed pages, notes written for the demo.

Titles, dates (the seeds' ``MM.YYYY`` badges), links, arXiv ids and aliases come from
``seeds/ml_papers_readme.md`` and ``seeds/blog_readme.md``. Authors and venues are given
only where they are well known; otherwise they are left out rather than guessed.

Each entry: ``title``, ``year``, ``month`` and optionally ``arxiv``, ``url``, ``pdf_url``,
``doi``, ``alias``, ``venue``, ``authors``, ``tags`` (the first is the seed's topic),
``notes`` (Markdown), ``links`` as ``(kind, label, url)``, ``figure`` (see
``papers.demo_figures.schematic``), ``builds_on`` (arXiv ids, aliases or titles of other
entries) and ``draft``.
"""

LANGUAGE = "Language"
VISION = "Vision and Image Generation"
GENERAL = "General AI"

FIGURE_CREDIT = "Schematic drawn for the demo"

TRANSFORMER_AUTHORS = [
    "Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit", "Llion Jones",
    "Aidan N. Gomez", "Łukasz Kaiser", "Illia Polosukhin",
]  # fmt: skip

PAPERS = [
    # --- Language ---------------------------------------------------------------------
    {
        "title": "Mixture of Experts Explained",
        "year": 2023,
        "month": 12,
        "url": "https://huggingface.co/blog/moe",
        "alias": "MoE",
        "tags": [LANGUAGE, "LLM", "mixture of experts"],
        "notes": (
            "A long tutorial post rather than a paper. It walks through sparse layers in "
            "which a router sends each token to a few expert feed-forward blocks, and the "
            "practical problems that follow: load balancing, capacity limits and unstable "
            "fine-tuning. *Draft: still to be summarised properly.*"
        ),
        "draft": True,
    },
    {
        "title": "Mixtral of experts",
        "year": 2023,
        "month": 12,
        "url": "https://mistral.ai/news/mixtral-of-experts/",
        "alias": "Mixtral 8x7B",
        "tags": [LANGUAGE, "LLM", "mixture of experts", "open models"],
        "notes": (
            "Release announcement of an open sparse mixture-of-experts model built on the "
            "Mistral 7B recipe: every layer holds eight feed-forward experts and each token "
            "uses two of them, so only a fraction of the weights is active per token. "
            "*Draft: add the arXiv paper once it is out.*"
        ),
        "links": [("blog", "Mixture of Experts Explained", "https://huggingface.co/blog/moe")],
        "builds_on": ["2310.06825", "MoE"],
        "draft": True,
    },
    {
        "title": "Language Modeling Is Compression",
        "year": 2023,
        "month": 9,
        "arxiv": "2309.10668",
        "authors": ["Grégoire Delétang", "Anian Ruoss"],
        "tags": [LANGUAGE, "LLM", "information theory"],
        "notes": (
            "Any model that predicts the next symbol can drive an arithmetic coder, so a "
            "good predictor is a good compressor and vice versa. The authors take this "
            "literally and use large language models as general-purpose compressors, also "
            "for images and audio. The catch they point out: once the size of the model "
            "itself is counted, the picture changes a lot."
        ),
    },
    {
        "title": ("RLAIF: Scaling Reinforcement Learning from Human Feedback with AI Feedback"),
        "year": 2023,
        "month": 9,
        "arxiv": "2309.00267",
        "alias": "RLAIF",
        "authors": ["Harrison Lee"],
        "tags": [LANGUAGE, "LLM", "RLHF"],
        "notes": (
            "Replaces the human raters of RLHF with an off-the-shelf LLM that states which "
            "of two answers it prefers. The claim is that preference labels from a capable model "
            "work about as well as human ones. *Draft: compare with the InstructGPT pipeline.*"
        ),
        "builds_on": ["InstructGPT"],
        "draft": True,
    },
    {
        "title": "Mistral 7B",
        "year": 2023,
        "month": 10,
        "arxiv": "2310.06825",
        "authors": ["Albert Q. Jiang", "Alexandre Sablayrolles", "Arthur Mensch"],
        "tags": [LANGUAGE, "LLM", "open models", "transformers"],
        "notes": (
            "A small open model that beats larger open ones. The two ingredients worth "
            "remembering are grouped-query attention (several query heads share one "
            "key/value head, which shrinks the cache) and sliding-window attention, where "
            "each layer only looks back a fixed number of tokens but stacked layers still "
            "see far."
        ),
        "builds_on": ["2307.09288"],
    },
    {
        "title": "Llama 2: Open Foundation and Fine-Tuned Chat Models",
        "year": 2023,
        "month": 7,
        "arxiv": "2307.09288",
        "alias": "Llama 2",
        "authors": ["Hugo Touvron", "Louis Martin", "Kevin Stone"],
        "tags": [LANGUAGE, "LLM", "open models", "RLHF"],
        "notes": (
            "Open weights for a family of pretrained and chat-tuned models. Most of the "
            "paper is about the chat side: supervised fine-tuning, then several rounds of "
            "RLHF with separate reward models for helpfulness and safety. Very detailed on "
            "the data and evaluation, which makes it a good reference for the recipe."
        ),
        "builds_on": ["InstructGPT"],
    },
    {
        "title": "QLoRA: Efficient Finetuning of Quantized LLMs",
        "year": 2023,
        "month": 5,
        "arxiv": "2305.14314",
        "alias": "QLoRA",
        "venue": "NeurIPS 2023",
        "authors": ["Tim Dettmers", "Artidoro Pagnoni", "Ari Holtzman", "Luke Zettlemoyer"],
        "tags": [LANGUAGE, "LLM", "fine-tuning", "efficiency"],
        "notes": (
            "LoRA on top of a frozen base model stored in 4 bits. Gradients flow through "
            "the quantised weights into the small adapters, so a very large model can be "
            "fine-tuned on a single GPU. Supporting tricks: a 4-bit data type suited to "
            "normally distributed weights, quantising the quantisation constants, and "
            "paged optimiser states."
        ),
        "builds_on": ["2106.09685"],
    },
    {
        "title": "Generative Agents: Interactive Simulacra of Human Behavior",
        "year": 2023,
        "month": 4,
        "arxiv": "2304.03442",
        "venue": "UIST 2023",
        "authors": [
            "Joon Sung Park",
            "Joseph C. O'Brien",
            "Carrie J. Cai",
            "Meredith Ringel Morris",
            "Percy Liang",
            "Michael S. Bernstein",
        ],  # fmt: skip
        "tags": [LANGUAGE, "LLM", "agents"],
        "notes": (
            "Twenty-five LLM-driven characters live in a small sandbox town. Each keeps a "
            "memory stream of observations, periodically condenses it into reflections, "
            "and plans its day from them; retrieval ranks memories by recency, importance "
            "and relevance. The fun part is the emergent behaviour, such as news of a party "
            "spreading from agent to agent."
        ),
    },
    {
        "title": "Sparks of Artificial General Intelligence: Early experiments with GPT-4",
        "year": 2023,
        "month": 3,
        "arxiv": "2303.12712",
        "authors": [
            "Sébastien Bubeck",
            "Varun Chandrasekaran",
            "Ronen Eldan",
            "Johannes Gehrke",
            "Eric Horvitz",
            "Ece Kamar",
            "Peter Lee",
            "Yin Tat Lee",
            "Yuanzhi Li",
            "Scott Lundberg",
            "Harsha Nori",
            "Hamid Palangi",
            "Marco Tulio Ribeiro",
            "Yi Zhang",
        ],  # fmt: skip
        "tags": [LANGUAGE, "LLM", "evaluation"],
        "notes": (
            "A long qualitative report on an early GPT-4: drawing with code, proofs, "
            "coding interviews, theory-of-mind puzzles. Read it as a collection of "
            "probes, not as a benchmark, since the examples were chosen by the authors and "
            "the model was never released in that form."
        ),
        "builds_on": ["2005.14165"],
    },
    {
        "title": "Training Compute-Optimal Large Language Models",
        "year": 2022,
        "month": 3,
        "arxiv": "2203.15556",
        "alias": "Chinchilla",
        "venue": "NeurIPS 2022",
        "authors": ["Jordan Hoffmann", "Sebastian Borgeaud", "Arthur Mensch"],
        "tags": [LANGUAGE, "LLM", "scaling laws"],
        "notes": (
            "With training compute roughly $C \\approx 6ND$ for $N$ parameters and $D$ "
            "tokens, how should a fixed budget be split? Three independent fits give the "
            "same answer: grow $N$ and $D$ at the same rate, so that the optimal ratio "
            "$D/N$ stays roughly constant. Earlier large models were therefore too big for "
            "the data they saw. The 70B Chinchilla, trained on far more tokens than its "
            "predecessor Gopher with the same compute, wins across the board."
        ),
        "builds_on": ["2005.14165"],
    },
    {
        "title": "Training language models to follow instructions with human feedback",
        "year": 2022,
        "month": 3,
        "arxiv": "2203.02155",
        "alias": "InstructGPT",
        "venue": "NeurIPS 2022",
        "authors": [
            "Long Ouyang",
            "Jeff Wu",
            "Xu Jiang",
            "Diogo Almeida",
            "Carroll L. Wainwright",
            "Pamela Mishkin",
        ],  # fmt: skip
        "tags": [LANGUAGE, "LLM", "RLHF", "fine-tuning"],
        "notes": (
            "The three-step recipe behind chat models: supervised fine-tuning on written "
            "demonstrations, a reward model trained on human rankings of several answers, "
            "then PPO against that reward with a penalty for drifting from the supervised "
            "model. Labellers preferred the outputs of a much smaller tuned model over raw "
            "GPT-3. The objective optimises for preferred answers rather than for "
            "reproducing the data distribution, so outputs get more reliable and less varied."
        ),
        "builds_on": ["2009.01325", "2005.14165"],
    },
    {
        "title": "Learning to summarize from human feedback",
        "year": 2020,
        "month": 9,
        "arxiv": "2009.01325",
        "venue": "NeurIPS 2020",
        "authors": [
            "Nisan Stiennon",
            "Long Ouyang",
            "Jeff Wu",
            "Daniel M. Ziegler",
            "Ryan Lowe",
            "Chelsea Voss",
            "Alec Radford",
            "Dario Amodei",
            "Paul Christiano",
        ],  # fmt: skip
        "tags": [LANGUAGE, "RLHF"],
        "notes": (
            "The direct ancestor of InstructGPT, on a single task. Humans compare pairs of "
            "summaries, a reward model learns their preferences, and the summariser is "
            "optimised against it. Optimising the learned reward too hard eventually makes "
            "summaries worse by human judgement, which is why a KL penalty keeps the policy "
            "close to where it started."
        ),
    },
    {
        "title": "LoRA: Low-Rank Adaptation of Large Language Models",
        "year": 2021,
        "month": 6,
        "arxiv": "2106.09685",
        "alias": "LoRA",
        "venue": "ICLR 2022",
        "authors": [
            "Edward J. Hu",
            "Yelong Shen",
            "Phillip Wallis",
            "Zeyuan Allen-Zhu",
            "Yuanzhi Li",
            "Shean Wang",
            "Lu Wang",
            "Weizhu Chen",
        ],  # fmt: skip
        "tags": [LANGUAGE, "LLM", "fine-tuning", "efficiency"],
        "notes": """\
Keep the pretrained weight $W_0 \\in \\mathbb{R}^{d \\times k}$ frozen and learn only a
low-rank correction:

$$
h = W_0 x + \\Delta W x = W_0 x + B A x, \\qquad B \\in \\mathbb{R}^{d \\times r},\\;
A \\in \\mathbb{R}^{r \\times k},\\; r \\ll \\min(d, k)
$$

$B$ starts at zero, so training begins exactly at the pretrained model. After training
$BA$ can be added into $W_0$, so inference costs nothing extra, and one base model can
serve many small task adapters. The rank $r$ is the knob: a handful is often enough.

```python
import torch
from torch import nn


class LoRALinear(nn.Module):
    def __init__(self, base: nn.Linear, rank: int = 8, alpha: float = 16.0):
        super().__init__()
        self.base = base.requires_grad_(False)  # W0 stays frozen
        self.A = nn.Parameter(torch.randn(rank, base.in_features) * 0.01)
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))
        self.scale = alpha / rank

    def forward(self, x):
        return self.base(x) + (x @ self.A.T @ self.B.T) * self.scale
```
""",
        "figure": {
            "steps": ["x", "frozen W₀\n(d × k)", "+  B·A\n(rank r, trained)", "h"],
            "title": "LoRA: frozen weight plus a trained low-rank update",
            "caption": "Only the small matrices A and B are trained; W₀ never changes.",
        },
        "builds_on": ["2005.14165"],
    },
    {
        "title": "Language Models are Few-Shot Learners",
        "year": 2020,
        "month": 5,
        "arxiv": "2005.14165",
        "alias": "GPT-3",
        "venue": "NeurIPS 2020",
        "authors": [
            "Tom B. Brown",
            "Benjamin Mann",
            "Nick Ryder",
            "Melanie Subbiah",
            "Jared Kaplan",
            "Prafulla Dhariwal",
            "Arvind Neelakantan",
            "Pranav Shyam",
            "Girish Sastry",
            "Amanda Askell",
        ],  # fmt: skip
        "tags": [LANGUAGE, "LLM", "transformers", "scaling laws"],
        "notes": """\
GPT-2's architecture scaled to 175B parameters, and the observation that the task can be
specified entirely in the prompt: a description plus a few solved examples, with no
gradient step at all. This *in-context learning* gets markedly better with scale.

```text
Correct the spelling:
recieve => receive
definately => definitely
seperate =>
```

The model completes the pattern; zero-, one- and few-shot differ only in how many
examples precede the query.
""",
        "builds_on": ["GPT-2"],
    },
    {
        "title": (
            "Exploring the Limits of Transfer Learning with a Unified Text-to-Text Transformer"
        ),
        "year": 2019,
        "month": 10,
        "arxiv": "1910.10683",
        "alias": "T5",
        "venue": "JMLR 2020",
        "authors": [
            "Colin Raffel",
            "Noam Shazeer",
            "Adam Roberts",
            "Katherine Lee",
            "Sharan Narang",
            "Michael Matena",
            "Yanqi Zhou",
            "Wei Li",
            "Peter J. Liu",
        ],  # fmt: skip
        "tags": [LANGUAGE, "transformers"],
        "notes": (
            "Every task becomes string in, string out: translation, summarisation, even "
            "classification (the label is just a word to generate). With one "
            "encoder-decoder model and one loss, the paper can compare objectives, "
            "datasets and sizes systematically; it reads like a large ablation study and "
            "also introduced the C4 corpus."
        ),
        "builds_on": ["1706.03762", "BERT"],
    },
    {
        "title": "RoBERTa: A Robustly Optimized BERT Pretraining Approach",
        "year": 2019,
        "month": 7,
        "arxiv": "1907.11692",
        "alias": "RoBERTa",
        "authors": [
            "Yinhan Liu",
            "Myle Ott",
            "Naman Goyal",
            "Jingfei Du",
            "Mandar Joshi",
            "Danqi Chen",
            "Omer Levy",
            "Mike Lewis",
            "Luke Zettlemoyer",
            "Veselin Stoyanov",
        ],  # fmt: skip
        "tags": [LANGUAGE, "transformers", "self-supervised"],
        "notes": (
            "Same architecture as BERT, better training: more data, bigger batches, longer "
            "runs, masks re-drawn every time a sequence is seen, and no next-sentence "
            "objective. A useful reminder that many published gains were really tuning "
            "gains."
        ),
        "builds_on": ["BERT"],
    },
    {
        "title": "Language Models are Unsupervised Multitask Learners",
        "year": 2019,
        "month": 2,
        "pdf_url": (
            "https://d4mucfpksywv.cloudfront.net/better-language-models/language-models.pdf"
        ),
        "alias": "GPT-2",
        "authors": [
            "Alec Radford",
            "Jeffrey Wu",
            "Rewon Child",
            "David Luan",
            "Dario Amodei",
            "Ilya Sutskever",
        ],  # fmt: skip
        "tags": [LANGUAGE, "LLM", "transformers"],
        "notes": (
            "A larger GPT trained on a cleaner web corpus, evaluated with no fine-tuning at "
            "all: the task is phrased as text and the model simply continues it. Zero-shot "
            "results are far from the state of the art on most benchmarks, but they improve "
            "steadily with size, which is the real message.[^pdf]\n\n"
            "[^pdf]: The paper was published as a PDF on OpenAI's site, not on arXiv, so it "
            "has no arXiv id here."
        ),
        "builds_on": ["GPT"],
    },
    {
        "title": (
            "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
        ),
        "year": 2018,
        "month": 10,
        "arxiv": "1810.04805",
        "alias": "BERT",
        "venue": "NAACL 2019",
        "authors": ["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
        "tags": [LANGUAGE, "transformers", "self-supervised"],
        "notes": (
            "An encoder-only Transformer pretrained by hiding some input tokens and "
            "predicting them from both sides, plus a next-sentence task. Because attention "
            "is unmasked, every token sees the whole sentence. A small task head and a short "
            "fine-tuning run then set new records on GLUE, SQuAD and more."
        ),
        "builds_on": ["1706.03762", "ELMo", "GPT"],
    },
    {
        "title": "Improving Language Understanding by Generative Pre-Training",
        "year": 2018,
        "month": 6,
        "pdf_url": (
            "https://s3-us-west-2.amazonaws.com/openai-assets/research-covers/"
            "language-unsupervised/language_understanding_paper.pdf"
        ),
        "alias": "GPT",
        "authors": ["Alec Radford", "Karthik Narasimhan", "Tim Salimans", "Ilya Sutskever"],
        "tags": [LANGUAGE, "transformers", "self-supervised"],
        "notes": (
            "Pretrain a decoder-only Transformer as a left-to-right language model on "
            "books, then fine-tune it per task with the input rearranged into a single "
            "token sequence. The start of the line that leads to GPT-2 and GPT-3."
        ),
        "builds_on": ["1706.03762"],
    },
    {
        "title": "Deep contextualized word representations",
        "year": 2018,
        "month": 2,
        "arxiv": "1802.05365",
        "alias": "ELMo",
        "venue": "NAACL 2018",
        "authors": [
            "Matthew E. Peters",
            "Mark Neumann",
            "Mohit Iyyer",
            "Matt Gardner",
            "Christopher Clark",
            "Kenton Lee",
            "Luke Zettlemoyer",
        ],  # fmt: skip
        "tags": [LANGUAGE, "self-supervised"],
        "notes": (
            "Word vectors that depend on the sentence: a forward and a backward LSTM "
            "language model are trained, and a word's representation is a learned, "
            "task-specific mix of their layers. Plugging these vectors into existing models "
            "helped almost every task of the time."
        ),
    },
    # --- Vision and Image Generation ----------------------------------------------------
    {
        "title": "Segment Anything",
        "year": 2023,
        "month": 4,
        "arxiv": "2304.02643",
        "alias": "SAM",
        "venue": "ICCV 2023",
        "authors": [
            "Alexander Kirillov",
            "Eric Mintun",
            "Nikhila Ravi",
            "Hanzi Mao",
            "Chloe Rolland",
            "Laura Gustafson",
            "Tete Xiao",
            "Spencer Whitehead",
            "Alexander C. Berg",
            "Wan-Yen Lo",
            "Piotr Dollár",
            "Ross Girshick",
        ],  # fmt: skip
        "tags": [VISION, "segmentation", "transformers", "foundation models"],
        "notes": (
            "A promptable segmentation model: give it points, a box or a rough mask and it "
            "returns masks. A heavy image encoder runs once per image; a light decoder "
            "answers each prompt in milliseconds. The data engine is half the contribution: "
            "the model helped annotate its own training set until it could label images "
            "fully automatically, ending with over a billion masks."
        ),
        "builds_on": ["ViT", "MAE"],
    },
    {
        "title": "Grounded Segment Anything",
        "year": 2023,
        "month": 3,
        "url": "https://github.com/IDEA-Research/Grounded-Segment-Anything",
        "alias": "Grounded SAM",
        "tags": [VISION, "segmentation", "multimodal"],
        "notes": (
            "A project rather than a paper: Grounding DINO turns a text query into boxes, "
            "and SAM turns the boxes into masks. Chaining two promptable models gives "
            "text-driven segmentation without training anything new."
        ),
        "links": [("code", "GitHub", "https://github.com/IDEA-Research/Grounded-Segment-Anything")],
        "builds_on": ["SAM", "2303.05499"],
    },
    {
        "title": (
            "Grounding DINO: Marrying DINO with Grounded Pre-Training for Open-Set Object Detection"
        ),
        "year": 2023,
        "month": 3,
        "arxiv": "2303.05499",
        "alias": "Grounding DINO",
        "authors": ["Shilong Liu"],
        "tags": [VISION, "object detection", "multimodal", "transformers"],
        "notes": (
            "Open-vocabulary detection: the categories are given as free text at test time. "
            "Image and text features are fused at several stages of a DETR-style detector, "
            "so the box queries are chosen with the text in mind."
        ),
        "builds_on": ["DETR"],
    },
    {
        "title": "OneFormer: One Transformer to Rule Universal Image Segmentation",
        "year": 2022,
        "month": 11,
        "arxiv": "2211.06220",
        "alias": "OneFormer",
        "venue": "CVPR 2023",
        "authors": ["Jitesh Jain"],
        "tags": [VISION, "segmentation", "transformers"],
        "notes": (
            "A single model, trained once, that handles all three segmentation tasks "
            "(semantic, instance, panoptic). The task is an input token (“the task is "
            "instance”), sampled during training from panoptic labels, and a contrastive "
            "loss between queries and text descriptions helps the model tell tasks and "
            "classes apart."
        ),
        "builds_on": ["DETR"],
    },
    {
        "title": "High-Resolution Image Synthesis with Latent Diffusion Models",
        "year": 2021,
        "month": 12,
        "arxiv": "2112.10752",
        "alias": "Stable Diffusion",
        "venue": "CVPR 2022",
        "authors": [
            "Robin Rombach",
            "Andreas Blattmann",
            "Dominik Lorenz",
            "Patrick Esser",
            "Björn Ommer",
        ],  # fmt: skip
        "tags": [VISION, "diffusion", "generative models"],
        "notes": (
            "Diffusion in pixel space is expensive because most of the compute goes into "
            "imperceptible detail. Here an autoencoder first compresses images to a smaller "
            "latent grid, and the diffusion U-Net works there; the decoder restores the "
            "detail. Conditioning (text, layouts, other images) enters through "
            "cross-attention layers in the U-Net."
        ),
        "builds_on": ["DDPM", "U-Net"],
    },
    {
        "title": "Masked Autoencoders Are Scalable Vision Learners",
        "year": 2021,
        "month": 11,
        "arxiv": "2111.06377",
        "alias": "MAE",
        "venue": "CVPR 2022",
        "authors": [
            "Kaiming He",
            "Xinlei Chen",
            "Saining Xie",
            "Yanghao Li",
            "Piotr Dollár",
            "Ross Girshick",
        ],  # fmt: skip
        "tags": [VISION, "self-supervised", "transformers"],
        "notes": (
            "Hide three quarters of an image's patches and reconstruct the missing pixels. "
            "The asymmetric design is what makes it cheap: the large encoder only sees the "
            "visible patches, and a small decoder gets the mask tokens back. Images are "
            "redundant, so a high masking ratio is needed to make the task hard enough."
        ),
        "figure": {
            "steps": [
                "image patches\n(75% masked)",
                "encoder\n(visible patches only)",
                "+ mask tokens",
                "small decoder",
                "reconstructed\npixels",
            ],  # fmt: skip
            "title": "MAE: encode what is visible, decode everything",
            "caption": "The encoder never sees mask tokens; only the light decoder does.",
        },
        "builds_on": ["ViT", "BERT"],
    },
    {
        "title": "Simple and Efficient Design For Semantic Segmentation with Transformers",
        "year": 2021,
        "month": 5,
        "arxiv": "2105.15203",
        "alias": "SegFormer",
        "venue": "NeurIPS 2021",
        "authors": [
            "Enze Xie",
            "Wenhai Wang",
            "Zhiding Yu",
            "Anima Anandkumar",
            "Jose M. Alvarez",
            "Ping Luo",
        ],  # fmt: skip
        "tags": [VISION, "segmentation", "transformers"],
        "notes": (
            "A hierarchical Transformer encoder produces features at four scales, and an "
            "all-MLP decoder merges them into a mask. No positional encodings, so it copes "
            "with test resolutions that differ from training."
        ),
        "builds_on": ["ViT"],
    },
    {
        "title": "MLP-Mixer: An all-MLP Architecture for Vision",
        "year": 2021,
        "month": 5,
        "arxiv": "2105.01601",
        "alias": "MLP-Mixer",
        "venue": "NeurIPS 2021",
        "authors": [
            "Ilya Tolstikhin",
            "Neil Houlsby",
            "Alexander Kolesnikov",
            "Lucas Beyer",
            "Xiaohua Zhai",
            "Thomas Unterthiner",
            "Jessica Yung",
            "Andreas Steiner",
            "Daniel Keysers",
            "Jakob Uszkoreit",
            "Mario Lucic",
            "Alexey Dosovitskiy",
        ],  # fmt: skip
        "tags": [VISION, "architecture"],
        "notes": (
            "No convolutions, no attention: alternate an MLP applied across patches (mixing "
            "spatial information) with an MLP applied across channels. With enough "
            "pretraining data it comes surprisingly close to ViT, which suggests the data "
            "matters more than the token-mixing operator."
        ),
        "builds_on": ["ViT"],
    },
    {
        "title": "Emerging Properties in Self-Supervised Vision Transformers",
        "year": 2021,
        "month": 4,
        "arxiv": "2104.14294",
        "alias": "DINO",
        "venue": "ICCV 2021",
        "authors": [
            "Mathilde Caron",
            "Hugo Touvron",
            "Ishan Misra",
            "Hervé Jégou",
            "Julien Mairal",
            "Piotr Bojanowski",
            "Armand Joulin",
        ],  # fmt: skip
        "tags": [VISION, "self-supervised", "transformers"],
        "notes": (
            "Self-distillation without labels or negatives: a student network matches the "
            "output distribution of a teacher that is a moving average of the student, each "
            "seeing different crops of the same image. Centering and sharpening the "
            "teacher's outputs prevent collapse. The striking result is that the attention "
            "maps of the last layer segment objects without ever being told to."
        ),
        "builds_on": ["ViT"],
    },
    {
        "title": "Hierarchical Vision Transformer using Shifted Windows",
        "year": 2021,
        "month": 3,
        "arxiv": "2103.14030",
        "alias": "Swin Transformer",
        "venue": "ICCV 2021",
        "authors": [
            "Ze Liu",
            "Yutong Lin",
            "Yue Cao",
            "Han Hu",
            "Yixuan Wei",
            "Zheng Zhang",
            "Stephen Lin",
            "Baining Guo",
        ],  # fmt: skip
        "tags": [VISION, "transformers", "architecture"],
        "notes": (
            "Attention restricted to local windows keeps the cost linear in image size; "
            "shifting the windows between layers lets information cross window borders. "
            "Patches are merged stage by stage, giving a feature pyramid like a CNN's, so it "
            "drops into detection and segmentation pipelines."
        ),
        "builds_on": ["ViT"],
    },
    {
        "title": "Training data-efficient image transformers & distillation through attention",
        "year": 2020,
        "month": 12,
        "arxiv": "2012.12877",
        "alias": "DeiT",
        "venue": "ICML 2021",
        "authors": [
            "Hugo Touvron",
            "Matthieu Cord",
            "Matthijs Douze",
            "Francisco Massa",
            "Alexandre Sablayrolles",
            "Hervé Jégou",
        ],  # fmt: skip
        "tags": [VISION, "transformers", "efficiency"],
        "notes": (
            "ViT trained on ImageNet alone, no huge private dataset. Strong augmentation "
            "and regularisation do much of the work; the rest comes from a distillation "
            "token that learns to reproduce a CNN teacher's predictions, handing the "
            "Transformer some of the convolution's inductive bias."
        ),
        "builds_on": ["ViT"],
    },
    {
        "title": "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale",
        "year": 2020,
        "month": 10,
        "arxiv": "2010.11929",
        "alias": "ViT",
        "venue": "ICLR 2021",
        "authors": [
            "Alexey Dosovitskiy",
            "Lucas Beyer",
            "Alexander Kolesnikov",
            "Dirk Weissenborn",
            "Xiaohua Zhai",
            "Thomas Unterthiner",
            "Mostafa Dehghani",
            "Matthias Minderer",
            "Georg Heigold",
            "Sylvain Gelly",
            "Jakob Uszkoreit",
            "Neil Houlsby",
        ],  # fmt: skip
        "tags": [VISION, "transformers"],
        "notes": (
            "Cut the image into $16 \\times 16$ patches, flatten and project each one, add "
            "position embeddings and a learnable class token, and run a plain Transformer "
            "encoder. With little data it loses to CNNs; pretrained on hundreds of millions "
            "of images it wins, because scale substitutes for the missing locality bias."
        ),
        "figure": {
            "steps": [
                "image",
                "16×16 patches",
                "linear projection\n+ position embeddings",
                "Transformer\nencoder",
                "class token\n→ MLP head",
            ],  # fmt: skip
            "title": "ViT: an image as a sequence of patch tokens",
            "caption": "Patches become tokens; classification reads the extra class token.",
        },
        "builds_on": ["1706.03762"],
    },
    {
        "title": "Denoising Diffusion Probabilistic Models",
        "year": 2020,
        "month": 6,
        "arxiv": "2006.11239",
        "alias": "DDPM",
        "venue": "NeurIPS 2020",
        "authors": ["Jonathan Ho", "Ajay Jain", "Pieter Abbeel"],
        "tags": [VISION, "diffusion", "generative models"],
        "notes": """\
A fixed forward process adds a little Gaussian noise at each of $T$ steps:

$$
q(x_t \\mid x_{t-1})
= \\mathcal{N}\\left(x_t;\\ \\sqrt{1 - \\beta_t}\\, x_{t-1},\\ \\beta_t I\\right)
$$

and it can be sampled at any step directly,
$q(x_t \\mid x_0) = \\mathcal{N}(\\sqrt{\\bar\\alpha_t}\\, x_0, (1 - \\bar\\alpha_t) I)$ with
$\\bar\\alpha_t = \\prod_{s \\le t} (1 - \\beta_s)$. A network learns to undo one step at a
time. The simplified training loss is just the error in predicting the added noise
$\\epsilon$ from $x_t$ and $t$; sampling starts from pure noise and walks back to an image.
""",
        "figure": {
            "steps": ["x₀\nimage", "x₁", "…", "x_T\npure noise"],
            "title": "DDPM: a fixed forward process adds noise",
            "back": "learned reverse process removes it",
            "caption": "Noise is added step by step; the model learns the way back.",
        },
        "builds_on": ["VAE"],
    },
    {
        "title": "End-to-End Object Detection with Transformers",
        "year": 2020,
        "month": 5,
        "arxiv": "2005.12872",
        "alias": "DETR",
        "venue": "ECCV 2020",
        "authors": [
            "Nicolas Carion",
            "Francisco Massa",
            "Gabriel Synnaeve",
            "Nicolas Usunier",
            "Alexander Kirillov",
            "Sergey Zagoruyko",
        ],  # fmt: skip
        "tags": [VISION, "object detection", "transformers"],
        "notes": (
            "Detection as set prediction. A CNN backbone feeds a Transformer whose decoder "
            "turns a fixed number of learned queries into boxes or “no object”. Training "
            "matches predictions to ground truth one-to-one with the Hungarian algorithm, so "
            "anchors and non-maximum suppression disappear. Slow to train and weak on small "
            "objects, which later work fixed."
        ),
        "builds_on": ["1706.03762", "Faster R-CNN"],
    },
    {
        "title": "Mask R-CNN",
        "year": 2017,
        "month": 3,
        "arxiv": "1703.06870",
        "venue": "ICCV 2017",
        "authors": ["Kaiming He", "Georgia Gkioxari", "Piotr Dollár", "Ross Girshick"],
        "tags": [VISION, "object detection", "segmentation"],
        "notes": (
            "Faster R-CNN plus a third head that predicts a small binary mask for every "
            "detected object. RoIAlign replaces RoI pooling's rounding with bilinear "
            "sampling, which matters a lot for pixel-accurate masks."
        ),
        "builds_on": ["Faster R-CNN"],
    },
    {
        "title": "SSD: Single Shot MultiBox Detector",
        "year": 2015,
        "month": 12,
        "arxiv": "1512.02325",
        "alias": "SSD",
        "venue": "ECCV 2016",
        "authors": [
            "Wei Liu",
            "Dragomir Anguelov",
            "Dumitru Erhan",
            "Christian Szegedy",
            "Scott Reed",
            "Cheng-Yang Fu",
            "Alexander C. Berg",
        ],  # fmt: skip
        "tags": [VISION, "object detection"],
        "notes": (
            "One network pass, no proposal stage: small convolutions on several feature "
            "maps predict class scores and box corrections relative to predefined default "
            "boxes. "
            "Coarse maps handle large objects and fine maps small ones."
        ),
        "builds_on": ["YOLOv1", "Faster R-CNN"],
    },
    {
        "title": "You Only Look Once: Unified, Real-Time Object Detection",
        "year": 2015,
        "month": 6,
        "arxiv": "1506.02640",
        "alias": "YOLOv1",
        "venue": "CVPR 2016",
        "authors": ["Joseph Redmon", "Santosh Divvala", "Ross Girshick", "Ali Farhadi"],
        "tags": [VISION, "object detection"],
        "notes": (
            "Detection as a single regression: a grid over the image, and every cell "
            "predicts a few boxes with confidences plus class probabilities. Much faster "
            "than two-stage detectors, at the price of localisation errors and trouble with "
            "groups of small objects."
        ),
    },
    {
        "title": "Faster R-CNN: Towards Real-Time Object Detection with Region Proposal Networks",
        "year": 2015,
        "month": 6,
        "arxiv": "1506.01497",
        "alias": "Faster R-CNN",
        "venue": "NeurIPS 2015",
        "authors": ["Shaoqing Ren", "Kaiming He", "Ross Girshick", "Jian Sun"],
        "tags": [VISION, "object detection"],
        "notes": """\
The proposals now come from the network itself: a small region proposal network slides
over the shared feature map and scores anchor boxes. Everything after that is Fast R-CNN.
How the R-CNN family evolved:

| model | region proposals | CNN passes per image | extra output |
|---|---|:-:|---|
| R-CNN | selective search | one per region | — |
| Fast R-CNN | selective search | one | — |
| Faster R-CNN | learned (RPN) | one | — |
| Mask R-CNN | learned (RPN) | one | a mask per object |
""",
        "figure": {
            "steps": [
                "image",
                "CNN\nbackbone",
                "region proposal\nnetwork",
                "RoI pooling",
                "class + box\nheads",
            ],  # fmt: skip
            "title": "Faster R-CNN: proposals from the shared feature map",
            "caption": "The proposal network and the detection heads share one backbone.",
        },
        "builds_on": ["Fast R-CNN"],
    },
    {
        "title": "U-Net: Convolutional Networks for Biomedical Image Segmentation",
        "year": 2015,
        "month": 5,
        "arxiv": "1505.04597",
        "alias": "U-Net",
        "venue": "MICCAI 2015",
        "authors": ["Olaf Ronneberger", "Philipp Fischer", "Thomas Brox"],
        "tags": [VISION, "segmentation", "architecture"],
        "notes": (
            "An encoder that downsamples, a decoder that upsamples, and skip connections "
            "that hand each decoder stage the encoder features of the same resolution. "
            "Designed for small medical datasets, it became the default backbone for "
            "anything that maps images to images, diffusion models included."
        ),
    },
    {
        "title": "Fast R-CNN",
        "year": 2015,
        "month": 4,
        "arxiv": "1504.08083",
        "venue": "ICCV 2015",
        "authors": ["Ross Girshick"],
        "tags": [VISION, "object detection"],
        "notes": (
            "Run the CNN once per image instead of once per region, then cut each proposal "
            "out of the feature map with RoI pooling. Classification and box regression "
            "are trained together with one multi-task loss."
        ),
        "builds_on": ["R-CNN"],
    },
    {
        "title": (
            "Rich feature hierarchies for accurate object detection and semantic segmentation"
        ),
        "year": 2013,
        "month": 11,
        "arxiv": "1311.2524",
        "alias": "R-CNN",
        "venue": "CVPR 2014",
        "authors": ["Ross Girshick", "Jeff Donahue", "Trevor Darrell", "Jitendra Malik"],
        "tags": [VISION, "object detection"],
        "notes": (
            "The first convincing win of deep features for detection: take about two "
            "thousand class-agnostic proposals, warp each to a fixed size, extract CNN "
            "features, and score them with per-class linear SVMs. Accurate but very slow, "
            "which set the agenda for its successors."
        ),
    },
    # --- General AI -------------------------------------------------------------------
    {
        "title": "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        "year": 2023,
        "month": 12,
        "arxiv": "2312.00752",
        "alias": "Mamba",
        "authors": ["Albert Gu", "Tri Dao"],
        "tags": [GENERAL, "state space models", "architecture"],
        "notes": (
            "State space layers whose parameters depend on the current input, so the model "
            "can decide what to keep and what to forget. That breaks the convolutional "
            "trick S4 relied on, so the recurrence is computed with a hardware-aware "
            "parallel scan instead. Linear in sequence length and competitive with "
            "Transformers on language."
        ),
        "builds_on": ["2111.00396"],
    },
    {
        "title": "Attention Sinks in Transformers for endless fluent generation",
        "year": 2023,
        "month": 10,
        "url": "https://huggingface.co/blog/tomaarsen/attention-sinks",
        "authors": ["Tom Aarsen"],
        "tags": [GENERAL, "attention", "LLM"],
        "notes": (
            "A hands-on blog post that applies the attention-sink idea to existing models "
            "and measures perplexity over very long generations. Handy as a practical "
            "companion to the paper."
        ),
        "builds_on": ["2309.17453"],
    },
    {
        "title": "Efficient Streaming Language Models with Attention Sinks",
        "year": 2023,
        "month": 9,
        "arxiv": "2309.17453",
        "venue": "ICLR 2024",
        "authors": ["Guangxuan Xiao", "Yuandong Tian", "Beidi Chen", "Song Han", "Mike Lewis"],
        "tags": [GENERAL, "attention", "LLM", "efficiency"],
        "notes": (
            "Models park a lot of attention on the first few tokens whatever they contain, "
            "because softmax has to put its mass somewhere. A sliding-window cache that "
            "evicts those tokens therefore falls apart. Keeping the first four tokens plus "
            "a recent window lets a model generate stably far beyond its training length."
        ),
        "links": [
            (
                "blog",
                "Attention Sinks (Hugging Face blog)",
                "https://huggingface.co/blog/tomaarsen/attention-sinks",
            )
        ],
    },
    {
        "title": "FlashAttention-2: Faster Attention with Better Parallelism and Work Partitioning",
        "year": 2023,
        "month": 7,
        "arxiv": "2307.08691",
        "alias": "FlashAttention-2",
        "venue": "ICLR 2024",
        "authors": ["Tri Dao"],
        "tags": [GENERAL, "attention", "efficiency"],
        "notes": (
            "Same exact algorithm as FlashAttention, better use of the GPU: fewer "
            "non-matmul operations, parallelism over the sequence dimension too, and a "
            "better split of work between warps. Roughly twice as fast again."
        ),
        "builds_on": ["FlashAttention"],
    },
    {
        "title": "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
        "year": 2022,
        "month": 5,
        "arxiv": "2205.14135",
        "alias": "FlashAttention",
        "venue": "NeurIPS 2022",
        "authors": ["Tri Dao", "Daniel Y. Fu", "Stefano Ermon", "Atri Rudra", "Christopher Ré"],
        "tags": [GENERAL, "attention", "efficiency"],
        "notes": (
            "Attention is limited by memory traffic, not arithmetic: the $N \\times N$ score "
            "matrix is written to and read back from slow GPU memory. FlashAttention "
            "computes attention in tiles that fit in on-chip SRAM, using an online softmax so "
            "the full matrix never exists, and recomputes it in the backward pass. The "
            "result is exact, faster, and needs memory linear in sequence length."
        ),
        "builds_on": ["1706.03762"],
    },
    {
        "title": "Efficiently Modeling Long Sequences with Structured State Spaces",
        "year": 2021,
        "month": 10,
        "arxiv": "2111.00396",
        "alias": "S4",
        "venue": "ICLR 2022",
        "authors": ["Albert Gu", "Karan Goel", "Christopher Ré"],
        "tags": [GENERAL, "state space models"],
        "notes": (
            "A linear state space model $x' = Ax + Bu,\\ y = Cx$ can remember long "
            "histories if $A$ has a special HiPPO structure, but computing with it naively "
            "is far too slow. S4 writes $A$ as a normal matrix plus a low-rank term, which "
            "makes the equivalent long convolution kernel cheap to compute. It was the "
            "first model to solve Path-X, the hardest task of the Long Range Arena."
        ),
    },
    {
        "title": "Learning Transferable Visual Models From Natural Language Supervision",
        "year": 2021,
        "month": 2,
        "arxiv": "2103.00020",
        "alias": "CLIP",
        "venue": "ICML 2021",
        "authors": [
            "Alec Radford",
            "Jong Wook Kim",
            "Chris Hallacy",
            "Aditya Ramesh",
            "Gabriel Goh",
            "Sandhini Agarwal",
            "Girish Sastry",
            "Amanda Askell",
            "Pamela Mishkin",
            "Jack Clark",
            "Gretchen Krueger",
            "Ilya Sutskever",
        ],  # fmt: skip
        "tags": [GENERAL, "multimodal", "self-supervised"],
        "notes": (
            "An image encoder and a text encoder trained contrastively on web image–caption "
            "pairs: in each batch, the matching pairs should score higher than all the "
            "mismatched ones. Classification then needs no training at all: embed “a photo "
            "of a {class}” for every class and pick the closest. The learned embeddings went "
            "on to steer text-to-image models."
        ),
    },
    {
        "title": "Attention is All You Need",
        "year": 2017,
        "month": 6,
        "arxiv": "1706.03762",
        "alias": "Transformer",
        "venue": "NeurIPS 2017",
        "authors": TRANSFORMER_AUTHORS,
        "tags": [GENERAL, "transformers", "attention", "architecture"],
        "notes": """\
Sequence transduction with attention only, no recurrence. Each position builds queries,
keys and values, and mixes the values by similarity, scaled by the key size $d_k$:

$$
\\mathrm{Attention}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{Q K^\\top}{\\sqrt{d_k}}\\right) V
$$

Several heads run in parallel on smaller projections. Since nothing is sequential,
training parallelises over the whole sequence, at a cost quadratic in its length.

```python
import numpy as np


def attention(q, k, v):
    scores = q @ k.T / np.sqrt(q.shape[-1])
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights /= weights.sum(axis=-1, keepdims=True)
    return weights @ v
```
""",
        "figure": {
            "steps": [
                "input tokens",
                "encoder\n(self-attention) × N",
                "decoder\n(masked + cross-attention) × N",
                "output\nprobabilities",
            ],  # fmt: skip
            "title": "Transformer: encoder → decoder",
            "caption": "The decoder attends to its own past outputs and to the encoder.",
        },
    },
    {
        "title": "Generative Adversarial Networks",
        "year": 2014,
        "month": 6,
        "arxiv": "1406.2661",
        "alias": "GAN",
        "venue": "NeurIPS 2014",
        "authors": [
            "Ian J. Goodfellow",
            "Jean Pouget-Abadie",
            "Mehdi Mirza",
            "Bing Xu",
            "David Warde-Farley",
            "Sherjil Ozair",
            "Aaron Courville",
            "Yoshua Bengio",
        ],  # fmt: skip
        "tags": [GENERAL, "generative models"],
        "notes": """\
Two networks play a game: a generator $G$ maps noise to samples, a discriminator $D$
tries to tell them from real data.

$$
\\min_G \\max_D \\; \\mathbb{E}_{x \\sim p_{\\text{data}}}[\\log D(x)]
+ \\mathbb{E}_{z \\sim p_z}[\\log(1 - D(G(z)))]
$$

At the optimum the generator reproduces the data distribution and $D$ outputs $1/2$
everywhere. In practice the balance between the two is delicate to keep.
""",
    },
    {
        "title": "Auto-Encoding Variational Bayes",
        "year": 2013,
        "month": 12,
        "arxiv": "1312.6114",
        "alias": "VAE",
        "venue": "ICLR 2014",
        "authors": ["Diederik P. Kingma", "Max Welling"],
        "tags": [GENERAL, "generative models"],
        "notes": """\
An encoder outputs a distribution $q_\\phi(z \\mid x)$ over latent codes instead of a
single code, a decoder models $p_\\theta(x \\mid z)$, and both are trained by maximising
the evidence lower bound:

$$
\\log p_\\theta(x) \\ge \\mathbb{E}_{q_\\phi(z \\mid x)}[\\log p_\\theta(x \\mid z)]
- D_{\\mathrm{KL}}(q_\\phi(z \\mid x) \\,\\|\\, p(z))
$$

The reparameterisation $z = \\mu + \\sigma \\odot \\epsilon$ with
$\\epsilon \\sim \\mathcal{N}(0, I)$ moves the randomness out of the way so gradients can
pass through the sampling step. The same trick is what made amortised variational
inference practical for deep models.
""",
    },
    # --- Papers named in the blog seed (reports, reading group, recent papers) ----------
    {
        "title": "One-Shot Machine Unlearning with Mnemonic Code",
        "year": 2023,
        "month": 6,
        "arxiv": "2306.05670",
        "tags": [GENERAL, "privacy"],
        "notes": (
            "Forgetting specific training data without retraining. The method estimates, "
            "via Fisher information, which parameters matter most for the data to be "
            "forgotten and perturbs those in a single step, which keeps it cheap."
        ),
    },
    {
        "title": (
            "LanguageBind: Extending Video-Language Pretraining to N-modality by "
            "Language-based Semantic Alignment"
        ),
        "year": 2023,
        "month": 10,
        "arxiv": "2310.01852",
        "alias": "LanguageBind",
        "tags": [GENERAL, "multimodal"],
        "notes": (
            "Text is the hub: encoders for video, audio, depth and infrared are each "
            "aligned contrastively with a frozen language encoder, so all modalities end up "
            "in one shared space without needing pairs between every two of them. Aligning "
            "through language also means any modality can be queried with text directly."
        ),
        "builds_on": ["CLIP"],
    },
    {
        "title": "Accurate predictions on small data with a tabular foundation model",
        "year": 2025,
        "url": "https://www.nature.com/articles/s41586-024-08328-6",
        "doi": "10.1038/s41586-024-08328-6",
        "alias": "TabPFN",
        "venue": "Nature",
        "authors": [
            "Noah Hollmann",
            "Samuel Müller",
            "Lennart Purucker",
            "Arjun Krishnakumar",
            "Max Körfer",
            "Shi Bin Hoo",
            "Robin Tibor Schirrmeister",
            "Frank Hutter",
        ],  # fmt: skip
        "tags": [GENERAL, "tabular data", "transformers", "foundation models"],
        "notes": (
            "A Transformer pretrained only on synthetic tables sampled from many random "
            "data-generating processes. At use time the whole training set goes into the "
            "context and predictions come out in one forward pass, with no gradient steps. "
            "On small tables it beats tuned gradient-boosted trees."
        ),
    },
    {
        "title": "NeRF: Representing Scenes as Neural Radiance Fields for View Synthesis",
        "arxiv": "2003.08934",
        "year": 2020,
        "month": 3,
        "alias": "NeRF",
        "venue": "ECCV 2020",
        "authors": [
            "Ben Mildenhall",
            "Pratul P. Srinivasan",
            "Matthew Tancik",
            "Jonathan T. Barron",
            "Ravi Ramamoorthi",
            "Ren Ng",
        ],  # fmt: skip
        "tags": [VISION, "3D"],
        "notes": (
            "A scene stored as an MLP that maps a 3D point and a viewing direction to colour "
            "and density. Pixels are rendered by integrating along camera rays, which is "
            "differentiable, so the network is fitted from posed photos alone. Positional "
            "encoding of the inputs is essential for fine detail."
        ),
    },
    {
        "title": "Siamese Neural Networks for One-shot Image Recognition",
        "year": 2015,
        "authors": ["Gregory Koch", "Richard Zemel", "Ruslan Salakhutdinov"],
        "tags": [VISION, "few-shot"],
        "notes": (
            "Two copies of one convolutional network embed a pair of images, and a small "
            "head scores whether they show the same class. Trained on pairs, the network "
            "can then classify a new character from a single example by comparing it with "
            "one reference image per class."
        ),
        "links": [
            (
                "code",
                "Reimplementation",
                "https://github.com/QuantumSpinozist/One-Shot-Image-Recognition",
            )
        ],
    },
    {
        "title": "DeepPose: Human Pose Estimation via Deep Neural Networks",
        "year": 2014,
        "alias": "DeepPose",
        "venue": "CVPR 2014",
        "authors": ["Alexander Toshev", "Christian Szegedy"],
        "tags": [VISION, "pose estimation"],
        "notes": (
            "Joint positions regressed directly by a CNN from the whole image, then refined "
            "by a cascade of networks that look at crops around each current estimate. "
            "Simple, and one of the first deep learning results for pose."
        ),
    },
    {
        "title": "Hopfield Networks is All You Need",
        "year": 2020,
        "authors": ["Hubert Ramsauer"],
        "venue": "ICLR 2021",
        "tags": [GENERAL, "attention"],
        "notes": (
            "Hopfield networks with continuous states and an exponential energy can store "
            "exponentially many patterns and retrieve them in one update. That update rule "
            "turns out to be exactly Transformer attention, giving attention an "
            "interpretation as associative memory retrieval."
        ),
        "builds_on": ["1706.03762"],
    },
    {
        "title": "Hybrid Active Learning via Deep Clustering for Video Action Detection",
        "year": 2023,
        "tags": [VISION, "active learning"],
        "notes": (
            "Active learning for video action detection that chooses which videos and which "
            "frames to annotate, so that far fewer labelled frames are needed. Clustering the "
            "candidates keeps the selected samples diverse instead of redundant."
        ),
    },
    {
        "title": "Does Knowledge Distillation Really Work?",
        "year": 2021,
        "venue": "NeurIPS 2021",
        "authors": [
            "Samuel Stanton",
            "Pavel Izmailov",
            "Polina Kirichenko",
            "Alexander A. Alemi",
            "Andrew Gordon Wilson",
        ],  # fmt: skip
        "tags": [GENERAL, "knowledge distillation"],
        "notes": (
            "Distilled students often generalise well, yet they agree with their teacher "
            "much less than one would expect, even on the training data. The authors trace "
            "this to optimisation difficulties rather than to a lack of capacity."
        ),
    },
    {
        "title": (
            "GSM-Symbolic: Understanding the Limitations of Mathematical Reasoning in Large "
            "Language Models"
        ),
        "year": 2024,
        "month": 10,
        "alias": "GSM-Symbolic",
        "authors": ["Iman Mirzadeh"],
        "tags": [LANGUAGE, "LLM", "reasoning", "evaluation"],
        "notes": (
            "Grade-school maths problems turned into templates, so names and numbers can be "
            "changed. Accuracy drops and varies when only those surface details change, and "
            "an irrelevant extra clause hurts a lot, which points to pattern matching "
            "more than to reasoning."
        ),
    },
    {
        "title": "Differential Transformer",
        "year": 2024,
        "month": 10,
        "authors": ["Tianzhu Ye"],
        "tags": [LANGUAGE, "attention", "transformers"],
        "notes": (
            "Attention computed as the difference of two softmax maps, with a learned "
            "weight on the second, in the spirit of a differential amplifier: noise common "
            "to both maps cancels, and attention concentrates on the relevant context. The "
            "reported gains are largest on long-context retrieval and on hallucination."
        ),
        "builds_on": ["1706.03762"],
    },
    {
        "title": "Were RNNs All We Needed?",
        "alias": "minGRU",
        "arxiv": "2410.01201",
        "year": 2024,
        "month": 10,
        "authors": ["Leo Feng"],
        "tags": [GENERAL, "architecture", "state space models"],
        "notes": (
            "Strip the LSTM and GRU gates of their dependence on the previous hidden state "
            "and they can be trained with a parallel scan, like recent state space models. "
            "These minimal versions turn out to be competitive with them."
        ),
        "builds_on": ["Mamba"],
    },
]
