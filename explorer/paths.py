"""Where the app's working files live, in one place.

``var/`` (the local Neo4j, its jars, keys, uploads) sits beside the package in a checkout,
which is how the README runs the app; ``EXPLORER_VAR_DIR`` puts it anywhere else, which an
installed copy (whose package directory is not a place to write) should set. Queries,
templates and static files are package data and are found through ``importlib.resources``,
not through these paths.
"""

from __future__ import annotations

from pathlib import Path

# The checkout holding the package (the project's root in an editable install).
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VAR_DIR = REPO_ROOT / "var"
