"""Runs decrypt_archive.py with spark-submit in local mode and checks it against one decrypt-file run.

The wxdecrypt binary is $WXDECRYPT, or the package's debug build. Run from the repository root:

    WXDECRYPT=.build/debug/wxdecrypt python -m pytest Examples/Spark
"""

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
JOB = HERE / "decrypt_archive.py"
APP_ID = "wx4f4bc4dec97d474b"
SESSION_KEY = re.compile(rb'"(?:session_key|sessionKey)"\s*:\s*"([^"]+)"')
BASE64_TOKEN = re.compile(rb"[A-Za-z0-9+/=]{16,}")


@pytest.fixture(scope="session")
def wxdecrypt():
    binary = Path(os.environ.get("WXDECRYPT", HERE.parent.parent / ".build" / "debug" / "wxdecrypt")).resolve()
    assert binary.is_file(), f"no wxdecrypt at {binary}: build it (swift build --product wxdecrypt) or set WXDECRYPT"
    return binary


@pytest.fixture(scope="session")
def spark_dirs(tmp_path_factory):
    return tmp_path_factory.mktemp("spark")


def spark_submit(spark_dirs, job_arguments, files=(), conf=None, master="local[2]"):
    """Runs the job as a user would, offline and on loopback only; returns the finished process."""
    settings = {
        "spark.driver.host": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.eventLog.enabled": "false",
        "spark.local.dir": str(spark_dirs / "local"),
        "spark.sql.warehouse.dir": str(spark_dirs / "warehouse"),
        "spark.hadoop.fs.permissions.umask-mode": "077",
    }
    settings.update(conf or {})
    command = [str(Path(sys.executable).parent / "spark-submit"), "--master", master]
    for key, value in settings.items():
        if value is not None:
            command += ["--conf", f"{key}={value}"]
    if files:
        command += ["--files", ",".join(str(path) for path in files)]
    command += [str(JOB)] + [str(argument) for argument in job_arguments]
    environment = dict(
        os.environ,
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        PYSPARK_PYTHON=sys.executable,
        PYSPARK_DRIVER_PYTHON=sys.executable,
        SPARK_LOCAL_IP="127.0.0.1",
    )
    return subprocess.run(command, cwd=spark_dirs, env=environment, capture_output=True, timeout=900)


def decrypt_file(wxdecrypt, archive, *options):
    """One decrypt-file run of the whole archive: the reference every Spark result is checked against."""
    run = subprocess.run(
        [str(wxdecrypt), "decrypt-file", str(archive), "--jobs", "1", "--no-progress", *options],
        capture_output=True, timeout=600)
    assert run.returncode in (0, 1), run.stderr.decode()
    return run.stdout


def part_files(results):
    return sorted(results.glob("part-*"))


def assert_no_session_key(keys, *texts):
    for text in texts:
        leaked = {token for token in BASE64_TOKEN.findall(text) if token in keys}
        assert not leaked, f"{len(leaked)} session keys appear in the job's output or logs"


def session_keys(archive):
    return set(SESSION_KEY.findall(archive.read_bytes()))


def generate(wxdecrypt, path, records, seed, bad_fraction):
    subprocess.run(
        [str(wxdecrypt), "generate", "--records", str(records), "--seed", str(seed),
         "--bad-fraction", str(bad_fraction), "--output", str(path)],
        check=True, capture_output=True, timeout=600)
    return path


def test_100000_records_in_several_partitions_match_one_decrypt_file_run(wxdecrypt, spark_dirs, tmp_path):
    archive = generate(wxdecrypt, tmp_path / "archive.jsonl", 100_000, 7, 0.01)
    # 35 MB in splits of 4 MiB: nine partitions on two executor cores.
    run = spark_submit(
        spark_dirs, [archive, "--app-id", APP_ID], files=[wxdecrypt],
        conf={"spark.sql.files.maxPartitionBytes": str(4 << 20)})
    assert run.returncode == 0, run.stderr.decode()[-3000:]

    results = tmp_path / "archive.jsonl.results"
    assert (results / "_SUCCESS").exists()
    parts = part_files(results)
    assert len(parts) >= 4
    reference = decrypt_file(wxdecrypt, archive, "--app-id", APP_ID)
    expected = [json.loads(line) for line in reference.splitlines()]
    assert len(expected) == 100_000

    actual = []
    for part in parts:
        assert stat.S_IMODE(part.stat().st_mode) == 0o600, part.name
        lines = [json.loads(line) for line in part.read_bytes().splitlines()]
        assert lines, f"{part.name} is empty"
        ids = [line["id"] for line in lines]
        # generate numbers its records 1, 2, 3...: each partition's results in input order.
        assert ids == list(range(ids[0], ids[0] + len(ids))), f"{part.name} is out of order"
        actual += lines

    assert len(actual) == len(expected)
    assert [result["id"] for result in actual] == [result["id"] for result in expected]
    failed = 0
    for mine, theirs in zip(actual, expected):
        assert mine["ok"] == theirs["ok"], mine["id"]
        if mine["ok"]:
            assert mine["data"] == theirs["data"], mine["id"]
        else:
            failed += 1
            assert mine["error"] == theirs["error"], mine["id"]
    assert 500 < failed < 1500  # about 1% broken, in every failure kind
    assert b"".join(part.read_bytes() for part in parts) == reference

    keys = session_keys(archive)
    assert len(keys) > 90_000
    assert_no_session_key(keys, run.stdout, run.stderr, b"".join(part.read_bytes() for part in parts))


def awkward_archive(wxdecrypt, path):
    """Generated records mixed with every line shape that decrypt-file numbers or skips."""
    generated = generate(wxdecrypt, path.with_suffix(".generated"), 60, 3, 0.3).read_bytes().splitlines()
    lines = []
    for index, line in enumerate(generated):
        record = re.sub(rb'^\{"id":\d+,', b"{", line)
        if index % 3 == 0:
            # ids that start again at 1, as in an archive made of many files: they meet the
            # positions decrypt-file gives records within a partition.
            record = b'{"id":%d,' % (index % 7 + 1) + record[1:]
        elif index % 3 == 1:
            record = record.replace(b'"appid":"%s",' % APP_ID.encode(), b"")  # no id, no appid
        lines.append(record)
        if index % 10 == 0:
            lines += [b"", b"   ", b"\t\r", b"\r"]
    first = generated[0][generated[0].index(b",") + 1:]
    lines += [
        b'{"\\u0069d":2,' + first,  # the key "id", escaped
        b'{"id":"5",' + first,
        b'{"id":{"id":3},' + first,
        b'{"id":"\xff",' + first,  # invalid UTF-8: not a JSON object
        b'{"id":4,' + first + b"\r",  # CRLF
        b'{"id":1,"pad":"' + b"x" * (1 << 20) + b'",' + first,  # over 1 MiB
        b'{"id":2,"appid":7}',
        b"not json at all",
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_blank_unnumbered_awkward_and_overlong_lines_match_one_decrypt_file_run(wxdecrypt, spark_dirs, tmp_path):
    archive = awkward_archive(wxdecrypt, tmp_path / "awkward.jsonl")
    output = tmp_path / "out"
    # Without --app-id, records without an appid fail with their line number in the message;
    # the binary is found by path rather than shipped with --files.
    run = spark_submit(
        spark_dirs, [archive, "--output", output, "--binary", wxdecrypt],
        conf={"spark.sql.files.maxPartitionBytes": "4000"})
    assert run.returncode == 0, run.stderr.decode()[-3000:]
    parts = part_files(output)
    assert len(parts) >= 4
    reference = decrypt_file(wxdecrypt, archive)
    assert b"".join(part.read_bytes() for part in parts) == reference
    assert reference.count(b"\n") == 68
    # Line numbers in messages from partitions other than the first were renumbered.
    assert max(int(number) for number in re.findall(rb'"message":"line (\d+): ', reference)) > 60
    assert_no_session_key(session_keys(archive), run.stdout, run.stderr)


@pytest.mark.parametrize(
    "job_arguments, files, message",
    [
        # decrypt-file refuses the option: exit 64 in every partition.
        (["--app-id", APP_ID, "--max-age", "-1"], True, b"decrypt-file exited with status 64"),
        # A binary that exits 1, "some records failed", without writing their results.
        (["--app-id", APP_ID, "--binary", "/bin/false"], False, b"exit status 1"),
    ],
    ids=["exit-64", "exit-1-without-results"],
)
def test_a_failing_binary_fails_the_job_without_results_or_keys(
    wxdecrypt, spark_dirs, tmp_path, job_arguments, files, message
):
    archive = generate(wxdecrypt, tmp_path / "archive.jsonl", 2_000, 5, 0.05)
    run = spark_submit(
        spark_dirs, [archive] + job_arguments, files=[wxdecrypt] if files else (),
        conf={"spark.sql.files.maxPartitionBytes": "200000"})
    assert run.returncode != 0
    assert message in run.stderr  # the executor's log
    assert b"PartitionFailed" in run.stdout  # the driver's traceback
    results = tmp_path / "archive.jsonl.results"
    assert not (results / "_SUCCESS").exists()
    assert not results.exists() or not part_files(results)
    assert_no_session_key(session_keys(archive), run.stdout, run.stderr)


def test_refuses_to_write_results_others_could_read(wxdecrypt, spark_dirs, tmp_path):
    archive = generate(wxdecrypt, tmp_path / "archive.jsonl", 10, 5, 0)
    run = spark_submit(
        spark_dirs, [archive, "--app-id", APP_ID], files=[wxdecrypt],
        conf={"spark.hadoop.fs.permissions.umask-mode": None})
    assert run.returncode != 0
    # spark-submit passes the driver script's stderr to its own stdout.
    assert b"spark.hadoop.fs.permissions.umask-mode=077" in run.stdout
    assert not (tmp_path / "archive.jsonl.results").exists()
