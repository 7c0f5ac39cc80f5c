"""ConfluenceSource through the real httpx client against a local fake Confluence."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from deskbot.core.errors import AuthError, ConfigError, SourceError
from deskbot.core.retry import parse_retry_after
from ingest.sources.confluence import ConfluenceSource, normalise_base_url, parse_page_url
from tests.fakes.confluence import FakeConfluence, tiny_code


def seed(fake: FakeConfluence, space: str = "ENG", n: int = 7, first: int = 100) -> list[str]:
    ids = [str(first + i) for i in range(n)]
    for i, page_id in enumerate(ids):
        fake.add_page(space, page_id, f"{space} page {i}", f"<p>{space} body {i}</p>")
    return ids


@pytest.fixture
def fake():
    with FakeConfluence() as service:
        yield service


@pytest.fixture
def sleeps() -> list[float]:
    return []


def make_source(fake, spaces=("ENG",), *, mode="cloud", sleeps=None, timeout=5.0, **kwargs):
    if mode == "cloud":
        kwargs.setdefault("email", fake.email)
        kwargs.setdefault("api_token", fake.api_token)
    else:
        kwargs.setdefault("pat", fake.pat)
    recorder = sleeps.append if sleeps is not None else (lambda s: None)
    return ConfluenceSource(
        spaces,
        base_url=fake.base_url,
        http_client=httpx.Client(timeout=timeout),
        sleep=recorder,
        **kwargs,
    )


@pytest.mark.parametrize(
    "page_size, options, requests",
    [
        (2, {}, 4),  # 7 pages in windows of 2
        (50, {"max_limit": 3}, 3),  # the server caps the window below what we asked
        (2, {"cursor": True}, 4),  # opaque cursors: no offsets to compute
        (3, {"absolute_next": True, "flavor": "dc"}, 3),
        (50, {}, 1),
    ],
)
def test_pagination_follows_next_links_to_the_end(page_size, options, requests):
    with FakeConfluence(**options) as fake:
        ids = seed(fake)
        docs = list(make_source(fake, page_size=page_size).iter_documents())
        listings = fake.calls(r"/rest/api/content$")
    assert [d.doc_id for d in docs] == ids
    assert len(listings) == requests
    if options.get("cursor"):
        assert all("start" not in r.query for r in listings)
        assert all("cursor" in r.query for r in listings[1:])


@pytest.mark.parametrize("flavor", ["cloud", "dc"])
def test_document_fields(flavor):
    with FakeConfluence(flavor=flavor) as fake:
        fake.add_page("HR", "1", "Home", "<p>home</p>")
        fake.add_page("HR", "2", "Benefits", "<p>b</p>", ancestors=["1"])
        fake.add_page(
            "HR", "3", "Dental plan", "<h2>Claims</h2><p>x</p>", ["benefits", "faq"], ["1", "2"]
        )
        fake.update_page("3", body="<h2>Claims</h2><p>new</p>")
        source = make_source(fake, ["HR"], mode="cloud" if flavor == "cloud" else "dc")
        docs = {d.doc_id: d for d in source.iter_documents()}
        base = fake.base_url
    dental = docs["3"]
    assert dental.source == "confluence:HR" and dental.space == "HR"
    assert dental.format == "confluence"
    assert dental.title == "Dental plan"
    assert dental.body == "<h2>Claims</h2><p>new</p>"
    assert dental.breadcrumb == ("Home", "Benefits")
    assert dental.labels == ("benefits", "faq")
    assert dental.version == "2"
    assert dental.updated_at == "2024-01-01T09:04:00.000Z"
    expected = "/spaces/HR/pages/3/Dental+plan" if flavor == "cloud" else "/display/HR/Dental+plan"
    assert dental.url == base + expected
    assert docs["1"].breadcrumb == ()
    assert source.sources == ["confluence:HR"]
    assert source.spec == "confluence:HR"


def test_all_spaces_mode_reads_every_current_space(fake):
    for key in ("ENG", "HR", "OPS"):
        seed(fake, key, n=2, first=len(fake.pages) + 1)
    fake.add_space("OLD", status="archived")
    fake.add_page("OLD", "900", "Old", "<p>old</p>")
    source = make_source(fake, [], page_size=2)
    assert source.spec == "confluence:"
    docs = list(source.iter_documents())
    assert sorted({d.source for d in docs}) == ["confluence:ENG", "confluence:HR", "confluence:OPS"]
    assert len(docs) == 6
    assert source.sources == ["confluence:ENG", "confluence:HR", "confluence:OPS"]
    assert len(fake.calls(r"/rest/api/space$")) == 2  # paginated too


@pytest.mark.parametrize("mode, scheme", [("cloud", "Basic"), ("dc", "Bearer")])
def test_auth_modes_send_the_right_header(fake, mode, scheme):
    seed(fake, n=2)
    docs = list(make_source(fake, mode=mode).iter_documents())
    assert len(docs) == 2
    headers = {r.headers["authorization"].split()[0] for r in fake.requests}
    assert headers == {scheme}


@pytest.mark.parametrize(
    "creds, named",
    [
        ({}, "CONFLUENCE_PAT"),
        ({"email": "a@b.c"}, "CONFLUENCE_API_TOKEN"),
        ({"api_token": "t0ken-value"}, "CONFLUENCE_EMAIL"),
    ],
)
def test_missing_credentials_name_the_settings(creds, named):
    with pytest.raises(ConfigError, match=named) as info:
        ConfluenceSource(["ENG"], base_url="https://acme.atlassian.net/wiki", **creds)
    assert "t0ken-value" not in str(info.value)


def test_missing_url_names_the_setting():
    with pytest.raises(ConfigError, match="CONFLUENCE_URL"):
        ConfluenceSource(["ENG"], base_url="", pat="x")


@pytest.mark.parametrize(
    "mode, inject, named",
    [
        ("cloud", None, "CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN"),
        ("dc", None, "CONFLUENCE_PAT"),
        ("cloud", 403, "CONFLUENCE_EMAIL and CONFLUENCE_API_TOKEN"),
        ("dc", 403, "CONFLUENCE_PAT"),
    ],
)
def test_rejected_credentials_give_a_clear_error_without_secrets(fake, caplog, mode, inject, named):
    seed(fake, n=1)
    caplog.set_level(logging.DEBUG)
    if inject:
        fake.fail_next(inject)
        creds = {}
    else:
        creds = (
            {"api_token": "wrong-S3CRET-token"} if mode == "cloud" else {"pat": "wrong-S3CRET-pat"}
        )
    source = make_source(fake, mode=mode, **creds)
    with pytest.raises(AuthError) as info:
        list(source.iter_documents())
    message = str(info.value)
    assert named in message and fake.base_url in message
    assert ("HTTP 403" if inject else "HTTP 401") in message
    secret = creds.get("api_token") or creds.get("pat") or fake.api_token
    basic = base64.b64encode(f"{fake.email}:{secret}".encode()).decode()
    for text in (message, caplog.text, repr(source)):
        for leak in ("S3CRET", basic, "Authorization", "Bearer "):
            assert leak not in text


@pytest.mark.parametrize("order", [("NOPE", "ENG"), ("ENG", "NOPE")])
def test_unknown_space_is_recorded_and_others_continue(fake, order):
    ids = seed(fake, n=3)
    source = make_source(fake, order)
    docs = list(source.iter_documents())
    assert [d.doc_id for d in docs] == ids
    assert source.sources == ["confluence:ENG"]
    assert len(source.errors) == 1 and "'NOPE'" in source.errors[0]
    assert {r.arg("spaceKey") for r in fake.calls(r"/rest/api/content$")} == {"ENG"}


def test_only_unknown_spaces_raise(fake):
    seed(fake, n=1)
    source = make_source(fake, ["NOPE"])
    with pytest.raises(SourceError, match="'NOPE'"):
        list(source.iter_documents())
    assert source.sources == []


@pytest.mark.parametrize(
    "retry_after, low, high",
    [("3", 3.0, 3.0), ("0", 0.0, 0.0), ("http-date", 7.0, 10.0)],
)
def test_429_honours_retry_after(fake, sleeps, retry_after, low, high):
    ids = seed(fake, n=5)
    if retry_after == "http-date":
        retry_after = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    fake.fail_next(429, 2, retry_after=retry_after, path=r"/rest/api/content$")
    docs = list(make_source(fake, sleeps=sleeps, page_size=2).iter_documents())
    assert [d.doc_id for d in docs] == ids
    assert len(sleeps) == 2 and all(low <= s <= high for s in sleeps)


def test_500_once_then_success(fake, sleeps):
    ids = seed(fake, n=3)
    fake.fail_next(500)
    docs = list(make_source(fake, sleeps=sleeps, backoff=1.0).iter_documents())
    assert [d.doc_id for d in docs] == ids
    assert len(sleeps) == 1 and 0.5 <= sleeps[0] <= 1.0


def test_retries_are_bounded_then_the_error_names_the_path(fake, sleeps):
    seed(fake, n=1)
    fake.fail_next(503, 10, path=r"/rest/api/content$")
    source = make_source(fake, ["ENG"], sleeps=sleeps, max_retries=2, backoff=1.0)
    with pytest.raises(SourceError) as info:
        list(source.iter_documents())
    message = str(info.value)
    assert "/wiki/rest/api/content" in message and "HTTP 503" in message and "3 attempts" in message
    assert "?" not in message and "spaceKey" not in message
    assert len(sleeps) == 2 and 0.5 <= sleeps[0] <= 1.0 and 1.0 <= sleeps[1] <= 2.0
    assert len(fake.calls(r"/rest/api/content$")) == 3


def test_timeouts_are_retried(fake, sleeps):
    ids = seed(fake, n=2)
    fake.slow_next(1.0, path=r"/rest/api/content$")
    docs = list(make_source(fake, sleeps=sleeps, timeout=0.2).iter_documents())
    assert [d.doc_id for d in docs] == ids
    assert len(sleeps) == 1


@pytest.mark.parametrize(
    "exclude, kept",
    [(("archived",), ["1", "4"]), (("archived", "draft"), ["1"]), ((), ["1", "2", "3", "4"])],
)
def test_label_exclusion(fake, caplog, exclude, kept):
    fake.add_page("ENG", "1", "Live", "<p>x</p>", ["howto"])
    fake.add_page("ENG", "2", "Old", "<p>x</p>", ["archived"])
    fake.add_page("ENG", "3", "Older", "<p>x</p>", ["howto", "archived"])
    fake.add_page("ENG", "4", "Draft", "<p>x</p>", ["draft"])
    caplog.set_level(logging.INFO, logger="ingest.sources.confluence")
    source = make_source(fake, exclude_labels=exclude)
    assert [d.doc_id for d in source.iter_documents()] == kept
    assert source.skipped_by_label == 4 - len(kept)
    assert f"{len(kept)} pages read, {4 - len(kept)} skipped by label" in caplog.text


def test_page_deleted_mid_run_is_recorded_and_the_rest_continue(fake, sleeps):
    seed(fake, n=5)
    fake.vanish_after_listing("102")
    fake.break_body("103")
    source = make_source(fake, sleeps=sleeps, page_size=2, max_retries=1)
    docs = list(source.iter_documents())
    assert [d.doc_id for d in docs] == ["100", "101", "104"]
    assert len(source.errors) == 2
    gone, broken = source.errors
    assert "102" in gone and "'ENG page 2'" in gone and "ENG" in gone and "404" in gone
    assert "103" in broken and "'ENG page 3'" in broken and "HTTP 500" in broken
    assert source.failed_ids == ["103"]  # may still exist: sync keeps what it stored
    # deleting 102 shifted the offsets: 104 came from the catch-up listing without bodies
    light = [r for r in fake.calls(r"/rest/api/content$") if r.arg("expand") == "version"]
    assert light and all(r.arg("spaceKey") == "ENG" for r in light)
    assert source.sources == ["confluence:ENG"]


def test_changes_between_runs_show_up(fake):
    seed(fake, n=3)
    source = make_source(fake)
    first = {d.doc_id: d for d in source.iter_documents()}
    fake.update_page("101", body="<p>changed</p>")
    fake.delete_page("102")
    second = {d.doc_id: d for d in source.iter_documents()}
    assert sorted(second) == ["100", "101"]
    assert (first["101"].version, second["101"].version) == ("1", "2")
    assert second["101"].body == "<p>changed</p>"
    assert second["101"].content_hash != first["101"].content_hash
    assert second["100"] == first["100"]


def test_single_page_refetch(fake):
    seed(fake, n=2)
    source = make_source(fake)
    listed = {d.doc_id: d for d in source.iter_documents()}
    assert source.page("101") == listed["101"]
    with pytest.raises(SourceError, match="999"):
        source.page("999")


def test_non_json_answer_points_at_the_url_setting(fake):
    fake.fail_next(200, body="<html>Log in</html>")
    with pytest.raises(SourceError, match="CONFLUENCE_URL"):
        list(make_source(fake).iter_documents())


@pytest.mark.parametrize(
    "url, page_id",
    [
        ("https://acme.atlassian.net/wiki/spaces/HR/pages/123456/Dental+plan", "123456"),
        ("https://acme.atlassian.net/wiki/spaces/HR/pages/123456", "123456"),
        ("https://acme.atlassian.net/wiki/spaces/HR/pages/edit-v2/777", "777"),
        ("https://wiki.corp/confluence/pages/viewpage.action?pageId=42", "42"),
        ("https://wiki.corp/pages/viewpage.action?spaceKey=HR&pageId=42#Claims", "42"),
        ("<https://acme.atlassian.net/wiki/spaces/HR/pages/5/X|Dental plan>", "5"),
        ("https://wiki.corp/x/AwAG", "393219"),  # the example in Atlassian's REST docs
        (f"https://acme.atlassian.net/wiki/x/{tiny_code(98765432123)}", "98765432123"),
        ("31337", "31337"),
    ],
)
def test_parse_page_url(url, page_id):
    assert parse_page_url(url) == page_id


@pytest.mark.parametrize(
    "url", ["https://wiki.corp/display/HR/Dental+plan", "https://wiki.corp/", "not a url"]
)
def test_parse_page_url_rejects_links_without_an_id(url):
    with pytest.raises(SourceError, match="No Confluence page id"):
        parse_page_url(url)


@pytest.mark.parametrize(
    "given, expected",
    [
        ("https://acme.atlassian.net", "https://acme.atlassian.net/wiki"),
        ("https://acme.atlassian.net/wiki/", "https://acme.atlassian.net/wiki"),
        ("https://wiki.corp/confluence/rest/api", "https://wiki.corp/confluence"),
        (" https://wiki.corp ", "https://wiki.corp"),
    ],
)
def test_normalise_base_url(given, expected):
    assert normalise_base_url(given) == expected


def test_retry_after_parsing():
    now = datetime(2025, 1, 1, tzinfo=UTC)
    assert parse_retry_after("12", now=now) == 12.0
    assert (
        parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now=now)
        == 30.0
    )
    assert parse_retry_after("soon", now=now) is None
    assert parse_retry_after(None) is None
