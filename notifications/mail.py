"""E-mails that Japanese mail clients read: names and subjects encoded per RFC 2047, bodies in UTF-8, or, when
EMAIL_CHARSET is "iso-2022-jp" (older systems in local government still expect it), in ISO-2022-JP.

ISO-2022-JP holds only JIS X 0208: a message with a character outside it (髙, ①, a full-width tilde, emoji) would be
garbled or refused, so that one message goes out in UTF-8 instead, whole.
"""

from email.header import Header
from email.message import Message

from django.conf import settings
from django.core.mail import EmailMessage

UTF8 = "utf-8"
ISO_2022_JP = "iso-2022-jp"


def fits(charset: str, *texts: str) -> bool:
    try:
        for text in texts:
            text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def charset_for(*texts: str) -> str:
    """The charset this message goes out in: the configured one if every text fits it, else UTF-8."""
    wanted = (getattr(settings, "EMAIL_CHARSET", UTF8) or UTF8).lower()
    if wanted != UTF8 and fits(wanted, *texts):
        return wanted
    return UTF8


class _JapaneseMessage(EmailMessage):
    """Django folds a long encoded subject onto a line of its own ("Subject:" and a continuation line), which
    unfolds to a subject that begins with a space; written as a Header that knows its name, the first encoded word
    stays on the Subject line."""

    def message(self, *args, **kwargs):
        msg = super().message(*args, **kwargs)
        if not fits("ascii", self.subject):
            del msg["Subject"]
            Message.__setitem__(msg, "Subject", Header(self.subject, self.encoding, header_name="Subject"))
        return msg


def build(*, subject: str, body: str, to_email: str, to_name: str = "", message_id: str = "") -> EmailMessage:
    """One plain-text e-mail. `message_id` (e.g. "<notification.42@example.jp>") stays the same if a message is
    ever sent twice, so that mail systems and clients that deduplicate by Message-ID show it once."""
    from_email = settings.DEFAULT_FROM_EMAIL
    charset = charset_for(subject, body, to_name, from_email)
    # The envelope goes to the bare address; the To header carries the name too, which Django encodes in the
    # message's charset (RFC 2047) when it sends. Quoted, a name may hold commas or brackets.
    headers = {"Message-ID": message_id} if message_id else {}
    if to_name:
        quoted = to_name.replace("\\", "\\\\").replace('"', '\\"')
        headers["To"] = f'"{quoted}" <{to_email}>'
    message = _JapaneseMessage(subject=subject, body=body, from_email=from_email, to=[to_email], headers=headers)
    message.encoding = charset
    return message
