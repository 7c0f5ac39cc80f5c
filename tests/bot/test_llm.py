"""The chat client: our bounded retry over the real openai SDK against the local fake."""

from __future__ import annotations

import pytest

from bot.llm import ChatModel, build_openai_client
from deskbot.core.errors import ModelError
from tests.fakes.openai_chat import ChatReply, FakeOpenAIChat

CHAT = [{"role": "user", "content": "How do I connect to the VPN?"}]


def test_reply_text_model_and_usage(fake_chat, chat_model):
    fake_chat.push(
        ChatReply(
            "Open Northwind Connect [1].", usage={"prompt_tokens": 90, "completion_tokens": 7}
        )
    )
    completion = chat_model.complete(CHAT)
    assert completion.text == "Open Northwind Connect [1]."
    assert completion.model == "gpt-4.1-mini"
    assert completion.usage == {"prompt_tokens": 90, "completion_tokens": 7, "total_tokens": 97}
    assert fake_chat.chat_requests()[0]["messages"] == CHAT


@pytest.mark.parametrize(
    "failure, waited",
    [
        (FakeOpenAIChat.rate_limited(retry_after=3), 3.0),  # the server's Retry-After is honoured
        (FakeOpenAIChat.rate_limited(retry_after=120), 10.0),  # ... but capped at max_wait
        (FakeOpenAIChat.server_error(500), None),
        (FakeOpenAIChat.server_error(503), None),
        (FakeOpenAIChat.slow(2.0), None),  # client timeout is 0.5 s
    ],
)
def test_transient_failures_are_retried_then_succeed(
    fake_chat, chat_model, sleeps, failure, waited
):
    fake_chat.push(failure, "fine now")
    assert chat_model.complete(CHAT).text == "fine now"
    assert len(fake_chat.chat_requests()) == 2
    assert len(sleeps) == 1
    if waited is not None:
        assert sleeps[0] == waited
    else:
        assert 0.5 <= sleeps[0] <= 0.75  # backoff 0.5 s + jitter on the first retry


def test_retries_are_bounded(fake_chat, sleeps):
    model = ChatModel(fake_chat.client(), "m", max_retries=2, sleep=sleeps.append)
    fake_chat.push(*[FakeOpenAIChat.server_error()] * 5)
    with pytest.raises(ModelError, match=r"HTTP 500 .*after 3 attempts"):
        model.complete(CHAT)
    assert len(fake_chat.chat_requests()) == 3
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0]  # exponential


@pytest.mark.parametrize("status", [400, 404, 422])
def test_client_errors_are_not_retried(fake_chat, chat_model, status):
    from tests.fakes.openai_chat import error

    fake_chat.push(error(status, "nope", "invalid_request_error"), "never sent")
    with pytest.raises(ModelError, match=f"HTTP {status}"):
        chat_model.complete(CHAT)
    assert len(fake_chat.chat_requests()) == 1


def test_auth_error_not_retried_and_logged_once_with_the_fix(caplog, sleeps):
    with FakeOpenAIChat(reject_keys=("sk-test-SECRET123",)) as fake:
        model = ChatModel(fake.client(api_key="sk-test-SECRET123"), "m", sleep=sleeps.append)
        for _ in range(3):
            with pytest.raises(ModelError, match="HTTP 401"):
                model.complete(CHAT)
        assert len(fake.chat_requests()) == 3  # one request per call: no retries
    errors = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(errors) == 1
    assert "OPENAI_API_KEY" in errors[0].getMessage()
    assert sleeps == []


def test_unreachable_endpoint_is_a_model_error(sleeps):
    client = build_openai_client("sk-x", "http://127.0.0.1:9/v1", timeout=0.5)
    model = ChatModel(client, "m", max_retries=1, sleep=sleeps.append)
    with pytest.raises(ModelError, match="could not connect after 2 attempts"):
        model.complete(CHAT)


def test_empty_reply_is_a_model_error(fake_chat, chat_model):
    fake_chat.push("   ")
    with pytest.raises(ModelError, match="empty reply"):
        chat_model.complete(CHAT)


def test_built_client_does_no_retries_of_its_own(fake_chat, sleeps):
    client = build_openai_client("sk-x", fake_chat.base_url, timeout=2)
    assert client.max_retries == 0
    model = ChatModel(client, "m", max_retries=0, sleep=sleeps.append)
    fake_chat.push(FakeOpenAIChat.server_error(), "unused")
    with pytest.raises(ModelError):
        model.complete(CHAT)
    assert len(fake_chat.chat_requests()) == 1
