"""Every kind of bad input to the console command ends with one `error:` line on stderr and exit code 2, no traceback, nothing run.

One process imports torch and every subcommand's module once, then forks a child per bad input that runs the console
command's `main` with that argv (its own stderr, its own exit code): seconds per case, not a Python and torch start-up each.
One case also goes through the installed console script itself."""
import json, os, pickle, re, shutil, subprocess, sys

import pytest

from conftest import ROOT, Payload, cli
from treediffusion.checkpoint import load_checkpoint, save_checkpoint


def cases(tmp):
    typo = (ROOT / "configs/tiny.yml").read_text().replace("  epochs_finetune:", "  epochs_finetunee:")
    (tmp / "typo.yml").write_text(typo)
    (tmp / "neg.yml").write_text(re.sub(r"(?m)^  max_steps: \d+", "  max_steps: -5", (ROOT / "configs/tiny.yml").read_text()))
    for name in ("truncated", "crafted"): (tmp / name).mkdir()
    shutil.copyfile(ROOT / "pretrained/fashion-mnist-cpu/config.yml", tmp / "truncated/config.yml")
    (tmp / "truncated/diffusion.pt").write_bytes((ROOT / "pretrained/fashion-mnist-cpu/diffusion.pt").read_bytes()[:5000])
    (tmp / "crafted/diffusion.pt").write_bytes(pickle.dumps({"kind": "diffusion", "x": Payload(str(tmp / "pwned"))}))
    tiny = (ROOT / "configs/tiny.yml").read_text()
    (tmp / "empty.yml").write_text("")
    (tmp / "null.yml").write_text("name: mine\ndiffusion:\n")
    (tmp / "inf.yml").write_text(tiny.replace("growth:\n", "growth:\n  lr: .inf\n", 1))
    (tmp / "text.yml").write_text(tiny.replace("growth:\n", "growth:\n  lr: fast\n", 1))
    model = ROOT / "pretrained/fashion-mnist-cpu"
    (tmp / "done").mkdir(); (tmp / "done/config.yml").write_text(tiny)                       # a folder holding a run of seed 0
    (tmp / "seed7.yml").write_text(tiny.replace("seed: 0", "seed: 7", 1))
    (tmp / "flipped").mkdir()
    for f in ("config.yml", "treevae.pt"): shutil.copyfile(model / f, tmp / "flipped" / f)
    ck = load_checkpoint(model / "diffusion.pt"); save_checkpoint(ck, tmp / "flipped/diffusion.pt")        # saved with its digest
    raw = bytearray((tmp / "flipped/diffusion.pt").read_bytes())
    w = next(v for v in ck["model"].values() if v.numel() > 1000).numpy().tobytes()
    raw[raw.find(w) + len(w) // 2] ^= 0x10; (tmp / "flipped/diffusion.pt").write_bytes(bytes(raw))       # one bit in one weight
    (tmp / "cut-tree").mkdir(); (tmp / "cut-tree/treevae.pt").write_bytes(b"weights")
    (tmp / "cut-tree/metrics.json").write_text('{"nmi": 0.61, "n_lea')                                 # cut off mid-write
    return {   # kind: (argv, a word the message must contain)
        "unknown config key": (["fit-tree", "--config", tmp / "typo.yml", "--out", tmp / "o1"], "epochs_finetunee"),
        "value out of range": (["fit-tree", "--config", tmp / "neg.yml", "--out", tmp / "o2"], "max_steps"),
        "missing config": (["fit-tree", "--config", tmp / "nope.yml", "--out", tmp / "o3"], "nope.yml"),
        "unknown dataset": (["data", "no-such-dataset", "--root", tmp], "no-such-dataset"),
        "missing model": (["sample", "--model", tmp / "no-model", "--out", tmp / "o4"], "no-model"),
        "truncated checkpoint": (["sample", "--model", tmp / "truncated", "--out", tmp / "o5"], "diffusion.pt"),
        "crafted checkpoint": (["sample", "--model", tmp / "crafted", "--out", tmp / "o6"], "diffusion.pt"),
        "bad argument": (["sample", "--n", "many"], "--n"),
        "config path not there": (["fit-tree", "--config", "configs/tiny.yml", "--out", tmp / "o1"], "--config tiny"),   # never the preset instead
        "empty config": (["fit-tree", "--config", tmp / "empty.yml", "--out", tmp / "o1"], "is empty"),
        "null section": (["fit-tree", "--config", tmp / "null.yml", "--out", tmp / "o1"], "'diffusion' is empty"),
        "non-finite value": (["fit-tree", "--config", tmp / "inf.yml", "--out", tmp / "o1"], "growth.lr"),
        "text for a number": (["fit-tree", "--config", tmp / "text.yml", "--out", tmp / "o1"], "growth.lr"),
        "zero samples": (["sample", "--model", model, "--n", "0", "--out", tmp / "o4"], "--n"),
        "negative samples": (["sample", "--model", model, "--n", "-2", "--out", tmp / "o4"], "--n"),
        "zero steps": (["sample", "--model", model, "--steps", "0", "--out", tmp / "o4"], "--steps"),
        "flipped bit": (["sample", "--model", tmp / "flipped", "--out", tmp / "o6"], "is damaged"),
        "another run's folder": (["fit-tree", "--config", tmp / "seed7.yml", "--out", tmp / "done"], "seed: 0 → 7"),
        "truncated JSON": (["run", "--config", ROOT / "configs/tiny.yml", "--tree", tmp / "cut-tree", "--out", tmp / "o7"], "metrics.json is not valid JSON"),
        "image size not the tree's": (["fit-diffusion", "--tree", model, "--config", ROOT / "configs/tiny.yml", "--out", tmp / "o8"], "image shapes disagree"),
    }


KINDS = ["unknown config key", "value out of range", "missing config", "unknown dataset", "missing model", "truncated checkpoint",
         "crafted checkpoint", "bad argument", "config path not there", "empty config", "null section", "non-finite value",
         "text for a number", "zero samples", "negative samples", "zero steps", "flipped bit", "another run's folder",
         "truncated JSON", "image size not the tree's"]


# The driver: argv[1] a JSON {kind: argv}, argv[2] the folder the cases live in (each child's working folder).
FORKED = """
import json, os, shutil, sys
import torch
from treediffusion import cli
for name in cli.SUBCOMMANDS: cli.subcommand(name)              # what the commands import, loaded once before any fork
cases, tmp = json.loads(sys.argv[1]), sys.argv[2]
out = {}
for kind, argv in cases.items():
    err = os.path.join(tmp, "stderr.txt"); pid = os.fork()
    if pid == 0:                                                # the child: the console command on one bad input
        os.chdir(tmp); fd = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC); os.dup2(fd, 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        try: rc = cli.main(argv)
        except SystemExit as e: rc = e.code if isinstance(e.code, int) else 1
        except BaseException: import traceback; traceback.print_exc(); rc = 1
        sys.stdout.flush(); sys.stderr.flush(); os._exit(rc)
    _, status = os.waitpid(pid, 0)
    wrote = [f"o{i}" for i in range(1, 9) if os.path.exists(os.path.join(tmp, f"o{i}"))]     # (o7, o8: folders a run claims before it reads its input)
    out[kind] = dict(rc=os.waitstatus_to_exitcode(status), stderr=open(err).read(), wrote=wrote, pwned=os.path.exists(os.path.join(tmp, "pwned")))
    for w in wrote: shutil.rmtree(os.path.join(tmp, w), ignore_errors=True)
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory) -> tuple:
    "(folder, cases): every bad input built once per module (the damaged checkpoints cost a load and a save each)."
    tmp = tmp_path_factory.mktemp("bad-input"); return tmp, cases(tmp)


@pytest.fixture(scope="module")
def answers(bad_inputs) -> dict:
    "{kind: dict(rc, stderr, wrote, pwned, word)} of the console command's `main` on each bad input, each in a forked child."
    tmp, cs = bad_inputs; todo = {k: [str(a) for a in argv] for k, (argv, _) in cs.items()}
    env = dict(os.environ); env.pop("TREEDIFFUSION_DEBUG", None)
    if not hasattr(os, "fork"):                                 # no fork (Windows): one console command per case
        def one(argv):
            r = subprocess.run(cli(*argv), capture_output=True, text=True, cwd=tmp, env=env)
            return dict(rc=r.returncode, stderr=r.stderr, wrote=[f"o{i}" for i in range(1, 9) if (tmp / f"o{i}").exists()], pwned=(tmp / "pwned").exists())
        return {k: one(a) | dict(word=cs[k][1]) for k, a in todo.items()}
    r = subprocess.run([sys.executable, "-c", FORKED, json.dumps(todo), str(tmp)], capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    return {k: a | dict(word=cs[k][1]) for k, a in json.loads(r.stdout.strip().splitlines()[-1]).items()}


@pytest.mark.parametrize("kind", KINDS)
def test_bad_input_is_one_line_and_exit_2(answers, kind):
    a, word = answers[kind], answers[kind]["word"]
    lines = [l for l in a["stderr"].strip().splitlines() if "error:" in l]
    assert a["rc"] == 2, (a["rc"], a["stderr"][-2000:])
    assert "Traceback" not in a["stderr"] and len(lines) == 1 and word in lines[0], a["stderr"][-2000:]
    assert not a["pwned"]                                        # the crafted checkpoint's payload never ran
    assert not set(a["wrote"]) & {f"o{i}" for i in range(1, 7)}, a["wrote"]     # nothing was trained or written


def test_console_script_answers_bad_input(bad_inputs):
    "The installed `treediffusion` script itself: one line, exit 2, for a bad argument and for a config key that does not exist."
    env = dict(os.environ); env.pop("TREEDIFFUSION_DEBUG", None)
    tmp, cs = bad_inputs
    for kind in ("bad argument", "unknown config key"):
        argv, word = cs[kind]
        r = subprocess.run(cli(*argv), capture_output=True, text=True, cwd=tmp, env=env)
        lines = [l for l in r.stderr.strip().splitlines() if "error:" in l]
        assert r.returncode == 2 and "Traceback" not in r.stderr and len(lines) == 1 and word in lines[0], r.stderr[-2000:]
        assert not (tmp / "o1").exists()
