"""Outputs written atomically, with the permissions other tools give them.

Every output is written to a temporary name in its destination folder and
renamed onto the destination when complete (a failed, canceled or killed run
never leaves a partial file there). ``tempfile.mkstemp`` creates that
temporary with mode 0600 and ``mkdtemp`` with 0700, whatever the umask: left
as they are, cubes, GeoTIFFs and models would be unreadable by colleagues and
by QGIS Server. ``publish`` gives the temporary the mode a plain ``open()``
(0666) or ``mkdir`` (0777) would have under the process umask, then renames.

The umask is read from ``/proc/self/status`` (Linux), which does not change
it; elsewhere ``os.umask`` is set and restored under a lock, to 077 meanwhile,
so a file another thread creates in that instant is at worst more private.
It is read at each call, not once at import: a umask set later (a server
configuration, a test) is honoured.

Temporary names are ``.sitscube-<pid>-…`` in the destination folder. A run
killed with SIGKILL cannot remove its own; ``clean_stale`` (called before a
cube is written) removes those of processes that no longer exist on this
machine, once they have not been modified for ``STALE_SECONDS``.
"""

import contextlib
import os
import re
import shutil
import tempfile
import threading
import time

PREFIX = ".sitscube-"
STALE_SECONDS = 3600.0  # a temporary untouched this long, of a dead process, is removed
_LOCK = threading.Lock()
_OWNED = re.compile(r"^\.sitscube-(\d+)-")


def current_umask() -> int:
    """The process umask."""
    try:
        with open("/proc/self/status", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _LOCK:
        mask = os.umask(0o077)
        os.umask(mask)
    return mask


def make_readable(path: str) -> str:
    """Give ``path`` the mode a new file (0666) or folder (0777) gets under the umask; return path."""
    mode = (0o777 if os.path.isdir(path) else 0o666) & ~current_umask()
    os.chmod(path, mode)
    return path


def publish(temporary: str, path: str) -> str:
    """Make the complete ``temporary`` readable as the umask says, and rename it onto ``path``."""
    make_readable(temporary)
    os.replace(temporary, path)
    return path


@contextlib.contextmanager
def output_file(path: str, suffix: str = "", mode: str = "w", **open_arguments):
    """An open temporary file next to ``path``; published onto ``path`` when the block ends, removed if it fails."""
    path = os.path.abspath(path)
    directory = os.path.dirname(path)
    os.makedirs(directory, exist_ok=True)
    temporary = temporary_file(directory, suffix)
    try:
        with open(temporary, mode, **open_arguments) as stream:
            yield stream
        publish(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def temporary_prefix() -> str:
    return f"{PREFIX}{os.getpid()}-"


def temporary_file(directory: str, suffix: str = "") -> str:
    """A new empty temporary file in ``directory`` (closed), named after this process."""
    handle, temporary = tempfile.mkstemp(prefix=temporary_prefix(), suffix=suffix, dir=directory)
    os.close(handle)
    return temporary


def temporary_name(directory: str, suffix: str = "") -> str:
    """A free temporary name in ``directory`` (nothing created), for writers that make a folder."""
    folder = tempfile.mkdtemp(prefix=temporary_prefix(), dir=directory)
    os.rmdir(folder)
    return folder + suffix


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    except OSError:
        return True
    return True


def clean_stale(directory: str, now: float = None) -> list:
    """Remove our temporaries in ``directory`` left by dead processes; the paths removed."""
    now = time.time() if now is None else now
    removed = []
    try:
        names = os.listdir(directory)
    except OSError:
        return removed
    for name in names:
        match = _OWNED.match(name)
        if not match or int(match.group(1)) == os.getpid() or _alive(int(match.group(1))):
            continue
        path = os.path.join(directory, name)
        try:
            if now - os.lstat(path).st_mtime < STALE_SECONDS:
                continue  # perhaps another machine's writer on a shared folder: still busy
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path)
            else:
                os.remove(path)
            removed.append(path)
        except OSError:
            continue
    return removed
