"""Chinese is the default language: every msgid ships translated, none fuzzy
(read with GNU gettext's msgattrib, which compilemessages needs anyway)."""

import subprocess
from pathlib import Path

import pytest

PO = Path(__file__).resolve().parent.parent / "dudao/locale/zh_Hans/LC_MESSAGES/django.po"


def _matches(*flags) -> str:
    out = subprocess.run(["msgattrib", *flags, "--no-obsolete", str(PO)], capture_output=True, text=True, check=True)
    # msgattrib always prints the header entry first; anything after it is a match.
    entries = out.stdout.split("\n\n")
    return "\n\n".join(entries[1:]).strip()


@pytest.mark.parametrize("flag", ["--untranslated", "--only-fuzzy"])
def test_every_message_ships_a_settled_chinese_translation(flag):
    assert _matches(flag) == ""
