"""The notebooks keep their outputs, and the outputs are current: a reader on GitHub sees the numbers and
pictures the code in front of them produces. `make notebooks` (tools/run_notebooks.py) refreshes them."""
import json, re, sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from run_notebooks import modules_sha256, notebook_modules, sources_sha256  # noqa: E402

NBS = sorted((ROOT / "nbs").glob("*.ipynb"))
SKIP = {"slow", "gpu", "notest"}                               # tst_flags: cells nbdev-test (and run_notebooks) leave out
DRAWS = re.compile(r"plt\.show\(\)|plt\.subplots\(|plt\.figure\(|show_images\(|draw_tree\(|display\(")   # cells that put a picture or widget on the page


def _flags(cell) -> set:
    return {w for line in cell["source"] if line.startswith("#|") for w in line[2:].split()}


def _runs(cell) -> bool:
    return cell["cell_type"] == "code" and not (_flags(cell) & SKIP) and "".join(cell["source"]).strip() != ""


@pytest.mark.parametrize("path", NBS, ids=[p.name for p in NBS])
def test_outputs_are_current(path):
    nb = json.loads(path.read_text())
    if not any(_runs(c) for c in nb["cells"]): pytest.skip("no executable cells")
    stamp = nb["metadata"].get("treediffusion", {}).get("executed_sources_sha256")
    assert stamp, f"{path.name} has never been executed with its outputs stored: run `python tools/run_notebooks.py nbs/{path.name}`"
    assert stamp == sources_sha256(nb), (f"{path.name}'s code changed after its outputs were stored: "
                                         f"run `python tools/run_notebooks.py nbs/{path.name}` (or `make notebooks`)")
    then, now = nb["metadata"]["treediffusion"].get("executed_modules_sha256"), modules_sha256(nb)
    assert then is not None, f"{path.name} was executed before its stamp covered the modules it imports: run `python tools/run_notebooks.py nbs/{path.name}`"
    changed = sorted(m for m in set(then) | set(now) if then.get(m) != now.get(m))
    assert not changed, (f"{path.name}'s outputs were computed before {', '.join(changed)} changed: "
                         f"run `python tools/run_notebooks.py nbs/{path.name}` (or `make notebooks`)")


def test_stamp_covers_imported_modules():
    "A notebook's stamp covers what it imports through other modules, its own module, and no module it never reaches."
    nb = lambda *cells: dict(cells=[dict(cell_type="code", source=c) for c in cells])
    ddim = notebook_modules(nb("#| default_exp ddim\nimport torch", "%matplotlib inline\nfrom treediffusion.core import set_seed"))
    assert "treediffusion/ddim.py" in ddim and "treediffusion/core.py" in ddim and "treediffusion/experiments.py" not in ddim
    exp = notebook_modules(nb("from treediffusion.experiments import run_experiment"))
    assert {"treediffusion/diffusion.py", "treediffusion/treevae.py", "treediffusion/core.py"} <= set(exp)     # reached through experiments
    assert notebook_modules(nb("import numpy as np", "!ls")) == []


@pytest.mark.parametrize("path", NBS, ids=[p.name for p in NBS])
def test_pictures_are_stored(path):
    "Every executed cell that draws (plt.show, show_images, display) keeps an image or widget in its outputs."
    nb = json.loads(path.read_text())
    missing = [i for i, c in enumerate(nb["cells"]) if _runs(c) and not (_flags(c) & {"export", "exporti"}) and DRAWS.search("".join(c["source"]))
               and not any(set(o.get("data", {})) & {"image/png", "image/svg+xml", "application/vnd.jupyter.widget-view+json", "text/html", "text/markdown"}
                           for o in c.get("outputs", []))]
    assert not missing, f"{path.name}: cells {missing} draw a picture but store none: run `python tools/run_notebooks.py nbs/{path.name}`"


def test_readers_see_outputs():
    "Every notebook with lessons shows something; across them, about half the lesson cells do (many only assert), with pictures."
    lessons = {p.name: [c for c in json.loads(p.read_text())["cells"] if _runs(c) and not (_flags(c) & {"export", "exporti", "hide"})] for p in NBS}
    silent = [n for n, cs in lessons.items() if cs and not any(c.get("outputs") for c in cs)]
    assert not silent, f"notebooks whose lessons store no output: {silent}"
    cells = [c for cs in lessons.values() for c in cs]
    shown = [c for c in cells if c.get("outputs")]
    pngs = sum("image/png" in o.get("data", {}) for c in cells for o in c.get("outputs", []))
    assert len(shown) >= 0.45 * len(cells), f"only {len(shown)} of {len(cells)} lesson cells store an output"
    assert pngs >= 15, f"only {pngs} pictures stored across the notebooks"


@pytest.mark.parametrize("path", NBS, ids=[p.name for p in NBS])
def test_progress_bars_are_settled(path):
    "Stored progress bars show their final state, not every redraw (`run_notebooks.settle_streams`)."
    nb = json.loads(path.read_text())
    noisy = [i for i, c in enumerate(nb["cells"]) for o in c.get("outputs", []) if o.get("output_type") == "stream" and "\r" in "".join(o["text"])]
    assert not noisy, f"{path.name}: cells {noisy} store every redraw of a progress bar: run `python tools/run_notebooks.py --settle nbs/{path.name}`"
