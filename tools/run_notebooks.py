"""Execute the notebooks' lesson cells and store their outputs, so a reader sees numbers and pictures on GitHub.

Runs exactly the cells `nbdev-test` runs (cells flagged `slow`, `gpu` or `notest` are skipped and keep no
output), writes the outputs back, records in the notebook metadata the SHA-256 of its code cells, of every package
module it imports (directly or through another module) and the time it took (`tests/test_notebooks.py` fails when a
notebook's code or a module it imports changed after it was executed), then `nbdev-clean`s it.

    python tools/run_notebooks.py                 # every notebook in nbs/, two at a time
    python tools/run_notebooks.py nbs/09_ddim.ipynb nbs/11_metrics.ipynb
    make notebooks                                # the same as the first line
"""
import argparse, hashlib, json, os, re, shutil, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def sources_sha256(nb: dict) -> str:
    "SHA-256 of a notebook's code cells (their sources, in order): what its stored outputs were computed from."
    h = hashlib.sha256()
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            h.update("".join(c["source"]).encode()); h.update(b"\0")
    return h.hexdigest()


def notebook_modules(nb: dict, root: Path = ROOT) -> list:
    "Repository paths of the package modules a notebook's code imports, directly or through the modules they import (its own module included)."
    from treediffusion.record import package_imports
    todo = set()
    for c in nb["cells"]:
        if c["cell_type"] != "code": continue
        src = "".join(c["source"])
        todo |= {m for m in re.findall(r"^#\|\s*default_exp\s+(\w+)", src, re.M)}
        code = "\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("%", "!")))     # IPython magics are not Python
        try: todo |= package_imports(code)
        except SyntaxError: todo |= set(re.findall(r"(?:from|import)\s+treediffusion\.(\w+)", code))
    seen, pkg = set(), root / "treediffusion"
    while todo:
        m = todo.pop(); f = pkg / f"{m}.py"
        if m in seen or not f.is_file(): continue
        seen.add(m); todo |= package_imports(f.read_text())
    return [f"treediffusion/{m}.py" for m in sorted(seen)]


def modules_sha256(nb: dict, root: Path = ROOT) -> dict:
    "{module path: SHA-256 of its source} for every module `notebook_modules` finds: what else its stored outputs were computed from."
    return {m: hashlib.sha256((root / m).read_bytes()).hexdigest() for m in notebook_modules(nb, root)}


def settle_streams(nb: dict) -> int:
    "Store text streams as a terminal shows them: of every line, what follows its last carriage return (a progress bar's final state, not each redraw); returns how many outputs changed."
    n = 0
    for c in nb["cells"]:
        for o in c.get("outputs", []):
            if o.get("output_type") != "stream": continue
            text = "".join(o["text"]) if isinstance(o["text"], list) else o["text"]
            if "\r" not in text and "\x1b[A" not in text: continue       # plain prints stay exactly as printed
            lines = []                                   # (text, redrawn in place by a nested bar's cursor-up)
            for line in text.split("\n"):
                bar = "\r" in line; line = line.rstrip("\r").rsplit("\r", 1)[-1]
                up = "\x1b[A" in line; line = line.replace("\x1b[A", "")
                if bar and not line.strip(): continue   # a bar cleared on exit (leave=False)
                if up and lines and lines[-1][1]: lines[-1] = (line, True)
                else: lines.append((line, up))
            settled = "\n".join(l for l, _ in lines)
            if settled != text: o["text"] = settled.splitlines(keepends=True); n += 1
        c["outputs"] = [o for o in c.get("outputs", []) if o.get("output_type") != "stream" or "".join(o["text"]).strip()]
    return n


def execute(path: str) -> tuple:
    "Run one notebook's lesson cells in its own folder, save the outputs and the metadata stamp; (path, ok, seconds)."
    from functools import partialmethod
    import execnb.shell
    from nbdev.config import get_config
    from nbdev.test import test_nb
    from nbdev.clean import nbdev_clean
    # plain PNGs at the figure's own size: 'retina' doubles every image and, once nbdev-clean drops the size metadata,
    # GitHub shows it twice as large
    execnb.shell.CaptureShell.__init__ = partialmethod(execnb.shell.CaptureShell.__init__, mpl_format="png")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    flags, path = get_config().tst_flags, str(Path(path).resolve())          # test_nb runs inside the notebook's folder
    t0, nb0 = time.time(), json.loads(Path(path).read_text())
    before, modules = sources_sha256(nb0), modules_sha256(nb0)
    # run a copy beside the original (same folder: relative paths hold): an edit made to the original while it runs
    # must not be overwritten by the sources the run started from
    run = Path(path).with_name(f".{Path(path).stem}.running.ipynb"); shutil.copyfile(path, run)
    try:
        ok, _ = test_nb(str(run), skip_flags=flags.split() if isinstance(flags, str) else list(flags), save=True, cell_timeout=900)
        secs = round(time.time() - t0, 1)
        if ok and sources_sha256(json.loads(Path(path).read_text())) != before:
            print(f"{path} was edited while it ran: its outputs were NOT stored; run it again", file=sys.stderr); ok = False
        if ok and modules_sha256(nb0) != modules:
            print(f"a module {path} imports was edited while it ran: its outputs were NOT stored; run it again", file=sys.stderr); ok = False
        if ok:
            nb = json.loads(run.read_text())
            settle_streams(nb)
            nb["metadata"]["treediffusion"] = dict(executed_sources_sha256=sources_sha256(nb), executed_modules_sha256=modules, executed_seconds=secs)
            run.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
            nbdev_clean.__wrapped__(fname=str(run))
            os.replace(run, path)
    finally: run.unlink(missing_ok=True)
    return os.path.relpath(path, ROOT), ok, secs


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("notebooks", nargs="*", help="notebooks to execute (default: every notebook in nbs/)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--one", help=argparse.SUPPRESS)          # internal: execute this notebook in this process
    p.add_argument("--settle", action="store_true", help="only settle the stored progress bars (no execution)")
    a = p.parse_args()
    os.chdir(ROOT)
    if a.settle:
        for f in a.notebooks or sorted(str(f) for f in Path("nbs").glob("*.ipynb")):
            nb = json.loads(Path(f).read_text()); k = settle_streams(nb)
            if k: Path(f).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n"); print(f"{f}: {k} stream outputs settled")
        sys.exit(0)
    if a.one: sys.exit(0 if execute(a.one)[1] else 1)
    nbs = a.notebooks or sorted(str(f) for f in Path("nbs").glob("*.ipynb"))

    def one(path):                                          # a fresh process per notebook, as nbdev-test does
        t0 = time.time(); r = subprocess.run([sys.executable, __file__, "--one", path], capture_output=True, text=True)
        return path, r.returncode == 0, round(time.time() - t0, 1), r.stderr
    failed = []
    with ThreadPoolExecutor(a.workers) as ex:
        for path, ok, secs, err in ex.map(one, nbs):
            print(f"{'ok    ' if ok else 'FAILED'} {secs:7.1f} s  {path}", flush=True)
            if not ok: failed.append(path); print(err[-3000:], file=sys.stderr)
    if failed: sys.exit(f"{len(failed)} notebook(s) failed, outputs not saved: {' '.join(failed)}")
