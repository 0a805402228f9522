"""Refresh i18n/sitscube_fr.ts from the tr("...") strings in the plugin.

Existing translations are kept; new strings take their French from
scripts/translations_fr.py, else are added as unfinished.
Usage: python scripts/make_ts.py   (then `make i18n` builds the .qm)
"""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from translations_fr import FRENCH

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "i18n" / "sitscube_fr.ts"
CONTEXT = "SitsCube"
PATTERN = re.compile(r'tr\(\s*"((?:[^"\\]|\\.)+)"\s*\)')


def source_strings():
    found = []
    for folder in ("plugin", "processing_provider", "algorithms"):
        for path in sorted((ROOT / folder).glob("*.py")):
            for text in PATTERN.findall(path.read_text(encoding="utf-8")):
                text = text.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")
                if text not in found:
                    found.append(text)
    return found


def existing_translations():
    if not TS.exists():
        return {}
    root = ET.parse(TS).getroot()
    return {
        m.findtext("source"): m.find("translation")
        for m in root.iter("message")
    }


def main():
    old = existing_translations()
    ts = ET.Element("TS", version="2.1", language="fr_FR")
    context = ET.SubElement(ts, "context")
    ET.SubElement(context, "name").text = CONTEXT
    for text in source_strings():
        message = ET.SubElement(context, "message")
        ET.SubElement(message, "source").text = text
        translation = ET.SubElement(message, "translation")
        previous = old.get(text)
        if previous is not None and previous.text:
            translation.text = previous.text
            if previous.get("type"):
                translation.set("type", previous.get("type"))
        elif text in FRENCH:
            translation.text = FRENCH[text]
        else:
            translation.set("type", "unfinished")
    ET.indent(ts)
    TS.parent.mkdir(exist_ok=True)
    TS.write_bytes(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + ET.tostring(ts, encoding="utf-8"))
    print(f"{TS}: {len(source_strings())} strings")


if __name__ == "__main__":
    main()
