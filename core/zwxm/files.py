"""Files the program writes, and what a failed read or write says.

Every output (an export, a backup, the rejects of an import) is written to a temporary file beside
the target and renamed over it at the end: a failure (a full disk, a kill) leaves nothing
half-written, and the rename replaces a name, so a symbolic link planted at the target is never
followed. A target that is a symbolic link, or is one of the run's inputs, is refused before any work.

Paths given on the command line are read as given, as every command-line program does. Confining
paths to one folder belongs to a session served to a browser, where the paths are the server's:
`confine` is that check.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from .model import InputError, Problem

_UMASK = os.umask(0o022)
os.umask(_UMASK)

# errno -> (Chinese, English): what went wrong with a file, without the C library's wording.
_REASONS = {
    errno.ENOSPC: ("磁盘已满", "the disk is full"),
    errno.EFBIG: ("文件超过允许的大小（磁盘配额或文件大小限制）", "file too large (disk quota or file size limit)"),
    errno.EDQUOT: ("超出磁盘配额", "disk quota exceeded"),
    errno.EACCES: ("没有权限", "permission denied"),
    errno.EPERM: ("不允许的操作", "operation not permitted"),
    errno.EROFS: ("文件系统只读", "read-only file system"),
    errno.ENOENT: ("文件或文件夹不存在", "no such file or folder"),
    errno.EISDIR: ("这是一个文件夹", "is a folder"),
    errno.ENOTDIR: ("路径中有一段不是文件夹", "a part of the path is not a folder"),
    errno.EEXIST: ("已存在，不会覆盖", "exists, not overwriting"),
    errno.ELOOP: ("符号链接，不会跟随写入", "a symbolic link, not followed when writing"),
}


def file_problem(exc: OSError, field: str = "file", path: object = None) -> Problem:
    """One Problem naming the file and saying, in Chinese and English, what went wrong."""
    reason = exc.strerror or str(exc)
    zh, en = _REASONS.get(exc.errno, (reason, reason)) if exc.errno is not None else (reason, reason)
    where = path if path is not None else (exc.filename if exc.filename is not None else "")
    return Problem(field, str(where), zh, en)


def check_output(path: str | Path, inputs: Iterable[str | Path | None] = (), field: str = "file") -> Path:
    """`path` as a target to write: refused (InputError naming `field`) when it is a symbolic link,
    a folder, or the same file as one of `inputs`."""
    path = Path(path)
    if path.is_symlink():
        raise InputError([Problem(field, str(path), "目标是符号链接，不会跟随写入：请给出普通文件名",
                                  "the target is a symbolic link, never followed when writing: name a plain file")])
    if path.is_dir():
        raise InputError([Problem(field, str(path), "目标是一个文件夹", "the target is a folder")])
    for source in inputs:
        if source is not None and _same_file(path, Path(source)):
            raise InputError([Problem(field, str(path), f"目标就是输入文件 {source}，不会覆盖输入",
                                      f"the target is the input {source}, never written over")])
    return path


def _same_file(a: Path, b: Path) -> bool:
    with contextlib.suppress(OSError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


@contextlib.contextmanager
def written(path: str | Path, inputs: Iterable[str | Path | None] = (), field: str = "file",
            replace: bool = True) -> Iterator[Path]:
    """A temporary path to write in place of `path`; on success it is renamed to `path` (see the
    module docstring). `replace=False` refuses an existing target (a backup never overwrites)."""
    path = check_output(path, inputs, field)
    if not replace and os.path.lexists(path):
        raise FileExistsError(errno.EEXIST, "已存在，不会覆盖 / exists, not overwriting", str(path))
    folder = next((p for p in (path.parent, *path.parent.parents) if os.path.lexists(p)), None)
    if folder is not None and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
    os.close(descriptor)
    try:
        os.chmod(temporary, 0o666 & ~_UMASK)  # as the file would be if written directly, not mkstemp's 0600
        try:
            yield Path(temporary)
        except OSError as exc:  # a full disk while writing: name the target, not the temporary file
            if exc.filename in (None, temporary):
                raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
            raise
        if not replace:  # link(2) fails if the name was taken meanwhile, where rename would replace it
            os.link(temporary, path)
        else:
            check_output(path, (), field)  # a link planted while we wrote is refused, not replaced silently
            os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def confine(path: str | Path, root: str | Path, field: str = "file") -> Path:
    """`path` (relative paths taken from `root`, symbolic links followed) if it lies inside `root`,
    else InputError naming `field`. For a browser-served session, where paths are the server's."""
    base = Path(root).resolve()
    resolved = (base / Path(path).expanduser()).resolve()
    if not resolved.is_relative_to(base):
        raise InputError([Problem(field, str(path), f"路径在允许的文件夹 {base} 之外",
                                  f"the path is outside the allowed folder {base}")])
    return resolved
