"""A spaCy ``DocBin`` file written in bounded memory: the same bytes, without the peak.

``DocBin`` keeps every doc's token array until ``to_bytes()``, which then
stacks them, copies them into one msgpack message and compresses that — about
four copies of the whole corpus at once (1-2 GB for a few thousand articles).
:class:`DocBinStream` takes the same docs but moves each one's arrays and
per-doc values to anonymous temporary files as it arrives, and at the end
streams the msgpack message through ``zlib`` straight to the output file.

The file is byte for byte what ``DocBin(store_user_data=True)`` with the same
docs would write (a test compares them), so ``DocBin().from_disk(path)`` and
``spacy train`` read it as before. What stays in memory is one ``int32`` per
doc and the set of distinct strings (token texts and labels), as in DocBin.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc

COPY_CHUNK = 1 << 20
"""Bytes read from a spill file and compressed at a time."""


def bin_header(size: int) -> bytes:
    """The msgpack header of a ``bin`` of ``size`` bytes (bin 8/16/32)."""
    if size < 1 << 8:
        return struct.pack(">BB", 0xC4, size)
    if size < 1 << 16:
        return struct.pack(">BH", 0xC5, size)
    return struct.pack(">BI", 0xC6, size)


def array_header(count: int) -> bytes:
    """The msgpack header of an array of ``count`` items (fixarray, array 16/32)."""
    if count < 16:
        return bytes([0x90 | count])
    if count < 1 << 16:
        return struct.pack(">BH", 0xDC, count)
    return struct.pack(">BI", 0xDD, count)


def map_header(count: int) -> bytes:
    """The msgpack header of a map of fewer than 16 entries (fixmap)."""
    assert count < 16
    return bytes([0x80 | count])


class _Spill:
    """An anonymous temporary file (gone when closed, or when the process dies)."""

    def __init__(self, directory: Path) -> None:
        self.file: IO[bytes] = tempfile.TemporaryFile(dir=directory)
        self.size = 0
        self.count = 0

    def append(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)
        self.count += 1

    def copy_to(self, sink: _Deflated) -> None:
        self.file.flush()
        self.file.seek(0)
        while chunk := self.file.read(COPY_CHUNK):
            sink.write(chunk)

    def close(self) -> None:
        self.file.close()


class _Deflated:
    """Writes zlib-compressed data to a file as it comes (what ``zlib.compress`` would give)."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.compressor = zlib.compressobj()

    def write(self, data: bytes) -> None:
        self.handle.write(self.compressor.compress(data))

    def finish(self) -> None:
        self.handle.write(self.compressor.flush())


class DocBinStream:
    """``DocBin(store_user_data=True)``'s ``add`` and ``to_disk``, spilling to ``directory``."""

    def __init__(self, directory: Path) -> None:
        import srsly
        from spacy.tokens import DocBin

        # srsly.msgpack_dumps builds a Packer per call, and each Packer looks up
        # its registered encoders (~2 ms); one Packer with the same options packs the same bytes.
        self.pack = srsly.msgpack.Packer(use_bin_type=True).pack
        layout = DocBin(store_user_data=True)
        self.version: str = layout.version
        self.attrs: list[int] = list(layout.attrs)
        self.strings: set[str] = set()
        self.lengths: list[int] = []
        self.spills = {
            name: _Spill(directory)
            for name in ("tokens", "spaces", "cats", "flags", "span_groups", "user_data")
        }

    def add(self, doc: Doc) -> None:
        """What ``DocBin.add`` stores of ``doc``, in the same encoding."""
        import numpy
        from spacy.attrs import SPACY

        array = doc.to_array(self.attrs)
        if len(array.shape) == 1:
            array = array.reshape((array.shape[0], 1))
        spaces = doc.to_array(SPACY)
        spaces = numpy.asarray(spaces.reshape((spaces.shape[0], 1)), dtype=bool)
        self.lengths.append(len(array))
        spill, pack = self.spills, self.pack
        spill["tokens"].append(array.tobytes("C"))
        spill["spaces"].append(spaces.tobytes("C"))
        spill["flags"].append(pack({"has_unknown_spaces": doc.has_unknown_spaces}))
        spill["cats"].append(pack(doc.cats))
        spill["user_data"].append(pack(pack(doc.user_data)))
        spill["span_groups"].append(pack(doc.spans.to_bytes()))
        for token in doc:
            self.strings.update((token.text, token.tag_, token.lemma_, token.norm_,
                                 str(token.morph), token.dep_, token.ent_type_,
                                 token.ent_kb_id_, token.ent_id_))  # fmt: skip
        for group in doc.spans.values():
            for span in group:
                self.strings.add(span.label_)
                if span.kb_id in doc.vocab.strings:
                    self.strings.add(span.kb_id_)
                if span.id in doc.vocab.strings:
                    self.strings.add(span.id_)

    def write(self, path: Path) -> None:
        """Write the ``.spacy`` file: ``DocBin.to_bytes()``'s message, streamed."""
        import numpy

        pack, spill = self.pack, self.spills
        lengths = numpy.asarray(self.lengths, dtype="int32").tobytes("C")
        with path.open("wb") as handle:
            out = _Deflated(handle)
            out.write(map_header(10))
            out.write(pack("version") + pack(self.version) + pack("attrs") + pack(self.attrs))
            for name in ("tokens", "spaces"):
                out.write(pack(name) + bin_header(spill[name].size))
                spill[name].copy_to(out)
            out.write(pack("lengths") + pack(lengths))
            out.write(pack("strings") + pack(sorted(self.strings)))
            for name in ("cats", "flags", "span_groups", "user_data"):
                out.write(pack(name) + array_header(spill[name].count))
                spill[name].copy_to(out)
            out.finish()

    def close(self) -> None:
        for spill in self.spills.values():
            spill.close()
