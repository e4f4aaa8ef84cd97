"""Bad input gives one message naming file, problem and fix; failures leave no partial output."""

import os

import pytest

from danqmotifs.errors import InputError, atomic_output, run_guarded


def test_message_names_file_problem_and_fix():
    e = InputError("data/x.fa", "letter 'Z' at position 3", "remove it")
    assert str(e) == "data/x.fa: letter 'Z' at position 3. Fix: remove it."


def test_atomic_output_renames_only_on_success(tmp_path):
    out = tmp_path / "sub" / "a.txt"
    with atomic_output(out) as tmp:
        tmp.write_text("done")
        assert not out.exists()
    assert out.read_text() == "done"
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
    assert "in.fa: empty FASTA. Fix: give at least one record." in err
