"""explorer serve's gunicorn settings: what a worker does once it has built its app."""

from __future__ import annotations

import gc

from explorer.serve import ServeOptions


def test_a_worker_puts_what_it_built_at_start_up_out_of_the_collectors_reach():
    hook = ServeOptions().gunicorn_settings()["post_worker_init"]
    before = gc.get_freeze_count()
    try:
        hook(None)
        frozen = gc.get_freeze_count()
        # Everything tracked when the hook ran, this test's modules included: none of it is
        # walked again by a full collection.
        assert frozen > before + 1000 and len(gc.get_objects(generation=2)) < frozen
        made_later = [[]]
        made_later[0].append(made_later)  # a cycle made after start-up is still collected
        del made_later
        assert gc.collect() >= 2
    finally:
        gc.unfreeze()
