"Every loader of a model file refuses a checkpoint that carries a pickled payload, with a clear error, before the payload runs."
from pathlib import Path

import pytest
import torch

from conftest import ROOT, Payload
from treediffusion.classifier import load_classifier
from treediffusion.config import load_config
from treediffusion.checkpoint import CheckpointError
from treediffusion.diffusion import export_model, load_treediffusion, resume_training
from treediffusion.growth import start_growth
from treediffusion.metrics import load_inception_state
from treediffusion.treevae import load_treevae


def craft(path: Path, flag: Path) -> Path:
    "A checkpoint in torch's normal format that looks like ours (plain keys, tensors) plus one pickled payload."
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"kind": "treediffusion", "step": 1, "w": torch.ones(2), "x": Payload(flag)}, path)
    return path


LOADERS = {   # name: (file name inside the folder, call on the folder) — every place the library reads a checkpoint
    "treevae": ("treevae.pt", lambda d: load_treevae(d / "treevae.pt")),
    "diffusion model": ("diffusion.pt", lambda d: load_treediffusion(d)),
    "diffusion export": ("diffusion.pt", lambda d: export_model(d, d / "exported")),
    "diffusion resume": ("diffusion.pt", lambda d: resume_training(d / "diffusion.pt", "fp", None, None, None, None)),
    "classifier": ("classifier.pt", lambda d: load_classifier(d / "classifier.pt", "cpu")),
    "growth state": ("growth.pt", lambda d: start_growth(load_config(ROOT / "configs/tiny.yml"), d, True, torch.device("cpu"))),
    "inception weights": ("pt_inception.pth", lambda d: load_inception_state(d / "pt_inception.pth")),
}


@pytest.mark.parametrize("name", list(LOADERS))
def test_crafted_checkpoint_is_refused_and_never_runs(tmp_path, name):
    fname, load = LOADERS[name]
    flag = tmp_path / "pwned"
    craft(tmp_path / "model" / fname, flag)
    with pytest.raises((CheckpointError, ValueError)) as e:   # ValueError: the Inception loader's "re-download" message
        load(tmp_path / "model")
    assert not flag.exists(), f"{name}: loading the crafted checkpoint ran its payload"
    assert fname in str(e.value) and ("Refusing" in str(e.value) or "re-download" in str(e.value)), str(e.value)


def test_the_payload_is_real(tmp_path):
    "The oracle: the same file loaded without the safeguard does run the payload (so the test above can fail)."
    flag = tmp_path / "pwned"
    torch.load(craft(tmp_path / "x.pt", flag), weights_only=False)
    assert flag.exists()


def test_no_unsafe_load_anywhere():
    "No library module, notebook, benchmark or tool unpickles arbitrary objects (00c_checkpoint's lesson shows the danger on purpose)."
    files = [*ROOT.glob("treediffusion/*.py"), *ROOT.glob("nbs/*.ipynb"), *ROOT.glob("benchmarks/*.py"), *ROOT.glob("tools/*.py")]
    bad = [str(f.relative_to(ROOT)) for f in files if f.name != "00c_checkpoint.ipynb" and "weights_only=False" in f.read_text()]
    assert files and not bad, f"weights_only=False in {bad}: use treediffusion.checkpoint.load_checkpoint"
