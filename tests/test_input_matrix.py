"""The reader matrix of docs/inputs.md: every text reader against the corner cases that used to
change data quietly (byte-order marks, CR-only line endings, blank lines inside matrices), and the
path and integer options that no library reads as written (``~``, integers beyond int64).

Each case is (reader, the bytes of the file, what must come out: a value or an error's words).
"""

from __future__ import annotations

import errno

import numpy as np
import pytest

from danqmotifs.core.errors import InputError

BOM = "\ufeff"
REC = ">r1 first\nACGTAC\n>r2\nGGCCTA\n"


def _fasta(text):
    from danqmotifs.formats.fasta import iter_fasta

    return [(rid, seq.decode()) for rid, seq, _ in iter_fasta(text)]


def _labels(path):
    from danqmotifs.sources.fasta import read_labels

    names, ids, y = read_labels(path)
    return names, ids, y.tolist()


def _bed(path):
    from danqmotifs.sources.bed import read_bed

    r = read_bed(path)
    return r.target_names, r.chroms, r.starts.tolist()


def _names(path):
    from danqmotifs.sources.deepsea import read_target_names

    return read_target_names(path, 2)


def _meme(path):
    from danqmotifs.formats.meme import read_meme

    return [(m.id, m.pwm.tolist()) for m in read_meme(path)[0]]


def _kernel_text(path):
    from danqmotifs.formats.kernel_text import parse_kernel_text

    return parse_kernel_text(path.read_text(encoding="utf-8"), path).tolist()


def _targets_txt(path):
    from danqmotifs.model.predict import default_target_names

    return default_target_names(path.parent / "model.keras", 2, path)


MEME = ("MEME version 4\n\nALPHABET= ACGT\n\nMOTIF m1\nletter-probability matrix: alength= 4 w= 2\n"
        "0.7 0.1 0.1 0.1\n0.1 0.1 0.1 0.7\n")
MEME_ROWS = [("m1", [[0.7, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.7]])]
FASTA_RECORDS = [("r1", "ACGTAC"), ("r2", "GGCCTA")]
LABELS = (["A", "B"], ["r1", "r2"], [[1, 0], [0, 1]])
BED_OK = (["A", "B"], ["chr1", "chr2"], [10, 30])

CASES = [
    # reader, id, file text, expected value or ("error", words)
    (_fasta, "fasta_lf", REC, FASTA_RECORDS),
    (_fasta, "fasta_crlf", REC.replace("\n", "\r\n"), FASTA_RECORDS),
    (_fasta, "fasta_cr_only", REC.replace("\n", "\r"), FASTA_RECORDS),
    (_fasta, "fasta_bom", BOM + REC, FASTA_RECORDS),
    (_fasta, "fasta_sequence_before_header", "ACGT\n" + REC, ("error", "before the first '>'")),
    (_labels, "labels_lf", "id\tA\tB\nr1\t1\t0\nr2\t0\t1\n", LABELS),
    (_labels, "labels_bom", BOM + "id\tA\tB\nr1\t1\t0\nr2\t0\t1\n", LABELS),
    (_labels, "labels_cr_only", "id\tA\tB\rr1\t1\t0\rr2\t0\t1\r", LABELS),
    (_labels, "labels_comment_line", "id\tA\tB\nr1\t1\t0\n# r2 later\nr2\t0\t1\n",
     ("error", "line 3 ('# r2 later') is a comment line")),
    (_labels, "labels_half", "id\tA\tB\nr1\t1\t0.5\n", ("error", "line 2 ('r1\\t1\\t0.5'): the label '0.5' is not 0 or 1")),
    (_bed, "bed_lf", "#chrom\tstart\tend\tA\tB\nchr1\t10\t20\t1\t0\nchr2\t30\t40\t0\t1\n", BED_OK),
    (_bed, "bed_bom", BOM + "#chrom\tstart\tend\tA\tB\nchr1\t10\t20\t1\t0\nchr2\t30\t40\t0\t1\n", BED_OK),
    (_bed, "bed_cr_only", "#chrom\tstart\tend\tA\tB\rchr1\t10\t20\t1\t0\rchr2\t30\t40\t0\t1\r", BED_OK),
    (_bed, "bed_chr_header", "#chr\tstart\tend\tA\tB\nchr1\t10\t20\t1\t0\nchr2\t30\t40\t0\t1\n", BED_OK),
    (_bed, "bed_header_without_hash", "chrom\tstart\tend\tA\tB\nchr1\t10\t20\t1\t0\n",
     ("error", "header line without '#'")),
    (_bed, "bed_integer_beyond_int64", "chr1\t10\t99999999999999999999\t1\n", ("error", "beyond any chromosome")),
    (_names, "names_lf", "CTCF\nDNase\n", ["CTCF", "DNase"]),
    (_names, "names_bom", BOM + "CTCF\nDNase\n", ["CTCF", "DNase"]),
    (_names, "names_cr_only", "CTCF\rDNase\r", ["CTCF", "DNase"]),
    (_targets_txt, "targets_txt_bom", BOM + "CTCF\nDNase\n", ["CTCF", "DNase"]),
    (_meme, "meme_lf", MEME, MEME_ROWS),
    (_meme, "meme_bom", BOM + MEME, MEME_ROWS),
    (_meme, "meme_cr_only", MEME.replace("\n", "\r"), MEME_ROWS),
    (_meme, "meme_blank_line_inside_matrix", MEME.replace("0.1\n0.1", "0.1\n\n0.1"), MEME_ROWS),
    (_meme, "meme_row_missing", MEME.replace("0.1 0.1 0.1 0.7\n", ""), ("error", "expected 2 matrix rows, found 1")),
    (_kernel_text, "kernel_bom", BOM + "1 2 3 4\n5 6 7 8\n", [[1, 2, 3, 4], [5, 6, 7, 8]]),
    (_kernel_text, "kernel_blank_line_inside", "1 2 3 4\n\n5 6 7 8\n", [[1, 2, 3, 4], [5, 6, 7, 8]]),
]


@pytest.mark.parametrize("reader,text,expected", [c[0:1] + c[2:] for c in CASES], ids=[c[1] for c in CASES])
def test_reader_matrix(tmp_path, reader, text, expected):
    p = tmp_path / "input.txt"
    p.write_bytes(text.encode("utf-8"))
    if isinstance(expected, tuple) and expected and expected[0] == "error":
        with pytest.raises(InputError) as err:
            reader(p)
        assert str(p) in str(err.value) and expected[1] in str(err.value), str(err.value)
    else:
        got = reader(p)
        assert got == expected


def test_truncated_matlab_v5_is_called_truncated_not_missing(tmp_path):
    from helpers.deepsea import write_mat5

    from danqmotifs.sources.deepsea import MatSplit

    rng = np.random.default_rng(0)
    full = tmp_path / "train.mat"
    write_mat5(full, "train", rng.integers(0, 4, (50, 100)), rng.integers(0, 2, (50, 3)))
    cut = tmp_path / "cut.mat"
    cut.write_bytes(full.read_bytes()[: full.stat().st_size * 6 // 10])
    with pytest.raises(InputError, match=r"cut.mat: the MATLAB v5 file ends inside a variable \(truncated"):
        MatSplit(cut, "train")


@pytest.mark.parametrize("cfg,words", [
    ({"data": {"fasta": {"fasta": "~/seqs.fa"}}}, ["config: data.fasta.fasta", "starts with '~'"]),
    ({"evaluate": {"predict": ["a.fa", "~x/b.fa"]}}, ["config: evaluate.predict[1]"]),
    ({"train": {"epochs": 2**64}}, ["config: train.epochs", "beyond what the libraries take"]),
])
def test_config_values_no_library_reads_as_written(cfg, words):
    from danqmotifs.run.config_checks import check_values

    with pytest.raises(InputError) as err:
        check_values(cfg)
    for w in words:
        assert w in str(err.value)
    check_values({"seed": 2**32 - 1, "results": "results", "data": {"fasta": {"fasta": "a~b.fa"}}})


def test_results_directory_that_cannot_be_written_is_a_message(tmp_path, monkeypatch):
    from pathlib import Path

    from danqmotifs.run.config_checks import claim_results

    def full(self, *a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(InputError, match=r"cannot write to the results directory .*No space left on device"):
        claim_results(str(tmp_path / "res"), tmp_path)


def test_log_on_a_full_disk_still_reaches_the_console():
    from danqmotifs.core.logsetup import _Tee

    class Full:
        def write(self, s):
            raise OSError(errno.ENOSPC, "No space left on device")

        def flush(self):
            pass

    class Console:
        text = ""

        def write(self, s):
            self.text += s

        def flush(self):
            pass

    console = Console()
    tee = _Tee(Full(), console)
    tee.write("error: disk full\n")
    tee.write("again\n")
    assert console.text == "error: disk full\nagain\n"


def test_a_crash_leaves_its_traceback_in_the_rule_log(tmp_path):
    from danqmotifs.core.logsetup import script_logging

    log = tmp_path / "logs" / "train.log"
    with pytest.raises(ZeroDivisionError):
        with script_logging(log):
            print("epoch 1")
            1 / 0
    text = log.read_text()
    assert "epoch 1" in text and "Traceback" in text and "ZeroDivisionError" in text


def test_unwritable_log_is_a_warning_not_a_traceback(tmp_path, capsys):
    from danqmotifs.core.logsetup import script_logging

    (tmp_path / "logs").write_text("a file where the log directory should be")
    with script_logging(tmp_path / "logs" / "x.log"):
        print("still runs")
    assert "cannot write the log" in capsys.readouterr().err
