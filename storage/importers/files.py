"""From what the user typed (files, directories, globs) to articles.

``expand_paths`` decides *which* files an import reads; ``read_articles``
decides *how*, by suffix. Both report problems as :class:`ImportFileError`
values rather than raising, so ``redline import a.txt broken.bin dir/`` imports
what it can and lists the rest, one line each.

Path rules:

* an explicitly named file is imported whatever its name (``README.md`` too),
  but its suffix must be one of :data:`SUPPORTED_SUFFIXES`;
* a directory is searched recursively for supported suffixes, skipping hidden
  files and directories and project boilerplate (``README.md``,
  ``SOURCES.md``, ``LICENSE*``, ``CHANGELOG*``) that sits beside articles;
* a glob (``data/**/*.txt``; ``**`` recurses) keeps the supported files it
  matches, minus boilerplate unless its last part names the file without
  wildcards, and searches the directories it matches like a directory (a
  path that exists is taken as it is, even with ``[`` or ``*`` in its name);
* a missing path, a glob matching nothing importable and a directory without
  importable files are each reported;
* symbolic links are followed, but never round a loop: a walk (and ``**``)
  enters each real directory once, so a link back to an ancestor costs
  nothing; a link that loops on itself or dangles is reported as such;
* only regular files are ever opened: a FIFO, socket or device with an
  importable name is reported "not a regular file" (opening a FIFO blocks);
* a directory that cannot be listed is reported by name and the walk goes on.

The result is sorted and de-duplicated (two spellings of one file count once).
"""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from storage.importers.html_format import read_html
from storage.importers.jsonl_format import read_jsonl
from storage.importers.parsed import ImportFileError, ParsedArticle, os_reason
from storage.importers.text_formats import read_markdown, read_txt

Reader = Callable[[Path], Iterator[ParsedArticle | ImportFileError]]

READERS: dict[str, Reader] = {
    ".txt": read_txt,
    ".md": read_markdown,
    ".markdown": read_markdown,
    ".html": read_html,
    ".htm": read_html,
    ".jsonl": read_jsonl,
}
"""Suffix → reader. Importers of other formats register here to join dispatch."""

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(READERS)
_BOILERPLATE_NAMES = {"readme.md", "sources.md"}
_BOILERPLATE_PREFIXES = ("license", "licence", "changelog", "copying")
_GLOB_CHARS = frozenset("*?[")


def read_articles(path: Path) -> Iterator[ParsedArticle | ImportFileError]:
    """Every article in ``path``, interleaved with the reasons any part failed.

    Never raises :class:`ImportFileError`: a file-level failure (empty, binary,
    invalid UTF-8, no article body…) is yielded once and ends the file; a JSONL
    file yields one error per bad line and still yields its good lines.
    """
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        yield _unsupported(path)
        return
    try:
        yield from reader(path)
    except ImportFileError as error:
        yield error


def expand_paths(patterns: Sequence[str]) -> tuple[list[Path], list[ImportFileError]]:
    """Resolve command-line arguments to the files to import, and the problems found."""
    found: dict[Path, Path] = {}
    errors: list[ImportFileError] = []
    for pattern in patterns:
        expanded = os.path.expanduser(pattern)
        if _GLOB_CHARS & set(expanded) and not os.path.lexists(expanded):
            paths, problems = _expand_glob(expanded)
            errors.extend(problems)
            if not paths and not problems:
                errors.append(ImportFileError(pattern, "no importable files match this pattern"))
        else:
            paths, problems = _expand_one(Path(expanded))
            errors.extend(problems)
        for path in paths:
            found.setdefault(_identity(path), path)
    reported: dict[tuple[Path, str], ImportFileError] = {}
    for error in errors:  # one file reached two ways (a link to its directory) is one problem
        reported.setdefault((_identity(error.path), error.reason), error)
    return sorted(found.values(), key=str), list(reported.values())


def _expand_one(path: Path) -> tuple[list[Path], list[ImportFileError]]:
    """A named file or directory."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        return [], [_stat_error(path, error)]
    if stat.S_ISDIR(mode):
        files, errors = _walk(path)
        if not files and not errors:
            errors.append(ImportFileError(path, "no importable files in directory"))
        return files, errors
    if not stat.S_ISREG(mode):
        return [], [ImportFileError(path, "not a regular file")]
    if path.suffix.lower() not in READERS:
        return [], [_unsupported(path)]
    return [path], []


def _stat_error(path: Path, error: OSError) -> ImportFileError:
    """Why ``os.stat`` failed, said precisely (a dangling link is not a missing file)."""
    if isinstance(error, FileNotFoundError) and os.path.islink(path):
        return ImportFileError(path, "broken symbolic link (its target does not exist)")
    if isinstance(error, FileNotFoundError):
        return ImportFileError(path, "no such file or directory")
    return ImportFileError(path, os_reason(error))


def _expand_glob(pattern: str) -> tuple[list[Path], list[ImportFileError]]:
    """Supported files matched by a glob; matched directories are walked.

    Boilerplate is skipped unless the pattern spells the file name out
    (``*/README.md`` means it; ``data/*.md`` does not mean ``SOURCES.md``).
    """
    named = not (_GLOB_CHARS & set(os.path.basename(pattern)))
    paths: list[Path] = []
    errors: list[ImportFileError] = []
    for match in sorted(_glob(pattern), key=str):
        try:
            mode = os.stat(match).st_mode
        except OSError as error:
            if match.suffix.lower() in READERS:
                errors.append(_stat_error(match, error))
            continue
        if stat.S_ISDIR(mode):
            files, problems = _walk(match)
            paths.extend(files)
            errors.extend(problems)
        elif match.suffix.lower() in READERS and (named or not _is_boilerplate(match.name)):
            if stat.S_ISREG(mode):
                paths.append(match)
            else:
                errors.append(ImportFileError(match, "not a regular file"))
    return paths, errors


def _glob(pattern: str) -> list[Path]:
    """What ``glob.glob(pattern, recursive=True)`` matches, without its symlink loops.

    The standard ``**`` follows symbolic links to directories with no memory of
    where it has been, so a link back to an ancestor makes it run (and grow)
    for as long as paths stay short enough to open. Here ``**`` descends into
    each real directory once per walk and never into an ancestor of itself.
    Hidden names match only a part that starts with ``.``, as in ``glob``.
    """
    anchor, *parts = _split(pattern)
    current = [Path(anchor)]
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        following: list[Path] = []
        for base in current:
            if part == "**":
                following.extend(_descendant_dirs(base))
                if last:
                    following.extend(_children(base, "*", files_too=True))
            elif _GLOB_CHARS & set(part):
                following.extend(_children(base, part, files_too=last))
            elif os.path.lexists(base / part):
                following.append(base / part)
        current = list(dict.fromkeys(following))
    return [path for path in current if str(path) not in ("", ".")]


def _split(pattern: str) -> list[str]:
    """``"/a/b/*.txt"`` → ``["/", "a", "b", "*.txt"]``; a relative pattern starts at ``""``."""
    drive, rest = os.path.splitdrive(pattern)
    parts = [part for part in rest.replace(os.sep, "/").split("/") if part not in ("", ".")]
    anchor = drive + os.sep if rest.startswith(os.sep) else drive
    return [anchor, *parts]


def _children(base: Path, part: str, *, files_too: bool) -> list[Path]:
    """Entries of ``base`` whose name matches ``part`` (directories only, unless ``files_too``)."""
    try:
        with os.scandir(base or ".") as entries:
            found = list(entries)
    except OSError:
        return []
    names = fnmatch.filter([entry.name for entry in found], part)
    if not part.startswith("."):
        names = [name for name in names if not name.startswith(".")]
    chosen = set(names)
    result: list[Path] = []
    for entry in found:
        if entry.name in chosen:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if files_too or is_dir:
                result.append(base / entry.name)
    return result


def _descendant_dirs(base: Path) -> Iterator[Path]:
    """``base`` and every directory below it, each real directory once, hidden ones skipped."""
    seen: set[tuple[int, int]] = set()
    stack = [base]
    while stack:
        directory = stack.pop()
        try:
            info = os.stat(directory or ".")
        except OSError:
            continue
        if (info.st_dev, info.st_ino) in seen:
            continue  # a symlink back to a directory walked already (or an ancestor)
        seen.add((info.st_dev, info.st_ino))
        yield directory
        stack.extend(reversed(_children(directory, "*", files_too=False)))


def iter_tree(directory: Path, wanted: Callable[[str], bool]) -> Iterator[Path | ImportFileError]:
    """Regular files under ``directory`` whose name is ``wanted``, and why others could not be.

    Hidden files and directories are skipped. Symbolic links to directories
    are followed unless they lead back to a directory walked already (a loop,
    or a second way to the same files); a wanted name that is not a regular
    file (a FIFO, a socket, a dangling or looping link) and a directory that
    cannot be listed are reported, one error each, and the walk goes on.
    """
    seen: set[tuple[int, int]] = set()
    stack = [directory]
    while stack:
        current = stack.pop()
        try:
            info = os.stat(current)
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            with os.scandir(current) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError as error:
            yield ImportFileError(current, f"cannot read directory: {os_reason(error)}")
            continue
        subdirectories: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(current, entry.name)
            try:
                mode = os.stat(path).st_mode
            except OSError as error:
                if wanted(entry.name):
                    yield _stat_error(path, error)
                continue
            if stat.S_ISDIR(mode):
                subdirectories.append(path)
            elif wanted(entry.name):
                yield path if stat.S_ISREG(mode) else ImportFileError(path, "not a regular file")
        stack.extend(reversed(subdirectories))


def _walk(directory: Path) -> tuple[list[Path], list[ImportFileError]]:
    """Supported, non-hidden, non-boilerplate files under ``directory``, and the problems."""
    files: list[Path] = []
    errors: list[ImportFileError] = []
    for item in iter_tree(directory, _importable_name):
        (files if isinstance(item, Path) else errors).append(item)  # type: ignore[arg-type]
    return files, errors


def _importable_name(name: str) -> bool:
    return not _is_boilerplate(name) and os.path.splitext(name)[1].lower() in READERS


def _is_boilerplate(name: str) -> bool:
    """Files shipped beside articles that are not articles (licences, READMEs)."""
    lowered = name.lower()
    return lowered in _BOILERPLATE_NAMES or lowered.startswith(_BOILERPLATE_PREFIXES)


def _identity(path: Path) -> Path:
    """One key per file, however it was spelled (``Path.resolve`` raises on a symlink loop)."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return path.absolute()


def _unsupported(path: Path) -> ImportFileError:
    suffix = path.suffix or "(none)"
    supported = " ".join(SUPPORTED_SUFFIXES)
    return ImportFileError(path, f"unsupported file type {suffix} (supported: {supported})")
