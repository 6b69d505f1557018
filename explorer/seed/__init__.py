"""Seed graphs: the seed format, its validation, and a synthetic population generator.

Public API:

- `read_seed(path, *, today, known_ids=None) -> Seed`: read a seed directory
  of CSV files (or one `.jsonl` file) and validate all of it, raising
  `SeedInvalid` (with every `Problem`) before anything can be written.
- `Seed.rows[type]`: rows per seed type as dicts ready for `UNWIND $rows`;
  `Seed.summary()` counts them.
- `generate(out_dir, *, children, seed, today)` in `explorer.seed.generate`.
- `explorer.seed.schema`: the format as data (files, columns, labels, keys).

The format is documented in docs/seed-format.md.
"""

from explorer.seed.model import Problem, Seed, SeedInvalid
from explorer.seed.schema import NODE_TYPES, REL_TYPES, SEED_TYPES, Column, SeedType
from explorer.seed.validate import read_seed

__all__ = [
    "NODE_TYPES",
    "REL_TYPES",
    "SEED_TYPES",
    "Column",
    "Problem",
    "Seed",
    "SeedInvalid",
    "SeedType",
    "read_seed",
]
