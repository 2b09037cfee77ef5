"""Mail that Japanese clients read: parsed back with Python's email package and compared character by character."""

import email
import email.policy

import pytest
from django.core import mail as django_mail

from notifications import mail

SUBJECT = "【dxshare】明日：松山市への訪問（窓口ＤＸ）"
BODY = "松山市 市民課 御中\n\n明日 10:00〜12:00 の訪問をお知らせします。\n全角ＡＢＣ、半角ｶﾅ、記号「～」ではなく〜。\n"
NAME = "愛媛 太郎"


def _parsed(message):
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def test_utf8_by_default_with_encoded_subject_and_name(settings):
    settings.EMAIL_CHARSET = "utf-8"
    message = mail.build(subject=SUBJECT, body=BODY, to_email="taro@city.example.jp", to_name=NAME)
    raw = message.message().as_bytes()
    assert b"=?utf-8?" in raw  # RFC 2047: no raw 8-bit bytes in the headers
    assert all(byte < 128 for byte in raw.split(b"\n\n", 1)[0])
    parsed = _parsed(message)
    assert parsed["Subject"] == SUBJECT
    assert parsed["To"].addresses[0].display_name == NAME
    assert parsed["To"].addresses[0].addr_spec == "taro@city.example.jp"
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_content() == BODY


def test_iso_2022_jp_when_configured(settings):
    settings.EMAIL_CHARSET = "iso-2022-jp"
    body = "松山市 市民課 御中\n\n明日 10:00〜12:00 の訪問をお知らせします。\n"
    message = mail.build(subject=SUBJECT, body=body, to_email="taro@city.example.jp", to_name=NAME)
    raw = message.message().as_bytes()
    assert all(byte < 128 for byte in raw)  # 7 bit all the way, as old mail systems expect
    assert b"=?iso-2022-jp?b?" in raw.lower()
    parsed = _parsed(message)
    assert parsed.get_content_charset() == "iso-2022-jp"
    assert parsed["Subject"] == SUBJECT
    assert parsed["To"].addresses[0].display_name == NAME
    assert parsed.get_content() == body


@pytest.mark.parametrize("outside", ["髙橋", "①", "～", "🙂", "𠮷野家"])
def test_a_character_outside_jis_x_0208_sends_that_message_in_utf8(settings, outside):
    settings.EMAIL_CHARSET = "iso-2022-jp"
    body = f"{outside} 様\n\n訪問のお知らせです。\n"
    message = mail.build(subject=f"{outside} 様へ", body=body, to_email="a@example.jp", to_name=f"{outside} 花子")
    parsed = _parsed(message)
    assert parsed.get_content_charset() == "utf-8"
    assert parsed.get_content() == body
    assert parsed["Subject"] == f"{outside} 様へ"
    assert parsed["To"].addresses[0].display_name == f"{outside} 花子"


def test_message_id_is_kept_and_names_with_commas_are_quoted(settings):
    settings.EMAIL_CHARSET = "utf-8"
    message = mail.build(
        subject="件名", body="本文\n", to_email="a@example.jp", to_name="山田, 太郎 (DX)", message_id="<n.1@dx.example>"
    )
    message.send()
    assert django_mail.outbox[0].to == ["a@example.jp"]  # the envelope: the bare address
    parsed = _parsed(django_mail.outbox[0])
    assert parsed["Message-ID"] == "<n.1@dx.example>"
    assert [a.display_name for a in parsed["To"].addresses] == ["山田, 太郎 (DX)"]
