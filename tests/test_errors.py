"""Bad input gives one message naming file, problem and fix; failures leave no partial output."""

import os

import pytest

from danqmotifs.core.errors import InputError, atomic_output, run_guarded


def test_message_names_file_problem_and_fix():
    e = InputError("data/x.fa", "letter 'Z' at position 3", "remove it")
    assert str(e) == "data/x.fa: letter 'Z' at position 3. Fix: remove it."


def test_atomic_output_renames_only_on_success(tmp_path):
    out = tmp_path / "sub" / "a.txt"
    with atomic_output(out) as tmp:
        tmp.write_text("done")
        assert not out.exists()
    assert out.read_text() == "done"
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    with pytest.raises(RuntimeError):
        with atomic_output(tmp_path / "b.txt") as tmp:
            tmp.write_text("half")
            raise RuntimeError("crash")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sub"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_directory(tmp_path):
    d = tmp_path / "ro"
    d.mkdir()
    d.chmod(0o500)
    try:
        with pytest.raises(InputError, match="not writable"):
            with atomic_output(d / "x.txt"):
                pass
    finally:
        d.chmod(0o700)


def test_unwritable_directory_under_a_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(InputError, match="cannot create the output directory"):
        with atomic_output(blocker / "x.txt"):
            pass


def test_run_guarded_removes_outputs_and_exits_1(tmp_path, capsys):
    out = tmp_path / "partial.txt"

    def main():
        out.write_text("partial")
        raise InputError(tmp_path / "in.fa", "empty FASTA", "give at least one record")

    with pytest.raises(SystemExit) as ei:
        run_guarded(main, [out])
    assert ei.value.code == 1 and not out.exists()
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "in.fa: empty FASTA. Fix: give at least one record." in err


def test_killed_writer_leaves_no_file_a_rerun_would_trust(tmp_path):
    """SIGKILL in the middle of writing a large split: the final path never appears (only a
    hidden temporary file, which nothing reads), so a rerun starts over."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "data" / "train.h5"
    code = (
        "import numpy as np\n"
        "from danqmotifs.sources.datafile import DataWriter\n"
        f"w = DataWriter({str(out)!r}, 1000, ['t'], 'test', 'train')\n"
        "with w:\n"
        "    rng = np.random.default_rng(0)\n"
        "    while True:\n"
        "        w.append(rng.integers(0, 4, (4096, 1000), dtype=np.uint8), np.zeros((4096, 1), np.uint8))\n"
        "        print(w.n, flush=True)\n"
    )
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert int(p.stdout.readline()) > 0          # it is writing
    time.sleep(0.5)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert not out.exists()
    assert all(f.name.startswith(".") for f in out.parent.iterdir())
