"""An installed copy, not only this checkout, has its queries, templates and static files
(issue 19: they were outside the package, so a wheel had none)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "explorer"


def test_a_built_wheel_carries_every_query_template_and_static_file(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("involvement_explorer-*.whl"))
    inside = set(zipfile.ZipFile(wheel).namelist())
    wanted = {path.relative_to(ROOT).as_posix()
              for folder in ("cypher", "templates", "static")
              for path in (PACKAGE / folder).rglob("*") if path.is_file()}
    assert any(name.endswith(".cypher") for name in wanted)
    assert wanted - inside == set()
