import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_is_documented():
    settings_source = (ROOT / "dxshare" / "settings.py").read_text(encoding="utf-8")
    used = set(re.findall(r'env\.(?:str|bool|int|list|path|db|email_url)\("([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^#? ?([A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), re.M))
    assert used, "no variables found: the pattern no longer matches settings.py"
    assert used <= documented, f"undocumented: {sorted(used - documented)}"
