"""The project's tests. `ZWXM` is the `zwxm` command installed beside the interpreter running them
(the virtual environment's entry point), which the tests run as a real subprocess."""

import sys
from pathlib import Path

ZWXM = str(Path(sys.executable).parent / "zwxm")
