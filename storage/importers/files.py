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
  wildcards, and searches the directories it matches like a directory;
* a missing path, a glob matching nothing importable and a directory without
  importable files are each reported.

The result is sorted and de-duplicated (two spellings of one file count once).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from storage.importers.html_format import read_html
from storage.importers.jsonl_format import read_jsonl
from storage.importers.parsed import ImportFileError, ParsedArticle
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
        if _GLOB_CHARS & set(expanded):
            paths = _expand_glob(expanded)
            if not paths:
                errors.append(ImportFileError(pattern, "no importable files match this pattern"))
        else:
            paths, error = _expand_one(Path(expanded))
            if error is not None:
                errors.append(error)
        for path in paths:
            found.setdefault(_identity(path), path)
    return sorted(found.values(), key=str), errors


def _expand_one(path: Path) -> tuple[list[Path], ImportFileError | None]:
    """A named file or directory."""
    if path.is_dir():
        files = _walk(path)
        return files, None if files else ImportFileError(path, "no importable files in directory")
    if path.is_file():
        if path.suffix.lower() not in READERS:
            return [], _unsupported(path)
        return [path], None
    if path.exists():
        return [], ImportFileError(path, "not a regular file")
    return [], ImportFileError(path, "no such file or directory")


def _expand_glob(pattern: str) -> list[Path]:
    """Supported files matched by a glob; matched directories are walked.

    Boilerplate is skipped unless the pattern spells the file name out
    (``*/README.md`` means it; ``data/*.md`` does not mean ``SOURCES.md``).
    """
    named = not (_GLOB_CHARS & set(os.path.basename(pattern)))
    paths: list[Path] = []
    for match in sorted(glob.glob(pattern, recursive=True)):
        path = Path(match)
        if path.is_dir():
            paths.extend(_walk(path))
        elif path.is_file() and path.suffix.lower() in READERS:
            if named or not _is_boilerplate(path.name):
                paths.append(path)
    return paths


def _walk(directory: Path) -> list[Path]:
    """Supported, non-hidden, non-boilerplate files under ``directory``."""
    files: list[Path] = []
    for root, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or _is_boilerplate(name):
                continue
            if os.path.splitext(name)[1].lower() in READERS:
                files.append(Path(root, name))
    return files


def _is_boilerplate(name: str) -> bool:
    """Files shipped beside articles that are not articles (licences, READMEs)."""
    lowered = name.lower()
    return lowered in _BOILERPLATE_NAMES or lowered.startswith(_BOILERPLATE_PREFIXES)


def _identity(path: Path) -> Path:
    """One key per file, however it was spelled."""
    try:
        return path.resolve()
    except OSError:
        return path.absolute()


def _unsupported(path: Path) -> ImportFileError:
    suffix = path.suffix or "(none)"
    supported = " ".join(SUPPORTED_SUFFIXES)
    return ImportFileError(path, f"unsupported file type {suffix} (supported: {supported})")
