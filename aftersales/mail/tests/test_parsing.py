"""Reading e-mails without a server: charsets, threading headers, machines, languages."""

from __future__ import annotations

import base64

import pytest

from aftersales.mail.parsing import decode_words, guess_language, html_to_text, parse_mail
from aftersales.mail.tests.factories import raw_mail


def test_a_gb2312_encoded_word_with_gbk_characters_is_decoded():
    word = "=?gb2312?B?" + base64.b64encode("朱镕基路".encode("gbk")).decode() + "?="
    assert decode_words(word) == "朱镕基路"


def test_a_gb18030_body_is_decoded():
    raw = (b"From: a@b.invalid\r\nSubject: x\r\nContent-Type: text/plain; charset=GB18030\r\n\r\n"
           + "设备𠀀故障".encode("gb18030"))
    assert parse_mail(raw).text == "设备𠀀故障"


def test_an_unknown_charset_does_not_fail_the_message():
    raw = b"From: a@b.invalid\r\nSubject: x\r\nContent-Type: text/plain; charset=x-nonsense\r\n\r\nhello"
    assert parse_mail(raw).text == "hello"


def test_threading_ids_put_in_reply_to_first_then_the_nearest_reference():
    parsed = parse_mail(raw_mail(headers={"In-Reply-To": "<c@x>", "References": "<a@x> <b@x> <c@x>"}))
    assert parsed.thread_ids == ["<c@x>", "<b@x>", "<a@x>"]


def test_the_case_number_is_read_from_the_subject():
    assert parse_mail(raw_mail(subject="Re: [AS261124-000042] 已受理")).case_number == "AS261124-000042"
    assert parse_mail(raw_mail(subject="Re: 订单 AS12-1")).case_number is None


@pytest.mark.parametrize(("headers", "expected"), [
    ({"Auto-Submitted": "no"}, ""),
    ({"Auto-Submitted": "auto-generated"}, "auto-submitted"),
    ({"Precedence": "junk"}, "precedence-junk"),
    ({"Precedence": "list"}, "precedence-list"),
    ({"Precedence": "auto_reply"}, "precedence-auto_reply"),
    ({"X-Autorespond": "1"}, "x-autorespond"),
    ({"List-Id": "<ops.acme.invalid>"}, "list"),
])
def test_machine_sent_mail_is_recognised(headers, expected):
    assert parse_mail(raw_mail(headers=headers)).automatic_reason == expected


def test_html_to_text_drops_scripts_and_keeps_lines():
    assert html_to_text("<div>一</div><script>x()</script><p>二&amp;三</p>") == "一\n二&三"


@pytest.mark.parametrize(("text", "declared", "expected"), [
    ("设备故障", "", "zh-hans"), ("Reader is down", "", "en"), ("12345", "", "en"), ("Reader", "zh-CN", "zh-hans"),
])
def test_the_language_follows_the_header_then_the_script(text, declared, expected):
    assert guess_language(text, declared, "en" if text == "12345" else "zh-hans") == expected
