"""Fill the English catalogue from a table of translations (development helper).

Usage: .venv/bin/python scripts/fill_translations.py TABLE.json
TABLE.json maps a Chinese msgid to its English text (or [singular, plural]). Entries found are
translated and lose their "fuzzy" flag; the script prints what is still untranslated or fuzzy.
"""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def main(table_path: str) -> int:
    table = json.loads(Path(table_path).read_text(encoding="utf-8"))
    po = polib.pofile(str(PO))
    for entry in po:
        if entry.msgid in table:
            entry.previous_msgid_plural = None
            value = table[entry.msgid]
            if entry.msgid_plural:
                singular, plural = value if isinstance(value, list) else (value, value)
                entry.msgstr_plural = {0: singular, 1: plural}
            else:
                entry.msgstr = value
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
    po.save(str(PO))
    left = [e.msgid for e in po if (not e.translated() or "fuzzy" in e.flags) and not e.obsolete]
    for msgid in left:
        print(msgid)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
