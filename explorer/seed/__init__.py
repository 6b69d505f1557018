"""Seed graphs: the seed format, its validation, and a synthetic population generator.

Public API:

- `read_seed(path, *, today, known_ids=None) -> Seed`: read a seed directory
  of CSV files (or one `.jsonl` file) and validate all of it, a chunk of rows at a
  time, raising `SeedInvalid` (with every `Problem`) before anything can be written.
- `Seed.batches(type, size)`: rows per seed type as dicts ready for `UNWIND $rows`,
  read again from the files (`SeedChanged` if they changed since);
  `Seed.summary()` counts them; `Seed.rows[type]` holds them all (small seeds, tests).
- `generate(out_dir, *, children, seed, today)` in `explorer.seed.generate`.
- `explorer.seed.schema`: the format as data (files, columns, labels, keys).

The format is documented in docs/seed-format.md.
"""

from explorer.seed.model import Problem, Seed, SeedChanged, SeedInvalid
from explorer.seed.schema import NODE_TYPES, REL_TYPES, SEED_TYPES, Column, SeedType
from explorer.seed.validate import read_seed

__all__ = [
    "NODE_TYPES",
    "REL_TYPES",
    "SEED_TYPES",
    "Column",
    "Problem",
    "Seed",
    "SeedChanged",
    "SeedInvalid",
    "SeedType",
    "read_seed",
]
