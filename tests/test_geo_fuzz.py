"""A short run of the mutation fuzzer (bench/fuzz.py): readers, importer and control never raise.

The long run is ``python -m bench.fuzz --minutes 10``; each crash it finds becomes a row in the
bad-input tables of tests/test_geo_validate.py.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from bench.fuzz import Base, exercise, mutated_file

BASE = Base()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_file())
def test_mutated_bundled_files_never_raise(case):
    name, data = case
    exercise(BASE, name, data)
