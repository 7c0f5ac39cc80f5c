import pytest

from ingest.sparse import BM25Encoder, term_id, terms


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
