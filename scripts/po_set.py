"""Set Japanese translations for given msgids and drop fuzzy flags: python scripts/po_set.py 'msgid=訳' ...

A small aid for `make messages`: new strings get their translation without hand-editing the .po layout.
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "ja" / "LC_MESSAGES" / "django.po"


def main(pairs: list[str]) -> None:
    text = PO.read_text(encoding="utf-8")
    for pair in pairs:
        msgid, translation = pair.split("=", 1)
        pattern = re.compile(r'(msgid "' + re.escape(msgid) + r'"\nmsgstr ")[^"\n]*(")')
        text, count = pattern.subn(lambda m, t=translation: m.group(1) + t + m.group(2), text)
        if not count:
            sys.exit(f"not found: {msgid}")
    text = re.sub(r"#, fuzzy\n(#\| msgid .*\n)?", "", text)
    text = re.sub(r"#, fuzzy, ", "#, ", text)
    text = re.sub(r"#\| msgid .*\n", "", text)
    PO.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
