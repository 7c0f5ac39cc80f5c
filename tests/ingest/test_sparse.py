import pytest

from ingest.sparse import BM25Encoder, term_id, term_set, terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("How do I reset my Password?", ["reset", "password"]),
        ("printers", ["printer"]),
        ("resetting policies", ["reset", "policy"]),
        ("access status", ["access", "status"]),
        ("VPN_on-macOS", ["vpn", "macos"]),
    ],
)
def test_terms(text, expected):
    assert terms(text) == expected


def test_term_ids_are_stable():
    assert term_id("vpn") == 705230937  # crc32: the same on every machine and process


def test_document_weights_follow_bm25():
    enc = BM25Encoder(k1=1.2, b=0.75, avg_len=4)
    vec = enc.encode_document("vpn vpn laptop wifi")
    weights = dict(zip(vec.indices, vec.values, strict=True))
    # tf=2 in a document of average length: 2 * 2.2 / (2 + 1.2)
    assert weights[term_id("vpn")] == pytest.approx(2 * 2.2 / 3.2)
    assert weights[term_id("vpn")] > weights[term_id("laptop")]
    assert vec.indices == sorted(vec.indices)


def test_query_is_one_per_distinct_term():
    vec = BM25Encoder().encode_query("vpn VPN the mac")
    assert sorted(vec.indices) == sorted({term_id("vpn"), term_id("mac")})
    assert vec.values == [1.0, 1.0]


@pytest.mark.parametrize(
    "text",
    [
        "Resetting the PRINTERS resets printers; printer status: access denied.",
        "İstanbul ISTANBUL istanbul Straße STRASSE ǅemal ﬁle",  # case folding that grows words
        "x" * 45 + " short " + "y" * 39,  # over-long words are dropped, the 39-letter one kept
        "git-stash(1) --keep-index: all changes already added to the index are left intact",
        "",
    ],
)
def test_term_set_is_the_set_of_terms(text):
    """The coverage decision's fast path finds exactly the terms the index has."""
    assert term_set(text) == set(terms(text))
