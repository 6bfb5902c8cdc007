"""Label Studio JSON tasks: :mod:`.read` imports them, :mod:`.write` exports them."""

from storage.formats.labelstudio.read import read_labelstudio
from storage.formats.labelstudio.write import LabelStudioWriter

__all__ = ["LabelStudioWriter", "read_labelstudio"]
