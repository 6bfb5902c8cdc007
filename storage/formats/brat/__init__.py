"""brat standoff: a directory of ``<name>.txt`` + ``<name>.ann`` (+ brat's ``.conf`` files).

:mod:`.read` parses the standoff grammar, :mod:`.write` writes it, and
:mod:`.vocabulary` holds what both must agree on: the attribute names figures
travel as and the note keys.
"""

from storage.formats.brat.read import read_brat
from storage.formats.brat.write import BratWriter

__all__ = ["BratWriter", "read_brat"]
