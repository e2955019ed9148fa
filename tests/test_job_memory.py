"""A job lets go of what its later stages do not read (issue 17): the outputs are the same, the tables gone."""

from __future__ import annotations

import pyarrow as pa
import pytest

from linkage.job import run_job
from linkage.read import load_dataset


def test_release_keeps_what_was_read_known_and_says_why_a_released_table_is_gone(dataset_folder):
    dataset = load_dataset(dataset_folder)
    counts = dataset.table_counts()
    people = dataset["people"]
    assert dataset.release(keep=("people",)) == [name for name in dataset.files if name != "people"]
    assert dataset.has("contacts") and dataset.has("people") and not dataset.has("no_such_table")
    assert dataset["people"] is people
    assert dataset.table_counts().equals(counts)
    with pytest.raises(KeyError, match="contacts table was released"):
        dataset["contacts"]
    with pytest.raises(KeyError, match="has no no_such_table table"):
        dataset["no_such_table"]


def test_a_job_keeps_only_the_people_after_building_and_writes_every_analysis(dataset_folder, lancashire_config,
                                                                             tmp_path):
    pool = pa.default_memory_pool().backend_name
    result = run_job(lancashire_config, data=dataset_folder, out=tmp_path / "job")
    assert list(result.dataset.tables) == ["people"]
    assert result.dataset.released == frozenset(result.dataset.files) - {"people"}
    # the analyses still saw every table (none skipped), and the pages still had the people's records
    assert result.manifest["summary"]["analyses"]["skipped"] == {}
    assert not any("skipped" in note for note in result.notes)
    assert (tmp_path / "job" / "review.html").is_file() and (tmp_path / "job" / "network.html").is_file()
    # the job's allocator is put back afterwards
    assert pa.default_memory_pool().backend_name == pool
