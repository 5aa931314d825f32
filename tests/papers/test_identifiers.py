import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from papers.identifiers import (
    ARXIV_ID_PATTERN,
    DOI_PATTERN,
    normalize_arxiv_id,
    normalize_doi,
    parse_arxiv_id,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2103.07579", ("2103.07579", 2021, 3)),
        ("arXiv:2103.07579v2", ("2103.07579", 2021, 3)),
        ("https://arxiv.org/abs/2103.07579v3", ("2103.07579", 2021, 3)),
        ("https://arxiv.org/pdf/2103.07579v2.pdf", ("2103.07579", 2021, 3)),
        ("http://arxiv.org/pdf/2306.05670", ("2306.05670", 2023, 6)),
        ("  https://www.arxiv.org/abs/1706.03762  ", ("1706.03762", 2017, 6)),
        ("0704.0001", ("0704.0001", 2007, 4)),
        ("hep-th/9901001", ("hep-th/9901001", 1999, 1)),
        ("https://arxiv.org/abs/hep-th/9901001v2", ("hep-th/9901001", 1999, 1)),
        ("math.GT/0309136", ("math.GT/0309136", 2003, 9)),
    ],
)
def test_arxiv_ids_in_every_form_normalise(raw, expected):
    assert parse_arxiv_id(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "foo", "1234.5", "2113.00001", "https://example.org/abs/2103.07579", "2103.07579x"]
)
def test_non_arxiv_ids_are_refused(raw):
    assert parse_arxiv_id(raw) is None
    with pytest.raises(ValidationError):
        normalize_arxiv_id(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("10.1038/s41586-024-08328-6", "10.1038/s41586-024-08328-6"),
        ("https://doi.org/10.1038/S41586-024-08328-6", "10.1038/s41586-024-08328-6"),
        ("doi:10.1145/3065386", "10.1145/3065386"),
        ("http://dx.doi.org/10.1145/3065386.", "10.1145/3065386"),
    ],
)
def test_dois_normalise_to_lower_case_without_resolver(raw, expected):
    assert normalize_doi(raw) == expected


@pytest.mark.parametrize(
    "raw", ["x", "11.1000/abc", "10.12/short", "https://example.org/10.1000/x"]
)
def test_non_dois_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_doi(raw)


def test_doi_without_a_suffix_is_refused():
    """Found by the property test: "10.0000/." lost its only suffix character to rstrip."""
    with pytest.raises(ValidationError, match="no DOI suffix"):
        normalize_doi("10.0000/.")


# The API's schema states these patterns (papers/api.py): a value they allow must never be
# refused by the normaliser behind it (schemathesis' ST202, "schema-valid request rejected").
@given(st.from_regex(ARXIV_ID_PATTERN, fullmatch=True))
def test_every_arxiv_value_the_api_schema_allows_normalises(value):
    assert re.fullmatch(
        r"[0-9]{4}\.[0-9]{4,5}|[a-z-]+(\.[A-Z]{2})?/[0-9]{7}", normalize_arxiv_id(value)
    )


@given(st.from_regex(DOI_PATTERN, fullmatch=True))
def test_every_doi_value_the_api_schema_allows_normalises(value):
    assert normalize_doi(value).startswith("10.")


@pytest.mark.parametrize("raw", ["0", "2113.00001", "10.1000/.", "10.1000/a/.", "doi:0"])
def test_values_the_normalisers_refuse_are_outside_the_api_schema(raw):
    assert not re.fullmatch(ARXIV_ID_PATTERN, raw) and not re.fullmatch(DOI_PATTERN, raw)
