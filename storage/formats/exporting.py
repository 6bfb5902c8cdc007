"""Export a labelled dataset: ``export(db, "spacy", "train.spacy", annotator="ana")``.

The choice of records (article status, annotator, layers, suggestions) is made
once in :mod:`storage.formats.writing.records`; the format's writer turns records into
files. Output goes to a staging file (or directory, for brat) beside the
target and is renamed into place only when the export succeeded, so an
interrupted or ``strict``-failed export never leaves a half-written file where
a good one was (:mod:`storage.formats.writing.staging`: the swap, the cleanup of
what a killed export left, and the one-line "cannot write PATH: reason").
``out="-"`` streams single-file text formats to stdout.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import IO, Any

from storage.db import Database
from storage.formats.registry import FORMATS, FormatSpec, export_formats
from storage.formats.split import partition
from storage.formats.writing.base import Options, Sidecar
from storage.formats.writing.records import EXPORT_LAYERS, Selection, load_records, plan
from storage.formats.writing.report import ExportError, ExportReport
from storage.formats.writing.staging import (
    Staging,
    clean_stale,
    make_durable,
    sigint_deferred,
    sync_directory,
    writes_to,
)

Progress = Callable[[int, int], None]
"""Called with (records done, records in total) as the export goes."""

BRAT_FILES = frozenset({".txt", ".ann", ".json", ".conf"})


class StrictExportError(ExportError):
    """``strict=True`` and some span could not be carried; nothing was written."""

    def __init__(self, message: str, report: ExportReport) -> None:
        super().__init__(message)
        self.report = report


def topic_keys(schema: object | None) -> tuple[str, ...]:
    """The topic taxonomy for ``doc.cats`` and Prodigy options (built-in schema by default)."""
    if schema is None:
        try:
            from storage.schema import builtin_schema
        except ImportError:  # pragma: no cover - the schema module ships with storage
            return ()
        schema = builtin_schema()
    layer = getattr(schema, "layer", None)
    return tuple(label.key for label in layer("topic")) if layer else ()


def span_labels(schema: object | None) -> tuple[str, ...]:
    """The entity and figure labels of ``schema`` (built-in by default)."""
    if schema is None:
        from storage.schema import builtin_schema

        schema = builtin_schema()
    layer = getattr(schema, "layer", None)
    if layer is None:
        return ()
    return tuple(label.key for name in ("entity", "figure") for label in layer(name))


def export(
    db: Database,
    fmt: str,
    out: str | Path,
    *,
    annotator: str,
    status: str = "done",
    layers: Iterable[str] = EXPORT_LAYERS,
    include_suggested: bool = False,
    strict: bool = False,
    progress: Progress | None = None,
    schema: object | None = None,
    stdout: IO[str] | None = None,
    config: str | Path | None = None,
    split: dict[str, float] | None = None,
    seed: int = 0,
    ents_include: Iterable[str] = (),
    articles: Collection[int] | None = None,
) -> ExportReport:
    """Write ``fmt`` to ``out`` and return what was exported and what could not be.

    ``annotator`` is a name or ``"all"``; ``status`` an article state or
    ``"all"``; ``schema`` (a :class:`storage.schema.Schema`) supplies the topic
    taxonomy and the labels a labelling config lists. ``config`` is where a
    format's companion file goes (Label Studio: ``labelstudio-config.xml``
    beside the tasks by default, none for stdout). With ``strict`` any reported problem raises
    :class:`StrictExportError` (carrying the report) and nothing is written.

    ``split`` (``{"train": 0.8, "dev": 0.2}``) makes ``out`` a directory holding
    one export per split (``train.spacy``, ``dev.spacy``), articles shared out
    by :func:`storage.formats.split.partition` with ``seed``. ``articles`` limits
    the export to those article ids. ``ents_include=("figures",)`` puts figures
    that overlap no entity in spaCy's ``doc.ents``.
    """
    given = dict(locals())  # the arguments, for one export per split
    spec = FORMATS.get(fmt)
    split_of: dict[int, str] = {}
    if split is not None and not (spec is not None and spec.splits_inside):
        return _export_split(db, fmt, Path(out), split, seed, given)
    if spec is None or spec.writer is None:
        raise ExportError(f"unknown export format {fmt!r} (one of {', '.join(export_formats())})")
    selection = Selection(
        status=status,
        annotator=annotator,
        layers=tuple(dict.fromkeys(layers)),
        include_suggested=include_suggested,
    )
    to_stdout = str(out) == "-"
    if to_stdout and not spec.can_stream:
        raise ExportError(f"{fmt} cannot be written to stdout; give --out PATH")
    target = Path(out)
    if not to_stdout:
        _check_target(target, spec)
    report = ExportReport(format=fmt, out=str(out))
    pairs = plan(db, selection)
    if articles is not None:
        wanted = set(articles)
        pairs = [pair for pair in pairs if pair[0] in wanted]
    if split is not None:
        parts = partition([pair[0] for pair in pairs], split, seed)
        split_of = {article: name for name, ids in parts.items() for article in ids}
    if config is not None and spec.sidecar is None:
        raise ExportError(f"--config is for formats with a companion file, not {fmt}")
    sidecar_target = (
        Path(config) if config is not None
        else None if to_stdout or spec.sidecar is None
        else target.absolute().parent / spec.sidecar
    )  # fmt: skip
    name = target.name or "export"
    parent = Path(tempfile.gettempdir()) if to_stdout else target.absolute().parent
    clean_stale(parent / name)
    with writes_to(out):
        staging = Staging(parent, name)
    sidecar = None
    if sidecar_target is not None:
        sidecar = Sidecar(sidecar_target, staging.directory / f"sidecar-{sidecar_target.name}")
    options = Options(
        topic_keys=topic_keys(schema) if "topic" in selection.layers else (),
        layers=selection.layers,
        multi_annotator=len({annotator for _, annotator in pairs}) > 1,
        span_labels=span_labels(schema),
        sidecar=sidecar,
        ents_include=tuple(ents_include),
        split_of=split_of,
    )
    try:
        with writes_to(out):
            writer = spec.load_writer()(staging.output, report, options)
        try:
            if progress:
                progress(0, len(pairs))
            for record in load_records(db, selection, pairs):
                with writes_to(out):
                    writer.add(record)
                report.records += 1
                report.spans += len(record.entity_rows) + len(record.figure_rows)
                report.spans += sum(len(topic[2]) for topic in record.topic_rows.values())
                report.topics += len(record.topic_rows)
                if progress:
                    progress(report.records, len(pairs))
        except BaseException:
            with contextlib.suppress(OSError):  # the export's own error is the one to report
                writer.discard()
            raise
        with writes_to(out):
            writer.close()
        if strict and report.problems:
            count = len(report.problems)
            raise StrictExportError(
                f"{count} span{'s' * (count != 1)} cannot be exported exactly as {fmt} "
                f"(--strict); first: {report.problems[0]}",
                report,
            )
        if to_stdout:
            with staging.output.open("r", encoding="utf-8", newline="") as handle:
                shutil.copyfileobj(handle, stdout or sys.stdout)
            report.written = True
        else:
            # Ctrl-C waits for the rename: the target is then either the old or the new export.
            with sigint_deferred(), writes_to(out):
                staging.put_in_place(target)
                report.written = True
        if sidecar is not None and sidecar.staged.exists():
            with sigint_deferred(), writes_to(str(sidecar.final)):
                make_durable(sidecar.staged)
                shutil.move(sidecar.staged, sidecar.final)
                sync_directory(sidecar.final.absolute().parent)
        return report
    finally:
        with sigint_deferred():
            staging.remove()


def _export_split(
    db: Database, fmt: str, out: Path, shares: dict[str, float], seed: int, given: dict[str, Any]
) -> ExportReport:
    """One export per split into the directory ``out``; one report adding them up."""
    spec = FORMATS.get(fmt)
    if spec is None or spec.writer is None:
        raise ExportError(f"unknown export format {fmt!r} (one of {', '.join(export_formats())})")
    if str(out) == "-" or (out.exists() and not out.is_dir()):
        raise ExportError(f"--split writes a directory of files; {out} is not one")
    with writes_to(out):
        out.mkdir(parents=True, exist_ok=True)
    selection = Selection(status=given["status"], annotator=given["annotator"],
                          layers=tuple(dict.fromkeys(given["layers"])),
                          include_suggested=given["include_suggested"])  # fmt: skip
    parts = partition([pair[0] for pair in plan(db, selection)], shares, seed)
    total = ExportReport(format=fmt, out=str(out))
    skip = ("db", "fmt", "out", "split", "seed", "articles", "config")
    passed = {k: v for k, v in given.items() if k not in skip}

    for name, ids in parts.items():
        target = out / f"{name}{spec.suffix}"
        report = export(db, fmt, target, articles=ids, **passed)
        total.records += report.records
        total.spans += report.spans
        total.topics += report.topics
        total.problems.extend(report.problems)
        for note in report.notes:
            total.note(note)
        total.note(f"{name}: {len(ids)} article(s), {report.records} record(s) in {target}")
    total.written = True
    return total


def _check_target(target: Path, spec: FormatSpec) -> None:
    parent = target.absolute().parent
    if not parent.is_dir():
        raise ExportError(f"cannot write {target}: no directory {parent}")
    if spec.kind == "directory":
        if target.exists() and not _is_previous_export(target, spec):
            raise ExportError(
                f"refusing to replace {target}: it exists and is not a {spec.name} export"
            )
    elif target.is_dir():
        raise ExportError(f"cannot write {target}: it is a directory")


def _is_previous_export(path: Path, spec: FormatSpec) -> bool:
    """A directory redline may replace: an empty one, or a previous export of this format
    (its marker file present; for brat, nothing but brat's own files in it)."""
    if not path.is_dir():
        return False
    entries = list(path.iterdir())
    if not entries:
        return True
    if spec.marker is None or not (path / spec.marker).is_file():
        return False
    return spec.name != "brat" or all(
        entry.is_file() and entry.suffix in BRAT_FILES for entry in entries
    )
