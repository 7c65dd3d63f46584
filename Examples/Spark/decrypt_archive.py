"""Decrypt a JSON Lines archive of WeChat open data on Spark.

Each partition of the archive is streamed through one `wxdecrypt decrypt-file -` process;
the results are written beside the archive, one part file per partition, in input order.

    spark-submit --conf spark.hadoop.fs.permissions.umask-mode=077 --files path/to/wxdecrypt \
        decrypt_archive.py ARCHIVE --app-id wx... [--output DIR]

See README.md beside this file for what the job guarantees and why it is built this way.
"""

import argparse
import binascii
import collections
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time

from pyspark import SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

# decrypt-file's exit codes: 1 only says that some records failed, and each of them has its
# result line; anything else means the results of the partition cannot be trusted.
ACCEPTED_EXIT_CODES = (0, 1)

# decrypt-file skips lines made only of these bytes and writes no result for them.
BLANK_BYTES = b" \t\r"

# What follows an "id" key when its value is an integer short enough to be a position. The
# escaped spelling of the key ("\u0069d") is found by the JSON reading in `own_integer_ids`.
INTEGER_VALUE = re.compile(rb'[ \t\r]*:[ \t\r]*(\d{1,18})(?!\d)')

# The Hadoop umask the results are written with; see `require_private_results`.
UMASK_SETTING = "spark.hadoop.fs.permissions.umask-mode"


class PartitionFailed(RuntimeError):
    """A partition whose results are incomplete or untrustworthy: the job must stop."""


def own_integer_ids(line):
    """The integers that `line` may carry as its own id, so that its position never equals one.

    decrypt-file writes a record's position as its id only when the record has none; when the
    position can never equal the record's own integer id, an id equal to the position in the
    output can only be that position, which is then rewritten to the line's number in the archive.
    """
    # Every "id" key, nested ones too: one too many only costs a blank line.
    ids = set()
    key = line.find(b'"id"')
    while key != -1:
        value = INTEGER_VALUE.match(line, key + 4)
        if value:
            ids.add(int(value.group(1)))
        key = line.find(b'"id"', key + 4)
    if b"\\u" in line:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            return ids  # not JSON: decrypt-file gives it its position as its id
        if isinstance(record, dict):
            value = record.get("id")
            if isinstance(value, int) and not isinstance(value, bool):
                ids.add(value)
    return ids


def renumber(result, position, number):
    """Rewrites the stream position decrypt-file wrote into `result` as the archive line number.

    decrypt-file numbers the lines of its own input, which here is one partition's records;
    it writes that number as the id of a record without one and at the start of an
    invalid_record message (`line N: ...`).
    """
    if position == number:
        return result
    head = b'{"id":%d,"ok":' % position
    if result.startswith(head):
        result = b'{"id":%d,"ok":' % number + result[len(head):]
    prefix = "line %d: " % position
    if b'"message":"line ' in result and b'"message":"' + prefix.encode() in result:
        # Rare (invalid records only): read the line to be sure this is the error's message.
        parsed = json.loads(result)
        error = parsed.get("error") if parsed.get("ok") is False else None
        if error and error.get("message", "").startswith(prefix):
            start = result.rindex(b',"message":"') + len(b',"message":"')
            result = result[:start] + b"line %d: " % number + result[start + len(prefix):]
    return result


class PartitionRun:
    """One decrypt-file process fed with one partition's lines, its results read back in order."""

    def __init__(self, command, first_line_number, rows):
        self._stderr = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr)
        except OSError as error:
            raise PartitionFailed(
                "cannot start %s (%s): ship it with spark-submit --files or pass --binary with a path "
                "that exists on every worker" % (command[0], error.strerror)) from None
        self._first_line_number = first_line_number
        # (line number in the archive, position in decrypt-file's input) of every record sent
        # and not yet answered: bounded by what the pipes and decrypt-file hold at once.
        self._pending = collections.deque()
        self.lines_read = 0
        self._feed_error = None
        # Fed from its own thread so that a full stdin pipe and a full stdout pipe never wait on
        # each other.
        self._feeder = threading.Thread(target=self._feed, args=(rows,), daemon=True)
        self._feeder.start()

    def _feed(self, rows):
        position = 0
        stdin = self.process.stdin
        try:
            for row in rows:
                line = binascii.a2b_base64(row[0])
                self.lines_read += 1
                if not line.strip(BLANK_BYTES):
                    continue
                avoid = own_integer_ids(line)
                while position + 1 in avoid:
                    stdin.write(b"\n")  # a blank line moves the record one position on
                    position += 1
                position += 1
                self._pending.append((self._first_line_number + self.lines_read - 1, position))
                stdin.write(line)
                stdin.write(b"\n")
        except BaseException as error:  # re-raised by results(); never carries record text
            self._feed_error = error
        finally:
            try:
                stdin.close()
            except OSError:
                pass  # the process is gone; its exit status says why

    def results(self):
        """Yields one result line per record sent; raises PartitionFailed if that cannot hold."""
        try:
            for result in iter(self.process.stdout.readline, b""):
                if not self._pending:
                    raise PartitionFailed("decrypt-file wrote more result lines than records it was given")
                number, position = self._pending.popleft()
                yield renumber(result.rstrip(b"\n"), position, number)
            status = self.process.wait()
            self._feeder.join()
            summary = self._summary()
            if self._feed_error is not None and status in ACCEPTED_EXIT_CODES:
                raise PartitionFailed(
                    "feeding the partition to decrypt-file failed with %s (exit status %d: %s)"
                    % (type(self._feed_error).__name__, status, summary)) from self._feed_error
            if status not in ACCEPTED_EXIT_CODES:
                raise PartitionFailed("decrypt-file exited with status %d: %s" % (status, summary))
            if self._pending:
                raise PartitionFailed(
                    "decrypt-file answered %d records fewer than it was given (exit status %d: %s)"
                    % (len(self._pending), status, summary))
            sys.stderr.write(summary + "\n")  # decrypt-file's counts, in the executor's log
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            self._stderr.close()

    def _summary(self):
        """decrypt-file's last stderr lines: its summary or its error, which never hold a key."""
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").strip().splitlines()
        return " | ".join(lines[-3:]) if lines else "(nothing on stderr)"


def decrypt_partitions(command_for_worker, first_line_numbers, line_counts):
    """The function run on every partition: its lines in, its results out, in the same order."""

    def run(index, rows):
        decrypt = PartitionRun(command_for_worker(), first_line_numbers[index], rows)
        yield from decrypt.results()
        if decrypt.lines_read != line_counts[index]:
            # The two reads of the archive split it differently: line numbers would be wrong.
            raise PartitionFailed(
                "partition %d had %d lines, the counting pass saw %d"
                % (index, decrypt.lines_read, line_counts[index]))

    return run


def decrypt_file_command(binary, options, jobs):
    """A function giving decrypt-file's argv on a worker, where the shipped binary lives."""

    def command():
        path = binary if os.sep in binary else SparkFiles.get(binary)
        return [path, "decrypt-file", "-", "--format", "jsonl", "--jobs", str(jobs), "--no-progress"] + options

    return command


def parse_arguments(argv):
    parser = argparse.ArgumentParser(
        description="Decrypt a JSON Lines archive with wxdecrypt decrypt-file, one process per Spark partition.")
    parser.add_argument("archive", help="The JSON Lines archive (any path Spark reads: file:, hdfs:, s3a:).")
    parser.add_argument("--output", help="The result directory (default: ARCHIVE.results beside the archive).")
    parser.add_argument(
        "--binary", default="wxdecrypt",
        help="The wxdecrypt executable: a name shipped with --files (the default, 'wxdecrypt') "
             "or a path that exists on every worker.")
    parser.add_argument("--app-id", help="The appid for records without one.")
    parser.add_argument("--max-age", type=int, help="Reject payloads older than this many seconds.")
    parser.add_argument("--now", type=int, help="Fix the clock (Unix seconds) for the --max-age check.")
    parser.add_argument("--mask", action="store_true", help="Mask phone numbers.")
    return parser.parse_args(argv)


def decrypt_file_options(arguments):
    options = []
    if arguments.app_id is not None:
        options += ["--app-id", arguments.app_id]
    if arguments.max_age is not None:
        options += ["--max-age", str(arguments.max_age)]
    if arguments.now is not None:
        options += ["--now", str(arguments.now)]
    if arguments.mask:
        options.append("--mask")
    return options


def require_private_results(conf):
    """Refuses to start unless result files will be readable by their owner only.

    The umask must come from spark-submit: Hadoop caches the driver's file system before this
    script runs, so a value set here would not reach the files the driver creates.
    """
    umask = conf.get(UMASK_SETTING, None)
    try:
        private = umask is not None and int(umask, 8) & 0o077 == 0o077
    except ValueError:
        private = False
    if not private:
        sys.exit(
            "decrypt_archive: the results hold phone numbers; pass spark-submit --conf %s=077 "
            "so that they are written 0600 (now: %s)" % (UMASK_SETTING, umask or "not set"))


def main(argv):
    arguments = parse_arguments(argv)
    output = arguments.output or arguments.archive.rstrip("/") + ".results"
    spark = SparkSession.builder.appName("wxdecrypt decrypt-file").getOrCreate()
    try:
        require_private_results(spark.sparkContext.getConf())
        started = time.monotonic()
        # Lines end at LF only, as for decrypt-file (a CR before it stays, and decrypt-file
        # ignores it). Lines cross to Python in base64 so that their bytes arrive as they are,
        # invalid UTF-8 included; as BinaryType they crossed about twice as slowly here.
        lines = spark.read.option("lineSep", "\n").text(arguments.archive).select(
            F.base64(F.col("value").cast("binary")))
        # A first pass, in the JVM only, gives every partition the archive line number it starts
        # at, so that records without an id get the same id as in one decrypt-file run.
        counts = dict(
            lines.groupBy(F.spark_partition_id().alias("partition")).count().collect())
        partitions = lines.rdd.getNumPartitions()
        line_counts = [counts.get(index, 0) for index in range(partitions)]
        first_line_numbers = [1 + before for before in itertools.accumulate(line_counts, initial=0)]
        jobs = int(spark.conf.get("spark.task.cpus", "1"))
        command = decrypt_file_command(arguments.binary, decrypt_file_options(arguments), jobs)
        results = lines.rdd.mapPartitionsWithIndex(decrypt_partitions(command, first_line_numbers, line_counts))
        counted = time.monotonic()
        results.saveAsTextFile(output)
        print("decrypt_archive: %d lines in %d partitions, counted in %.1f s, decrypted in %.1f s, results in %s"
              % (sum(line_counts), partitions, counted - started, time.monotonic() - counted, output))
    finally:
        spark.stop()


if __name__ == "__main__":
    main(sys.argv[1:])
