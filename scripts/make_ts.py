"""Refresh i18n/sitscube_fr.ts from the tr("...") strings in the plugin.

Strings are found with Python's ``ast`` module: every call to a function
named ``tr`` (``tr(...)``, ``self.tr(...)``, ``i18n.tr(...)``) whose first
argument is a constant string, including literals concatenated implicitly
across lines (help texts), in plugin/, processing_provider/ and algorithms/.
``tr(name)`` where ``name`` is the variable of a ``for`` loop over a literal
dict, list or tuple assigned in the same file (``for key, label in
LABELS.items(): tr(label)``) takes the literal's strings. Any other
non-constant ``tr()`` argument (an f-string, an expression) cannot be
translated and is reported on stderr.

Existing translations are kept; new strings take their French from
scripts/translations_fr.py, else are added as unfinished.
Usage: python scripts/make_ts.py   (then `make i18n` builds the .qm)
"""

import ast
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from translations_fr import FRENCH  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "i18n" / "sitscube_fr.ts"
CONTEXT = "SitsCube"
FOLDERS = ("plugin", "processing_provider", "algorithms")


def _is_tr_call(node) -> bool:
    if not isinstance(node, ast.Call) or not node.args:
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "tr") or (isinstance(func, ast.Attribute) and func.attr == "tr")


def strings_in_file(path: Path, problems=None):
    """The tr() source strings of one file, in source order."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    literals = _literal_assignments(tree)
    calls = sorted((n for n in ast.walk(tree) if _is_tr_call(n)), key=lambda n: (n.lineno, n.col_offset))
    found = []
    for call in calls:
        first = call.args[0]
        # "a" "b" is already one ast.Constant; "a" + "b" is folded here too.
        text = _constant_string(first)
        if text is not None:
            found.append(text)
            continue
        texts = _loop_variable_strings(first, call, parents, literals)
        if texts:
            found.extend(texts)
        elif problems is not None:
            problems.append(f"{path.relative_to(ROOT)}:{call.lineno}: tr() of a non-constant string")
    return found


def _literal_assignments(tree):
    """name -> literal dict/list/tuple/set node, for every `name = <literal>` in the file."""
    literals = {}
    for node in ast.walk(tree):
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        if isinstance(value, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
            for target in targets:
                if isinstance(target, ast.Name):
                    literals[target.id] = value
    return literals


def _loop_variable_strings(arg, call, parents, literals):
    """Strings a `for` loop variable takes when it iterates over a literal of this file."""
    if not isinstance(arg, ast.Name):
        return []
    node = call
    while node in parents:
        node = parents[node]
        if not isinstance(node, (ast.For, ast.comprehension)):
            continue
        target, iterator = node.target, node.iter
        names = [target] if isinstance(target, ast.Name) else list(getattr(target, "elts", []))
        position = next((i for i, n in enumerate(names) if isinstance(n, ast.Name) and n.id == arg.id), None)
        if position is None:
            continue
        method = None
        if isinstance(iterator, ast.Call) and isinstance(iterator.func, ast.Attribute) and not iterator.args:
            method, iterator = iterator.func.attr, iterator.func.value
        if isinstance(iterator, ast.Name):
            iterator = literals.get(iterator.id)
        if isinstance(iterator, ast.Dict):
            keys = [k for k in iterator.keys if k is not None]
            if method == "items" and len(names) == 2:
                pool = keys if position == 0 else iterator.values
            elif method == "values" and len(names) == 1:
                pool = iterator.values
            elif method in (None, "keys") and len(names) == 1:
                pool = keys
            else:
                return []
        elif isinstance(iterator, (ast.List, ast.Tuple, ast.Set)) and method is None and len(names) == 1:
            pool = iterator.elts
        else:
            return []
        texts = [_constant_string(item) for item in pool]
        return [t for t in texts if t is not None] if all(t is not None for t in texts) else []
    return []


def _constant_string(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _constant_string(node.left), _constant_string(node.right)
        if left is not None and right is not None:
            return left + right
    return None


def source_strings(problems=None):
    found = []
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).glob("*.py")):
            for text in strings_in_file(path, problems):
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
    problems = []
    strings = source_strings(problems)
    old = existing_translations()
    ts = ET.Element("TS", version="2.1", language="fr_FR")
    context = ET.SubElement(ts, "context")
    ET.SubElement(context, "name").text = CONTEXT
    unfinished = 0
    for text in strings:
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
        if translation.get("type") == "unfinished":
            unfinished += 1
    ET.indent(ts)
    TS.parent.mkdir(exist_ok=True)
    TS.write_bytes(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + ET.tostring(ts, encoding="utf-8"))
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    print(f"{TS}: {len(strings)} strings, {unfinished} unfinished")


if __name__ == "__main__":
    main()
