"""Teams secrets never show up in logs: the client secret, our tokens, Teams' tokens to us."""

from __future__ import annotations

import logging

from deskbot.core.logs import RedactingFilter
from tests.bot.teams.teamsreq import APP_ID, SECRET, wait_until


def test_no_secret_or_token_in_any_log_record(make_bot, connector, bf_login, caplog, monkeypatch):
    monkeypatch.setattr(caplog.handler, "filters", [])  # raw records, no redaction
    with caplog.at_level(logging.DEBUG):
        bot = make_bot()
        question = bot.activities.personal("How do I connect to the VPN from home?")
        token = bf_login.token(APP_ID, question["serviceUrl"])
        assert bot.sender.post(question, token=token).status_code == 202
        wait_until(lambda: connector.messages(), what="the answer")
        bot.sender.post(bot.activities.personal("x"), aud="someone-else")  # a refused request
        bot.server.stop(grace=2)
    assert not any(isinstance(f, RedactingFilter) for f in caplog.handler.filters)
    assert "Teams request refused (401)" in caplog.text  # the records were captured
    for secret in (SECRET, token, "outgoing-token-1", token.split(".")[2]):
        assert secret not in caplog.text
