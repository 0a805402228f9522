#!/usr/bin/env bash
# Build the installable plugin zip: dist/sitscube-<version>.zip
#  - one top folder `sitscube/` (the folder name QGIS installs the plugin as)
#  - the files git tracks (untracked junk never ships) minus tests and dev
#    files, plus the compiled translations (i18n/*.qm, built here by lrelease)
#  - deterministic: sorted entries, fixed permissions, and every timestamp set
#    to SOURCE_DATE_EPOCH (default: the last commit's time, so that an upgrade
#    still gets newer mtimes and Python does not reuse stale .pyc files)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VERSION=$(sed -n 's/^version=[[:space:]]*//p' metadata.txt | tr -d '[:space:]')
if [ -z "$VERSION" ]; then
  echo "scripts/package.sh: no version= in metadata.txt" >&2
  exit 1
fi
command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1 || {
  echo "scripts/package.sh: needs a git checkout (the file list is 'git ls-files')" >&2
  exit 1
}
make --no-print-directory i18n >/dev/null

# Dev-only paths. Any hidden path (.ci, .git*, .qgis-settings, .venv*) is left
# out as well: nothing a plugin needs at run time starts with a dot.
EXCLUDE='^(\.|.*/\.)|(^|/)(__pycache__)/|\.pyc$|^(build|dist|demo-output|bench|bench-output|tests|scripts|test-artifacts)/|^(Makefile|pytest\.ini|requirements-(dev|stac|bench)\.txt)$'

export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 315532800)}"
OUT="dist/sitscube-$VERSION.zip"
mkdir -p dist

LIST=$(mktemp)
trap 'rm -f "$LIST"' EXIT
{
  git ls-files -z | tr '\0' '\n' | grep -Ev "$EXCLUDE" || true
  ls i18n/*.qm
} > "$LIST"
# Untracked files are not shipped; say so when one looks like part of the
# plugin (e.g. a new module not yet `git add`ed), since the zip would break.
UNTRACKED=$(git ls-files --others --exclude-standard | grep -Ev "$EXCLUDE" || true)
if [ -n "$UNTRACKED" ]; then
  echo "scripts/package.sh: warning: untracked files are not packaged (git add them to ship them):" >&2
  echo "$UNTRACKED" | sed 's/^/  /' >&2
fi
/usr/bin/python3 - "$OUT" "$LIST" <<'PY'
import os
import sys
import time
import zipfile

out = sys.argv[1]
# zip stores local "DOS" times from 1980 on; gmtime keeps it independent of the TZ
stamp = time.gmtime(max(int(os.environ["SOURCE_DATE_EPOCH"]), 315532800))[:6]
# a tracked file deleted in the working tree is skipped, not an error
with open(sys.argv[2]) as listing:
    files = sorted({p for p in listing.read().splitlines() if p and os.path.isfile(p)})


def all_parents(paths):
    result = set()
    for path in paths:
        parent = os.path.dirname(path)
        while parent:
            result.add(parent)
            parent = os.path.dirname(parent)
    return sorted(result)


temporary = out + ".tmp"
with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
    for name in ["sitscube/"] + [f"sitscube/{d}/" for d in all_parents(files)]:
        info = zipfile.ZipInfo(name, stamp)
        info.external_attr = (0o40755 << 16) | 0x10  # directory, rwxr-xr-x
        archive.writestr(info, b"")
    for path in files:
        info = zipfile.ZipInfo(f"sitscube/{path}", stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
        with open(path, "rb") as stream:
            archive.writestr(info, stream.read())
os.replace(temporary, out)  # never leave a half-written zip under the final name
print(f"{out}: {len(files)} files")
PY
