"""heavywork: the jobs the worker process does, each from its inputs alone."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

import heavywork
from geo.files import data_digest
from heavywork import Job, StaleData

DAY = dt.date(2016, 11, 20)


def test_a_job_is_data_and_its_own_cache_key(tiny_dir):
    job = Job("snapshot", str(tiny_dir), data_digest(tiny_dir), (DAY, "none", "Title", "", "", DAY))
    assert pickle.loads(pickle.dumps(job)) == job
    assert hash(job) == hash(Job("snapshot", str(tiny_dir), data_digest(tiny_dir), (DAY, "none", "Title", "", "", DAY)))
    assert job != Job("snapshot", str(tiny_dir), data_digest(tiny_dir), (DAY, "none", "Title 2", "", "", DAY))


def test_the_snapshot_and_the_data_come_from_the_folder_and_the_inputs(tiny_dir):
    digest = data_digest(tiny_dir)
    html = Job("snapshot", str(tiny_dir), digest, (DAY, "none", "A <b>title</b>", "", "https://x.example/", DAY))()
    assert "A &lt;b&gt;title&lt;/b&gt;" in html and "https://x.example/" in html
    rows = Job("data", str(tiny_dir), digest, ("day_csv", DAY))().decode().splitlines()
    assert rows[0].startswith("date,id,name,") and rows[2].startswith("2016-11-20,T2,Middle,حي 2,split,0.33,")


def test_a_job_for_changed_files_is_refused_with_a_reason(tiny_dir):
    digest = data_digest(tiny_dir)
    heavywork._LOADED.clear()
    (tiny_dir / "events.csv").write_text((tiny_dir / "events.csv").read_text("utf-8") + "\n", "utf-8")
    with pytest.raises(StaleData) as caught:
        Job("data", str(tiny_dir), digest, ("package", None))()
    assert "reload the page" in caught.value.reader_message
