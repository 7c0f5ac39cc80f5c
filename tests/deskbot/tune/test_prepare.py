"""`tune prepare`: cleaning, PII scrubbing, dedup, split, and the report of what was dropped."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from deskbot.core.conversations import Conversation, Turn
from deskbot.tune.pii import luhn_ok, scrub
from deskbot.tune.prepare import prepare, split
from tests.deskbot.tune.conftest import DATA


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("write to jane.doe@example.co.uk today", "write to [EMAIL] today", "email"),
        ("call +1 (555) 123-4567.", "call [PHONE].", "phone"),
        ("call 020 7946 0958", "call [PHONE]", "phone"),
        ("mobile 0791234567", "mobile [PHONE]", "phone"),
        ("card 4111 1111 1111 1111 ok", "card [CARD] ok", "card"),
        ("card 5500-0000-0000-0004", "card [CARD]", "card"),
        ("key sk-proj-abcdefghijklmnop1234", "key [SECRET]", "secret"),
        ("bot xoxb-1234567890-abcdefghij", "bot [SECRET]", "secret"),
        ("aws AKIAIOSFODNN7EXAMPLE", "aws [SECRET]", "secret"),
        ("gh ghp_abcdefghijklmnopqrstuvwxyz0123456789", "gh [SECRET]", "secret"),
        ("Authorization: Bearer abcdefghijklmnop123", "Authorization: Bearer [SECRET]", "secret"),
        ("my password is hunter22!", "my password is [SECRET]", "secret"),
    ],
)
def test_scrub_replaces(text, expected, kind):
    counts = Counter()
    assert scrub(text, counts) == expected
    assert counts == {kind: 1}


@pytest.mark.parametrize(
    "text",
    [
        "card 4111 1111 1111 1112 fails Luhn",  # 16 digits, bad checksum: neither card nor phone
        "order 123456789 shipped",  # a bare id
        "on 2024-03-05 at 10:00",
        "server 192.168.100.200",
        "version 1.2.3 and ext 1234",
        "see https://wiki.example.com/hc/articles/360012345678-VPN",
    ],
)
def test_scrub_keeps(text):
    counts = Counter()
    assert scrub(text, counts) == text
    assert not counts


def test_luhn():
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")


def conv(*turns: tuple[str, str], cid: str = "c") -> Conversation:
    return Conversation(cid, f"{cid}.json:1", tuple(Turn(r, t) for r, t in turns))


def test_cleaning_merges_trims_and_drops_auto_replies():
    conversation = conv(
        ("assistant", "Thanks for contacting us, this is an automated reply."),
        ("assistant", "Agent opening remark"),
        ("user", "My laptop is slow."),
        ("user", "  "),
        ("user", "Since Monday."),
        ("assistant", "Hi! Please restart it."),
        ("assistant", "Then run the updater."),
        ("user", "Thanks!"),
    )
    train, _, report = prepare([conversation], system="You are Sam.")
    assert train == [
        {
            "messages": [
                {"role": "system", "content": "You are Sam."},
                {"role": "user", "content": "My laptop is slow.\n\nSince Monday."},
                {"role": "assistant", "content": "Hi! Please restart it.\n\nThen run the updater."},
            ]
        }
    ]
    assert report.turns_dropped == {"auto-reply": 1, "empty": 1}


def test_drops_are_counted_by_reason():
    conversations = [
        conv(("user", "Q?"), ("assistant", "A."), cid="a"),
        conv(("user", " q? "), ("assistant", "a."), cid="dup"),  # same text, case and spaces
        conv(("user", "Anyone?"), cid="unanswered"),
        conv(("assistant", "Announcement"), cid="no-question"),
    ]
    train, val, report = prepare(conversations)
    assert len(train) == 1 and val == []
    assert report.dropped == {
        "duplicate": 1,
        "no agent reply after the question": 1,
        "no question from the requester": 1,
    }
    assert report.conversations == 4 and report.kept == 1


def test_split_is_seeded_and_keeps_one_for_validation():
    examples = [{"messages": [{"role": "user", "content": str(i)}]} for i in range(20)]
    train, val = split(examples, 0.1, seed=1)
    assert len(val) == 2 and len(train) == 18
    assert split(examples, 0.1, seed=1) == (train, val)
    assert len(split(examples[:3], 0.01, seed=0)[1]) == 1


def test_prepare_cli_end_to_end(cli, tmp_path):
    train, val = tmp_path / "out" / "train.jsonl", tmp_path / "out" / "val.jsonl"
    inputs = [DATA / "zendesk_export.json", DATA / "zendesk_tickets.jsonl", DATA / "qa.csv"]
    result = cli(
        "tune", "prepare", *inputs, DATA / "slack_export", "--agent", "sam",
        "-o", train, "--val", val, "--val-split", "0.2", "--system", "You are Sam from IT.",
    )  # fmt: skip
    out = result.output
    assert "Read 10 conversations; kept 9 (7 train, 2 validation)." in out
    assert "dropped 1 conversation(s): no agent reply after the question" in out
    assert "dropped 1 turn(s): internal note" in out and "dropped 1 turn(s): auto-reply" in out
    assert "PII replaced: 1 card, 1 email, 1 phone, 1 secret" in out
    assert f"{DATA / 'zendesk_export.json'}:41: ticket 104 has no comments list" in out
    assert f"{DATA / 'qa.csv'}:5: empty or missing answer" in out
    written = [json.loads(line) for line in train.read_text().splitlines()]
    written += [json.loads(line) for line in val.read_text().splitlines()]
    text = json.dumps(written)
    assert "jane.doe@example.com" not in text and "4111 1111" not in text and "sk-proj" not in text
    assert "[EMAIL]" in text and "[CARD]" in text and "[SECRET]" in text
    assert all(
        e["messages"][0] == {"role": "system", "content": "You are Sam from IT."} for e in written
    )


def test_keep_pii(cli, tmp_path):
    out = tmp_path / "train.jsonl"
    cli("tune", "prepare", DATA / "zendesk_export.json", "-o", out, "--keep-pii")
    assert "jane.doe@example.com" in out.read_text()


def test_nothing_usable_is_an_error(cli, tmp_path):
    result = cli("tune", "prepare", DATA / "slack_export", "-o", tmp_path / "t.jsonl", code=1)
    assert "needs --agent" in result.output
    assert "Error: No usable conversations" in result.output
    assert not (tmp_path / "t.jsonl").exists()


def test_val_split_needs_val(cli, tmp_path):
    result = cli("tune", "prepare", DATA / "qa.csv", "-o", tmp_path / "t.jsonl",
                 "--val-split", "0.2", code=2)  # fmt: skip
    assert "--val-split needs --val" in result.output
