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


def test_the_fuzzer_s_checks_catch_what_they_look_for():
    """The checks behind the fuzzer's counts fail on the faults they count."""
    import pandas as pd
    import pytest

    from bench.fuzz import EVALUATED, TEMPLATE, SilentChange, kind_of, nothing_dropped

    text = "a,b\n1,2\n3,4\n"
    nothing_dropped("x.csv", text, pd.DataFrame({"a": [1, 3]}), [])  # every row kept
    with pytest.raises(SilentChange) as caught:
        nothing_dropped("x.csv", text, pd.DataFrame({"a": [1]}), [])  # a row gone, no problem said
    assert kind_of(caught.value) == "silent changes" and kind_of(KeyError("x")) == "tracebacks"
    assert not EVALUATED.search(TEMPLATE) and not EVALUATED.search("a {% if 1 %}IF-RAN{% endif %}")
    assert EVALUATED.search("title 77077") and EVALUATED.search("a IF-RAN b") and EVALUATED.search("uid=0(root)")


def test_a_bench_rewrites_its_own_section_of_the_benchmarks_page(tmp_path):
    from bench.record import record

    doc = tmp_path / "benchmarks.md"
    doc.write_text("# Benchmarks\n\nintro\n", encoding="utf-8")
    record("alpha", "first figures", doc=doc)
    record("beta", "other figures", doc=doc)
    record("alpha", "new figures", doc=doc)
    text = doc.read_text(encoding="utf-8")
    assert "intro" in text and "new figures" in text and "other figures" in text and "first figures" not in text
    assert text.index("new figures") < text.index("other figures")
