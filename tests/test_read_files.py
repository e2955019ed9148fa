"""Reading table files: encodings, Parquet, quoting, line numbers, malformed files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from linkage.config import config_from_dict
from linkage.errors import DataError
from linkage.read import load_dataset, read_raw_table

PEOPLE_HEADER = "record_id,source,first_name,last_name,dob,sex,postcode,local_authority,flags"


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def people_csv(rows: list[str]) -> str:
    return "\n".join([PEOPLE_HEADER, *rows]) + "\n"


NAMES = ["007,police,Zoë,Núñez,2008-03-04,F,,,", "P2,health,José,Ó Briain,,M,,,"]


# --- encodings --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (people_csv(NAMES).encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + people_csv(NAMES).encode("utf-8"), "utf-8"),
        (people_csv(NAMES).encode("latin-1"), "latin-1"),
    ],
    ids=["utf-8", "utf-8-bom", "latin-1"],
)
def test_names_come_back_right_in_every_encoding(tmp_path, data, encoding):
    write(tmp_path / "people.csv", data)
    dataset = load_dataset(tmp_path)
    people = dataset["people"]
    assert people["first_name"].tolist() == ["Zoë", "José"]
    assert people["last_name"].tolist() == ["Núñez", "Ó Briain"]
    # the BOM does not stick to the first header
    assert people["record_id"].tolist() == ["007", "P2"]
    assert dataset.files["people"].encoding == encoding
    assert dataset.rejects.empty


def test_latin1_after_the_first_megabyte_falls_back_to_latin1(tmp_path):
    filler = [f"F{i:07d},police,Ann,Lee,,,,," for i in range(40_000)]
    text = people_csv([*filler, "Z1,police,Zoë,Núñez,,,,,"])
    assert len(text) > 1 << 20
    write(tmp_path / "people.csv", text.encode("latin-1"))
    people = load_dataset(tmp_path)["people"]
    assert people["first_name"].iloc[-1] == "Zoë"
    assert people["last_name"].iloc[-1] == "Núñez"
    assert len(people) == 40_001


def test_utf8_character_cut_by_the_header_read_stays_utf8(tmp_path):
    # the first megabyte ends in the middle of the two bytes of "ë"
    head = people_csv(["A1,police,Ann,Lee,,,,,"]).encode("utf-8")
    row_prefix = b"A2,police,"
    pad = (1 << 20) - 1 - len(head) - len(row_prefix)
    data = head + row_prefix + b"x" * pad + "ë,Lee,,,,,\n".encode("utf-8")
    assert data[(1 << 20) - 1 : (1 << 20) + 1] == "ë".encode("utf-8")
    write(tmp_path / "people.csv", data)
    raw = read_raw_table(tmp_path / "people.csv")
    assert raw.encoding == "utf-8"
    assert raw.frame["first_name"].iloc[1] == "x" * pad + "ë"


def test_forced_utf8_on_a_latin1_file_names_the_file_and_the_fix(tmp_path):
    path = write(tmp_path / "people.csv", people_csv(NAMES).encode("latin-1"))
    with pytest.raises(DataError) as info:
        read_raw_table(path, encoding="utf-8")
    assert str(info.value) == (
        f"{path} is not UTF-8 text; save it as UTF-8, or set input: {{encoding: latin-1}} in the job config"
    )


def test_config_encoding_latin1_reads_latin1(tmp_path):
    write(tmp_path / "people.csv", people_csv(NAMES).encode("latin-1"))
    config = config_from_dict({"input": {"encoding": "latin1"}})
    assert load_dataset(tmp_path, config)["people"]["first_name"].tolist() == ["Zoë", "José"]


# --- Parquet ----------------------------------------------------------------


def test_parquet_with_date_and_timestamp_columns_is_typed(tmp_path):
    pq.write_table(
        pa.table(
            {
                "record_id": ["007", "P2"],
                "source": ["police", "health"],
                "dob": pa.array([dt.date(2008, 3, 4), None], pa.date32()),
                "sex": pa.array(["F", "M"]).dictionary_encode(),
                "age": pa.array([17, 18], pa.int64()),
            }
        ),
        tmp_path / "people.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "episode_id": ["M1"],
                "record_id": ["007"],
                "start": pa.array([dt.datetime(2021, 2, 3, 22, 15)], pa.timestamp("s")),
            }
        ),
        tmp_path / "missing_episodes.parquet",
    )
    # a date-typed column is read as a date whatever layout the config names for text
    config = config_from_dict({"input": {"date_format": "%d/%m/%Y"}})
    dataset = load_dataset(tmp_path, config)
    people = dataset["people"]
    assert dataset.rejects.empty
    assert people["record_id"].tolist() == ["007", "P2"]
    assert people["dob"].iloc[0] == pd.Timestamp("2008-03-04")
    assert pd.isna(people["dob"].iloc[1])
    assert people["dob_precision"].iloc[0] == "day"
    assert people["sex"].tolist() == ["F", "M"]
    assert people["age"].tolist() == ["17", "18"]  # extra columns are kept as text
    assert people["_row"].tolist() == [1, 2]  # Parquet rows are numbered from 1
    assert dataset["missing_episodes"]["start"].iloc[0] == pd.Timestamp("2021-02-03 22:15:00")
    assert dataset.files["people"].encoding == "parquet"


def test_parquet_bad_value_is_rejected_with_its_row(tmp_path):
    pq.write_table(
        pa.table({"record_id": ["A", "B", "C"], "source": ["police", None, "health"], "sex": ["F", "M", "Q"]}),
        tmp_path / "people.parquet",
    )
    dataset = load_dataset(tmp_path)
    assert dataset.rejects[["row", "column", "action"]].values.tolist() == [[2, "source", "rejected"], [3, "sex", "cleared"]]
    assert dataset["people"]["record_id"].tolist() == ["A", "C"]


def test_a_csv_and_a_parquet_of_one_table_is_an_error(tmp_path):
    write(tmp_path / "people.csv", people_csv(NAMES))
    pq.write_table(pa.table({"record_id": ["A"], "source": ["police"]}), tmp_path / "people.parquet")
    with pytest.raises(DataError, match=r"has both people\.csv and people\.parquet; keep one"):
        load_dataset(tmp_path)


def test_a_file_that_is_not_parquet_is_an_error_not_a_crash(tmp_path):
    write(tmp_path / "people.parquet", "record_id,source\nA,police\n")
    with pytest.raises(DataError, match=r"people\.parquet cannot be read as Parquet .*re-export it, or send CSV"):
        load_dataset(tmp_path)


# --- quoting and line numbers ----------------------------------------------


def test_quoted_commas_stay_in_one_cell(tmp_path):
    path = write(tmp_path / "people.csv", people_csv(['A1,police,"Smith, Jr",Lee,,,,,', 'A2,police,Bo,"O""Neil",,,,,']))
    raw = read_raw_table(path)
    assert raw.frame["first_name"].tolist() == ["Smith, Jr", "Bo"]
    assert raw.frame["last_name"].tolist() == ["Lee", 'O"Neil']
    assert raw.lines.tolist() == [2, 3]
    assert raw.bad_rows == []


def test_multi_line_values_and_blank_lines_keep_true_line_numbers(tmp_path):
    text = (
        PEOPLE_HEADER + "\n"  # line 1
        'A1,police,"two\nlines",Lee,,,,,\n'  # lines 2-3
        "\n"  # line 4 (blank)
        "A2,police,Bo,Kay,,,,,\n"  # line 5
        'A3,police,"three\n\nlines",Fox,,,,,\n'  # lines 6-8 (a blank line inside quotes)
        "A4,police,Cy,Day,,,,,\n"  # line 9
    )
    path = write(tmp_path / "people.csv", text)
    raw = read_raw_table(path)
    assert raw.frame["record_id"].tolist() == ["A1", "A2", "A3", "A4"]
    assert raw.lines.tolist() == [2, 5, 6, 9]
    assert raw.frame["first_name"].tolist() == ["two\nlines", "Bo", "three\n\nlines", "Cy"]


@pytest.mark.parametrize("value", ['"\n"', '"Ann\n"', '"\nAnn"', '" \n "'], ids=["only", "trailing", "leading", "spaces"])
def test_a_line_break_trimmed_from_a_value_still_counts(tmp_path, value):
    path = write(tmp_path / "people.csv", PEOPLE_HEADER + f"\nA1,police,{value},,,,,,\nA2,police,,,,,,,\n")
    raw = read_raw_table(path)
    assert raw.frame["record_id"].tolist() == ["A1", "A2"]
    assert raw.lines.tolist() == [2, 4]


def test_blank_lines_alone_shift_line_numbers(tmp_path):
    path = write(tmp_path / "people.csv", PEOPLE_HEADER + "\nA1,police,,,,,,,\n\n\nA2,police,,,,,,,\n")
    assert read_raw_table(path).lines.tolist() == [2, 5]


def test_crlf_line_endings_and_multi_line_values(tmp_path):
    text = PEOPLE_HEADER + '\r\nA1,police,,,,,,,\r\n\r\nA2,police,"x\r\ny",,,,,,\r\nA3,police,,,,,,,\r\n'
    raw = read_raw_table(write(tmp_path / "people.csv", text))
    assert raw.lines.tolist() == [2, 4, 6]
    assert raw.frame["record_id"].tolist() == ["A1", "A2", "A3"]


def test_blank_lines_before_the_header_are_skipped(tmp_path):
    path = write(tmp_path / "people.csv", "\n\n" + PEOPLE_HEADER + "\nA1,police,,,,,,,\nA2,police,,,,,,,\n")
    raw = read_raw_table(path)
    assert raw.header[0] == "record_id"
    assert raw.frame["record_id"].tolist() == ["A1", "A2"]
    assert raw.lines.tolist() == [4, 5]


def test_one_blank_line_before_the_header_does_not_make_the_header_a_row(tmp_path):
    path = write(tmp_path / "people.csv", "\n" + PEOPLE_HEADER + "\nA1,police,,,,,,,\n")
    raw = read_raw_table(path)
    assert raw.frame["record_id"].tolist() == ["A1"]
    assert raw.lines.tolist() == [3]


def test_the_bad_value_on_a_line_after_a_multi_line_value_is_reported_at_its_line(tmp_path):
    write(
        tmp_path / "people.csv",
        PEOPLE_HEADER + '\nA1,police,"long\nnote\nhere",,,,,,\n\nA2,police,,,,Q,,,\n',
    )
    dataset = load_dataset(tmp_path)
    assert dataset.rejects[["row", "column", "value"]].values.tolist() == [[6, "sex", "Q"]]
    assert dataset["people"]["record_id"].tolist() == ["A1", "A2"]
    assert dataset["people"]["_row"].tolist() == [2, 6]


def test_whitespace_is_trimmed_and_blank_cells_are_unknown(tmp_path):
    raw = read_raw_table(write(tmp_path / "people.csv", PEOPLE_HEADER + "\n  A1 , police ,   ,Lee,,,,,\n"))
    assert raw.frame["record_id"].tolist() == ["A1"]
    assert raw.frame["source"].tolist() == ["police"]
    assert pd.isna(raw.frame["first_name"].iloc[0])


def test_other_delimiter_from_config(tmp_path):
    write(tmp_path / "people.csv", "record_id|source|first_name\n007|police|Ann, Marie\n")
    config = config_from_dict({"input": {"delimiter": "|"}})
    people = load_dataset(tmp_path, config)["people"]
    assert people[["record_id", "first_name"]].values.tolist() == [["007", "Ann, Marie"]]


# --- malformed files ----------------------------------------------------------


def test_ragged_rows_become_rejects_with_their_line(tmp_path):
    write(
        tmp_path / "people.csv",
        PEOPLE_HEADER + "\nA1,police,,,,,,,\nA2,police,,,,,,,,extra\nA3,police\nA4,police,,,,,,,\n",
    )
    dataset = load_dataset(tmp_path)
    rejects = dataset.rejects
    assert rejects["row"].tolist() == [3, 4]
    assert rejects["table"].tolist() == ["people", "people"]
    assert rejects["value"].tolist() == ["A2,police,,,,,,,,extra", "A3,police"]
    assert rejects["reason"].iloc[0].startswith("has 10 field(s) but the header has 9; quote values that contain ','")
    assert rejects["reason"].iloc[1].startswith("has 2 field(s) but the header has 9")
    assert dataset["people"]["record_id"].tolist() == ["A1", "A4"]
    assert dataset["people"]["_row"].tolist() == [2, 5]
    info = dataset.files["people"]
    assert (info.rows_read, info.rows_rejected, info.rows_kept) == (4, 2, 2)


def test_duplicate_header_names_both_columns(tmp_path):
    path = write(tmp_path / "people.csv", "record_id,source,dob,dob\nA1,police,2001-01-01,2002-02-02\n")
    with pytest.raises(DataError) as info:
        read_raw_table(path)
    assert str(info.value) == f"{path} has two columns called 'dob' (columns 3 and 4); rename one in the header line"


@pytest.mark.parametrize("content", ["", "\n\n  \n"], ids=["empty", "blank-lines"])
def test_empty_file_is_one_error_with_the_fix(tmp_path, content):
    path = write(tmp_path / "people.csv", content)
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    assert str(info.value) == (
        f"{path} is empty; it needs a header line with the column names, then one line per row"
    )


def test_header_only_file_gives_an_empty_typed_table(tmp_path):
    write(tmp_path / "people.csv", PEOPLE_HEADER + "\n")
    dataset = load_dataset(tmp_path)
    assert len(dataset["people"]) == 0
    assert "record_id" in dataset["people"].columns
    assert dataset.rejects.empty


def test_missing_last_newline_keeps_the_last_row(tmp_path):
    raw = read_raw_table(write(tmp_path / "people.csv", PEOPLE_HEADER + "\nA1,police,,,,,,,\nA2,police,,,,,,,"))
    assert raw.frame["record_id"].tolist() == ["A1", "A2"]


def test_missing_file_names_it(tmp_path):
    with pytest.raises(DataError, match=r"people\.csv does not exist; check the dataset folder"):
        read_raw_table(tmp_path / "people.csv")
