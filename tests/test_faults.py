"""Fault injection on the tiny preset: a two-process run killed mid-training, its launcher killed with `kill -9`,
two writers racing for one folder, litter in the system temp directory. The single-process kill/resume cases live in
`test_growth.py` and `test_checkpoint_safety.py`; bad values by class in `test_cli_errors.py`."""
import os, signal, subprocess, sys, tempfile, time
from pathlib import Path

import pytest
import torch
import yaml

from conftest import ROOT, cli
from treediffusion.core import alive

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process-tree checks read /proc")



@pytest.fixture(scope="module")
def long_tiny(tmp_path_factory):
    "The tiny preset with enough diffusion steps that a kill lands mid-training, a checkpoint every 4 steps."
    cfg = yaml.safe_load((ROOT / "configs/tiny.yml").read_text())
    cfg["diffusion"].update(max_steps=48, checkpoint_every=4)
    p = tmp_path_factory.mktemp("cfg") / "tiny-long.yml"; p.write_text(yaml.safe_dump(cfg))
    return p


def processes_writing(folder) -> list:
    "Live processes whose command line names `folder`."
    out = []
    for p in Path("/proc").iterdir():
        if not p.name.isdigit() or int(p.name) == os.getpid(): continue
        try:
            if str(folder) in (p / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace") and alive(int(p.name)): out.append(int(p.name))
        except OSError: pass
    return out


def wait_gone(folder, seconds=20.0) -> list:
    t0 = time.time()
    while (left := processes_writing(folder)) and time.time() - t0 < seconds: time.sleep(0.1)
    return left


def tensors(path) -> dict:
    "Every tensor of a diffusion checkpoint, by dotted key."
    c = torch.load(path, map_location="cpu", weights_only=True)
    flat = {}
    def walk(x, k):
        if torch.is_tensor(x): flat[k] = x
        elif isinstance(x, dict): [walk(v, f"{k}.{kk}") for kk, v in x.items()]
        elif isinstance(x, (list, tuple)): [walk(v, f"{k}.{i}") for i, v in enumerate(x)]
    for k in ("model", "ema", "opt", "rngs"): walk(c[k], k)
    return flat | {"step": torch.tensor(c["step"])}


def two_process_run(cfg, tree_dir, out):
    return cli("run", "--config", cfg, "--tree", tree_dir, "--processes", 2, "--out", out)


def test_killed_two_process_run_resumes_bit_for_bit(tree_dir, long_tiny, tmp_path):
    "kill -9 of `run --processes 2` mid-training stops its workers; the rerun resumes to exactly the uninterrupted model."
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    temp_before = set(os.listdir(tempfile.gettempdir()))
    r = subprocess.run(two_process_run(long_tiny, tree_dir, whole), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-3000:]
    litter = set(os.listdir(tempfile.gettempdir())) - temp_before
    assert not [n for n in litter if "torchelastic" in n], f"left in the system temp directory: {litter}"   # what the launcher leaves (other tmp* belong to other programs)

    ck = cut / "diffusion" / "diffusion.pt"
    boss = subprocess.Popen(two_process_run(long_tiny, tree_dir, cut), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    t0 = time.time()
    while not ck.exists() and boss.poll() is None and time.time() - t0 < 300: time.sleep(0.02)
    boss.send_signal(signal.SIGKILL); boss.wait()                    # the launcher only: nothing it could catch
    assert not wait_gone(cut), "workers kept running after their launcher was killed"
    step = torch.load(ck, map_location="cpu", weights_only=True)["step"]
    assert 0 < step < 48, f"the kill landed at step {step}: raise max_steps so that it lands mid-training"

    r = subprocess.run(two_process_run(long_tiny, tree_dir, cut), capture_output=True, text=True, cwd=ROOT)
    said = [l for l in r.stderr.splitlines() if "error:" in l]            # a worker's one-line error, above the launcher's traceback
    assert r.returncode == 0, (said, r.stderr[-2000:])
    assert f"resuming diffusion training from {ck} at step {step}" in r.stdout + r.stderr
    a, b = tensors(whole / "diffusion" / "diffusion.pt"), tensors(ck)
    assert a.keys() == b.keys() and len(a["rngs.1.cpu" if "rngs.1.cpu" in a else "step"]) > 0
    differ = [k for k in a if not torch.equal(a[k], b[k])]
    assert not differ, f"{len(differ)} of {len(a)} tensors differ from the uninterrupted run, e.g. {differ[:3]}"
    assert not (cut / "diffusion" / ".launch").exists()


def test_second_writer_is_refused(tree_dir, tmp_path):
    "While one process writes a folder, a command into it stops with one line; once the writer is killed (-9) the folder is free."
    out = tmp_path / "dm"
    hold = (f"import sys, time; from treediffusion.config import claim_output, load_config; "
            f"claim_output({str(out)!r}, load_config({str(ROOT / 'configs/tiny.yml')!r})); print('held', flush=True); time.sleep(300)")
    writer = subprocess.Popen([sys.executable, "-c", hold], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert writer.stdout.readline().strip() == "held"
    cmd = cli("fit-diffusion", "--tree", tree_dir, "--config", ROOT / "configs/tiny.yml", "--out", out)
    second = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert second.returncode == 2 and "is being written by process" in second.stderr, second.stderr[-2000:]
    assert "Traceback" not in second.stderr and not (out / "diffusion.pt").exists()
    writer.send_signal(signal.SIGKILL); writer.wait()                  # the lock dies with its holder
    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 0, again.stderr[-2000:]
