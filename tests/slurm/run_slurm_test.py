"""The workflow on a real one-node SLURM cluster, through the shipped profile (`make test-slurm`).

Starts munged, slurmctld and slurmd (Debian's slurm-wlm and munge; installed with apt-get when
missing, as root) with a config written under a temporary directory, then runs a tiny config through
profiles/slurm and checks:

1. every job that is not a local rule went through sbatch with the threads, memory, time and
   partition the profile and the rules ask for (read back with `scontrol show job`); the k2p
   simulation's chunks as one job array;
2. `scancel` of a running job: the profile's retry resubmits it and the run completes;
3. SIGKILL of the head snakemake mid-run (its jobs cancelled as a user would): the rerun completes and
   the final outputs equal those of the first run byte for byte.

Overridden in the profile, because they cannot exist here: conda (no channels reachable) and the
GPU requests (no GPUs; train.gpus stays 0). The node declares 16 CPUs and 64 GB whatever the machine
has (SlurmdParameters=config_overrides), so train's 8 threads and 32,000 MB are submitted unchanged;
the partitions are called as in the profile (cpu, gpu). The status checks are made every few
seconds instead of the plugin's default, to keep the test short.

The daemons this script started are stopped by their pids at the end, pass or fail. Where SLURM
cannot be started (not root, no apt-get) it says so in one line and exits 2, or 0 with
DANQMOTIFS_SKIP_SLURM=1; never a silent pass. Run: python tests/slurm/run_slurm_test.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "profiles" / "slurm" / "config.yaml"
DAEMONS = ("munged", "slurmctld", "slurmd", "sbatch", "srun", "scontrol", "squeue", "scancel", "sinfo")

TINY = {
    "seed": 3,
    "data": {"simulate": {"motif_ids": ["MA0139.2", "MA0080.7"], "length": 100, "n_train": 300,
                          "n_valid": 100, "n_test": 100, "motif_density": 0.5,
                          "pairs": [["MA0139.2", "MA0080.7"]]}},
    "model": {"preset": "small", "kernels": 4, "kernel_width": 12, "pool": 5, "lstm_units": 4,
              "dense_units": 8},
    "train": {"max_epochs": 2, "patience": 1, "threads": 1},
    "motifs": {"n_sequences": 100, "threads": 1, "exactness_windows": 50},
    "figures": {"k2p_simulation": {"sample": 4, "chunk_size": 2,
                                   "sizes": {"n_positive": 100, "n_negative": 100},
                                   "training": {"max_epochs": 2}}},
}
# final outputs compared byte for byte between the runs
COMPARED = ["data/train.h5", "data/truth.meme", "model/history.tsv", "eval/test_auc.tsv",
            "motifs/kernels.h5", "motifs/exact.h5", "motifs/heuristic.h5", "motifs/base.json",
            "motifs/kernel_table.tsv", "motifs/exact.meme", "motifs/heuristic.meme",
            "match/matches.tsv", "match/best_matches.tsv", "summary.json", "eval/fidelity.tsv",
            "figures/k2p_simulation/motifs.tsv", "figures/k2p_simulation/wilcoxon.json"]


def say(msg: str) -> None:
    print(f"[slurm-test {time.strftime('%H:%M:%S')}] {msg}", flush=True)


class Unavailable(Exception):
    """SLURM cannot be started on this machine."""


def ensure_slurm() -> None:
    """Install slurm-wlm and munge with apt-get when a command is missing (root only)."""
    missing = [c for c in DAEMONS if shutil.which(c) is None]
    if not missing:
        return
    if os.geteuid() != 0:
        raise Unavailable(f"{', '.join(missing)} missing and not root (apt-get install slurm-wlm munge needs root)")
    if shutil.which("apt-get") is None:
        raise Unavailable(f"{', '.join(missing)} missing and no apt-get to install slurm-wlm and munge")
    say(f"installing slurm-wlm and munge ({', '.join(missing)} missing)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-qq"],
                ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "slurm-wlm", "munge"]):
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if r.returncode != 0:
            raise Unavailable(f"{' '.join(cmd)} failed: {r.stderr.strip()[-300:]}")
    still = [c for c in DAEMONS if shutil.which(c) is None]
    if still:
        raise Unavailable(f"{', '.join(still)} still missing after installing slurm-wlm and munge")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """munged, slurmctld and slurmd for one node, all under ``tmp``; stopped by pid."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.procs: list[tuple[str, subprocess.Popen]] = []
        self.conf = tmp / "slurm.conf"
        self.env = dict(os.environ, SLURM_CONF=str(self.conf))

    def write_config(self) -> None:
        t = self.tmp
        for d in ("state", "spool", "munge", "log"):
            (t / d).mkdir(exist_ok=True)
        host = socket.gethostname().split(".")[0]
        self.conf.write_text(f"""ClusterName=danqtest
SlurmctldHost={host}
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={t}/munge/munge.socket
CryptoType=crypto/munge
StateSaveLocation={t}/state
SlurmdSpoolDir={t}/spool
SlurmctldPidFile={t}/slurmctld.pid
SlurmdPidFile={t}/slurmd.pid
SlurmctldLogFile={t}/log/slurmctld.log
SlurmdLogFile={t}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=3600
MaxArraySize=1001
SchedulerParameters=sched_interval=2
NodeName={host} CPUs=16 RealMemory=64000 State=UNKNOWN
PartitionName=cpu Nodes={host} Default=YES MaxTime=INFINITE State=UP
PartitionName=gpu Nodes={host} MaxTime=INFINITE State=UP
""")
        # a key of its own, readable by root only (munged refuses anything else)
        key = t / "munge" / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        (t / "munge").chmod(0o700)

    def _start(self, name: str, cmd: list[str]) -> None:
        log = open(self.tmp / "log" / f"{name}.out", "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=self.env, start_new_session=True)
        self.procs.append((name, p))
        say(f"started {name} (pid {p.pid})")

    def start(self) -> None:
        t = self.tmp
        self._start("munged", ["munged", "--foreground", "--force", f"--socket={t}/munge/munge.socket",
                               f"--key-file={t}/munge/munge.key", f"--pid-file={t}/munge/munged.pid",
                               f"--log-file={t}/log/munged.log", f"--seed-file={t}/munge/seed"])
        self._wait(lambda: (t / "munge" / "munge.socket").exists(), "munged's socket", 20)
        self._start("slurmctld", ["slurmctld", "-D", "-i", "-f", str(self.conf)])
        self._start("slurmd", ["slurmd", "-D", "-f", str(self.conf)])
        self._wait(self._node_idle, "the node to become idle", 60)

    def _node_idle(self) -> bool:
        for name, p in self.procs:
            if p.poll() is not None:
                raise Unavailable(f"{name} exited ({p.returncode}): "
                                  + (self.tmp / "log" / f"{name}.out").read_text()[-500:].replace("\n", " | "))
        r = self.run(["sinfo", "-h", "-o", "%t"], check=False)
        return r.returncode == 0 and r.stdout.strip().startswith("idle")

    @staticmethod
    def _wait(cond, what: str, seconds: float) -> None:
        end = time.time() + seconds
        while time.time() < end:
            if cond():
                return
            time.sleep(0.5)
        raise Unavailable(f"timed out waiting for {what}")

    def run(self, cmd: list[str], check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(cmd, env=self.env, capture_output=True, text=True, check=check)

    def stop(self) -> None:
        subprocess.run(["scancel", "--full", "-u", "root"], env=self.env, capture_output=True)
        for name, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
            say(f"stopped {name} (pid {p.pid}, exit {p.returncode})")

    def jobs(self) -> list[dict]:
        """Every job the controller remembers (MinJobAge=3600): scontrol's fields."""
        out = self.run(["scontrol", "-o", "show", "job"], check=False).stdout
        jobs = []
        for line in out.splitlines():
            fields = dict(m.groups() for m in re.finditer(r"(\w+(?::\w+)?)=(\S*)", line))
            if fields.get("JobId"):
                jobs.append(fields)
        return sorted(jobs, key=lambda j: int(j["JobId"]))


def wrappers(tmp: Path, conf: Path) -> Path:
    """A directory for the front of PATH: its sbatch logs its arguments (one call a line) and runs
    the real sbatch; its srun runs the real srun with SLURM_CONF, which the jobs' nested srun would
    not see otherwise (the jobstep plugin drops SLURM_* variables, and this cluster's config is not
    at the default path)."""
    d = tmp / "bin"
    d.mkdir(exist_ok=True)
    (d / "sbatch").write_text(f"""#!/bin/sh
printf '%s\\n' "$*" >> {tmp}/sbatch_calls.txt
exec {shutil.which("sbatch")} "$@"
""")
    (d / "srun").write_text(f"""#!/bin/sh
SLURM_CONF={conf} exec {shutil.which("srun")} "$@"
""")
    for f in ("sbatch", "srun"):
        (d / f).chmod(0o755)
    return d


def test_profile(tmp: Path) -> Path:
    """The shipped profile, less what cannot exist here: conda and the GPU requests."""
    prof = yaml.safe_load(PROFILE.read_text())
    prof.pop("software-deployment-method", None)
    prof.pop("conda-frontend", None)
    for res in prof.get("set-resources", {}).values():
        res.pop("gpu", None)
    prof["seconds-between-status-checks"] = 5
    prof["slurm-init-seconds-before-status-checks"] = 3
    d = tmp / "profile"
    d.mkdir(exist_ok=True)
    (d / "config.yaml").write_text(yaml.safe_dump(prof, sort_keys=False))
    return d


def snakemake_cmd(work: Path, profile: Path) -> list[str]:
    return [sys.executable, "-m", "snakemake", "-s", str(ROOT / "Snakefile"), "-d", str(work),
            "--configfile", str(work / "tiny.yaml"), "--workflow-profile", str(profile),
            "all", "k2p_simulation"]


HEADS: list[subprocess.Popen] = []        # the snakemake runs started, killed at the end if left


def start_run(cluster: Cluster, work: Path, profile: Path, env: dict, name: str) -> subprocess.Popen:
    log = open(work.parent / f"{name}.log", "w")
    say(f"run {name}: snakemake in {work}")
    p = subprocess.Popen(snakemake_cmd(work, profile), cwd=work, env=env, stdout=log,
                         stderr=subprocess.STDOUT, start_new_session=True)
    HEADS.append(p)
    return p


def finish(p: subprocess.Popen, name: str, work: Path, timeout: float = 900) -> None:
    try:
        rc = p.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        raise AssertionError(f"run {name} did not finish in {timeout} s")
    log = (work.parent / f"{name}.log").read_text()
    assert rc == 0, f"run {name} failed ({rc}):\n{log[-4000:]}"
    say(f"run {name}: done")


def jobs_of(cluster: Cluster, work: Path) -> list[dict]:
    """The jobs of the run in ``work`` (its jobs' working directory)."""
    return [j for j in cluster.jobs() if j.get("WorkDir") == str(work)]


def running_job(cluster: Cluster, rule: str, work: Path, timeout: float = 900) -> dict:
    """Wait until a job of ``rule`` of the run in ``work`` is RUNNING; return its fields."""
    end = time.time() + timeout
    while time.time() < end:
        for j in jobs_of(cluster, work):
            if j.get("JobState") == "RUNNING" and rule_of(j) == rule:
                return j
        time.sleep(1)
    raise AssertionError(f"no job of rule {rule} ran within {timeout} s")


def rule_of(job: dict) -> str:
    """The rule of a job, from the plugin's --comment (rule_<name>_wildcards_...)."""
    m = re.match(r"rule_(.+?)(_wildcards.*)?$", job.get("Comment", ""))
    return m.group(1) if m else job.get("Comment", "?")


def digest(work: Path) -> dict:
    out = {}
    for rel in COMPARED:
        p = work / "results" / rel
        assert p.is_file(), f"{p} missing"
        out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def local_rules() -> set[str]:
    text = "".join(p.read_text() for p in [ROOT / "Snakefile", *sorted((ROOT / "workflow/rules").glob("*.smk"))])
    out = set()
    for block in re.findall(r"localrules:\n((?:\s+\w+,?\n)+)", text):
        out |= {w.strip(" ,") for w in block.split() if w.strip(" ,")}
    return out | {"all"}


def check_requests(cluster: Cluster, calls: list[str], work: Path) -> list[str]:
    """Every submitted job's CPUs, memory, time and partition against the profile and the rules."""
    prof = yaml.safe_load(PROFILE.read_text())
    report = []
    by_rule: dict[str, list[dict]] = {}
    for j in jobs_of(cluster, work):
        by_rule.setdefault(rule_of(j), []).append(j)
    train = [j for j in by_rule.get("train", []) if j.get("JobState") == "COMPLETED"]
    assert train, f"no completed train job: {sorted(by_rule)}"
    j = train[-1]
    want = prof["set-resources"]["train"]
    assert j["NumCPUs"] == str(prof["set-threads"]["train"]), j["NumCPUs"]
    assert j.get("MinMemoryNode") == f"{want['mem_mb']}M" or j.get("mem") == f"{want['mem_mb']}M", j
    assert j["Partition"] == want["slurm_partition"]
    assert j["TimeLimit"] == "2-00:00:00", j["TimeLimit"]                 # 2880 minutes
    report.append(f"train: NumCPUs={j['NumCPUs']} MinMemoryNode={j.get('MinMemoryNode')} "
                  f"TimeLimit={j['TimeLimit']} Partition={j['Partition']}")
    ld = [j for j in by_rule.get("load_data", []) if j.get("JobState") == "COMPLETED"][-1]
    assert ld["NumCPUs"] == "1" and ld["MinMemoryNode"] == "2000M" and ld["Partition"] == "cpu", ld
    assert ld["TimeLimit"] == "00:30:00", ld["TimeLimit"]
    report.append(f"load_data: NumCPUs={ld['NumCPUs']} MinMemoryNode={ld['MinMemoryNode']} "
                  f"TimeLimit={ld['TimeLimit']} Partition={ld['Partition']}")
    train_call = next(c for c in calls if "--comment rule_train " in c).split(" --wrap")[0]
    small_call = next(c for c in calls if "--comment rule_load_data " in c).split(" --wrap")[0]
    report.append(f"sbatch args, train: {train_call}")
    report.append(f"sbatch args, load_data: {small_call}")
    # no local rule was submitted
    submitted = set(by_rule)
    assert not submitted & local_rules(), submitted & local_rules()
    # the k2p chunks: one array job
    chunks = [j for j in jobs_of(cluster, work) if "rule_k2p_simulation_chunk" in j.get("Comment", "")
              or j.get("ArrayJobId") and "k2p_simulation_chunk" in j.get("Comment", "")]
    arrays = {j.get("ArrayJobId") for j in chunks if j.get("ArrayTaskId")}
    assert chunks and len(arrays) >= 1 and all(a for a in arrays), chunks
    report.append(f"k2p chunks: {len([j for j in chunks if j.get('ArrayTaskId')])} array tasks in "
                  f"{len(arrays)} array job(s) {sorted(arrays)}")
    return report


class Report(list):
    """Result lines, each printed as it comes."""

    def append(self, line: str) -> None:
        say(line)
        super().append(line)

    def __iadd__(self, lines):
        for line in lines:
            self.append(line)
        return self


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--keep", type=Path, help="work here and keep it (default: a temporary directory, removed)")
    args = ap.parse_args()
    t0 = time.time()
    # stopped from outside (CI timeout, Ctrl-C, kill): still stop the daemons (the finally below)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)
    skip = os.environ.get("DANQMOTIFS_SKIP_SLURM") == "1"
    try:
        ensure_slurm()
    except Unavailable as exc:
        print(f"SLURM test not run: {exc}" + (" (skipped: DANQMOTIFS_SKIP_SLURM=1)" if skip else
              "; set DANQMOTIFS_SKIP_SLURM=1 to skip it"), flush=True)
        return 0 if skip else 2
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="danq-slurm-"))
    tmp.mkdir(parents=True, exist_ok=True)
    cluster = Cluster(tmp)
    ok = False
    try:
        cluster.write_config()
        try:
            cluster.start()
        except Unavailable as exc:
            print(f"SLURM test not run: the daemons did not start: {exc}" + (
                " (skipped: DANQMOTIFS_SKIP_SLURM=1)" if skip else "; set DANQMOTIFS_SKIP_SLURM=1 to skip it"))
            return 0 if skip else 2
        profile = test_profile(tmp)
        env = dict(cluster.env, PATH=f"{wrappers(tmp, cluster.conf)}:{os.environ['PATH']}", PYTHONHASHSEED="0",
                   TF_CPP_MIN_LOG_LEVEL="2")
        report = Report()

        # two runs of the same config at once: a (one running job cancelled, retried by the
        # profile) and b (the head snakemake SIGKILLed mid-run, its jobs cancelled, then rerun)
        a, b = tmp / "a", tmp / "b"
        for w in (a, b):
            w.mkdir()
            (w / "tiny.yaml").write_text(yaml.safe_dump(TINY))
        pa = start_run(cluster, a, profile, env, "a")
        pb = start_run(cluster, b, profile, env, "b-killed")
        victim = running_job(cluster, "load_data", a)
        cluster.run(["scancel", victim["JobId"]])
        say(f"scancel {victim['JobId']} (load_data of run a, running)")
        running_job(cluster, "train", b)
        os.killpg(pb.pid, signal.SIGKILL)
        pb.wait()
        left = [j["JobId"] for j in jobs_of(cluster, b) if j["JobState"] in ("RUNNING", "PENDING")]
        for jid in left:
            cluster.run(["scancel", jid], check=False)
        say(f"SIGKILL of run b's head snakemake (pid {pb.pid}) while its train job ran; scancel of its jobs {left}")
        # what a user does next: remove the killed run's lock, run the same command again
        r = subprocess.run(snakemake_cmd(b, profile) + ["--unlock"], cwd=b, env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        pb = start_run(cluster, b, profile, env, "b-rerun")
        finish(pa, "a", a)
        ld_states = [j["JobState"] for j in jobs_of(cluster, a) if rule_of(j) == "load_data"]
        assert "CANCELLED" in ld_states and ld_states[-1] == "COMPLETED", ld_states
        report.append(f"scancel of run a's running load_data job {victim['JobId']}: its jobs' states "
                      f"{ld_states}; the run completed")
        calls = [c for c in (tmp / "sbatch_calls.txt").read_text().splitlines() if f"-D {a} " in c]
        report += check_requests(cluster, calls, a)
        report.append(f"run a: {len(calls)} sbatch calls (one a resubmission after the scancel), "
                      f"{len(jobs_of(cluster, a))} SLURM jobs counting array tasks; "
                      f"jobs by rule/group: {sorted(rule_of(j)[:40] for j in jobs_of(cluster, a))}")
        ref = digest(a)
        finish(pb, "b-rerun", b)
        got = digest(b)
        diff = [k for k in ref if ref[k] != got[k]]
        assert not diff, f"outputs differ after the SIGKILL rerun: {diff}"
        report.append(f"SIGKILL of run b's head mid-run: the rerun completed; its {len(ref)} final outputs "
                      "equal run a's byte for byte")
        report.append(f"wall time: {time.time() - t0:.0f} s")
        say("summary:\n  " + "\n  ".join(report))
        ok = True
        return 0
    finally:
        for p in HEADS:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        cluster.stop()
        if not ok:
            for log in sorted((tmp).glob("*.log")) + sorted((tmp / "log").glob("*")):
                print(f"--- {log} (tail)\n{log.read_text(errors='replace')[-3000:]}")
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        say("PASS" if ok else "FAIL")


if __name__ == "__main__":
    sys.exit(main())
