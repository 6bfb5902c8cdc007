"""The light CLI paths stay light: no Textual, no SQL stack, for --help."""

from __future__ import annotations

import subprocess
import sys

from storage.formats.registry import FORMATS
from tui.commands.export_cmd import FORMAT_NAMES


def test_export_format_names_match_the_exporters() -> None:
    assert tuple(FORMATS) == FORMAT_NAMES


def test_help_imports_neither_textual_nor_sqlmodel() -> None:
    probe = (
        "import sys\n"
        "sys.argv = ['redline', '--help']\n"
        "from tui.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('textual', 'sqlmodel', 'spacy', 'pyarrow') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout
