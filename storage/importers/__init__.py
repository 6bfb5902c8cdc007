"""File importers: turn files on disk (txt, md, html, jsonl) into parsed articles.

Typical use, as ``redline import`` does it::

    paths, errors = expand_paths(["articles/", "extra/*.html"])
    for path in paths:
        for item in read_articles(path):
            if isinstance(item, ImportFileError):
                errors.append(item)      # reported by name, the rest goes on
            else:
                store(item)              # a ParsedArticle; text already normalised

Nothing here touches the database; identity (sha256) and de-duplication are the
repository's business. What exactly ``ParsedArticle.text`` is for each format is
documented in the reader modules (it is what span offsets index).
"""

from __future__ import annotations

from storage.importers.files import READERS, SUPPORTED_SUFFIXES, expand_paths, read_articles
from storage.importers.parsed import MAX_FILE_BYTES, ImportFileError, ParsedArticle

__all__ = [
    "MAX_FILE_BYTES",
    "READERS",
    "SUPPORTED_SUFFIXES",
    "ImportFileError",
    "ParsedArticle",
    "expand_paths",
    "read_articles",
]
