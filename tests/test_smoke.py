"Every module imports in a fresh process; the console command and its subcommands answer --help."
import json, os, subprocess, sys

import pytest

from conftest import ROOT, cli

MODULES = sorted(p.stem for p in (ROOT / "treediffusion").glob("*.py") if not p.stem.startswith("_"))


# One process loads the heavy third-party libraries once, then forks a child per module that imports only that module of
# the package: each module must import on its own, whatever else of the package is loaded (seconds, not a torch start-up each).
FRESH = """
import importlib, json, os, sys, traceback
import numpy, scipy.stats, torch, torchvision, matplotlib                  # third-party, shared; no treediffusion module is loaded yet
assert not [m for m in sys.modules if m.startswith("treediffusion")]
out = {}
for mod in sys.argv[1:]:
    r, w = os.pipe(); pid = os.fork()
    if pid == 0:                                                            # the child: a fresh package, one module
        os.close(r)
        try: importlib.import_module("treediffusion." + mod); msg = ""
        except BaseException: msg = traceback.format_exc()
        os.write(w, msg.encode()); os._exit(0)
    os.close(w); msg = b""
    while chunk := os.read(r, 65536): msg += chunk
    os.close(r); _, status = os.waitpid(pid, 0)
    out[mod] = msg.decode() or ("" if status == 0 else f"child exited with status {status}")
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def fresh_imports() -> dict:
    "{module: '' if `import treediffusion.MODULE` succeeds in a fresh child process, else its traceback}."
    if not hasattr(os, "fork"):                                             # no fork (Windows): one interpreter per module
        one = lambda m: subprocess.run([sys.executable, "-c", f"import treediffusion.{m}"], capture_output=True, text=True, cwd=ROOT)
        return {m: "" if (r := one(m)).returncode == 0 else r.stderr for m in MODULES}
    r = subprocess.run([sys.executable, "-c", FRESH, *MODULES], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("mod", MODULES)
def test_import_fresh_process(mod, fresh_imports):
    assert fresh_imports[mod] == "", fresh_imports[mod]


def test_fresh_import_catches_a_broken_module(tmp_path):
    "The forking check reports a module that fails on import (a planted package whose module imports a missing name)."
    pkg = tmp_path / "treediffusion"; pkg.mkdir()
    (pkg / "__init__.py").write_text(""); (pkg / "good.py").write_text("X = 1\n"); (pkg / "bad.py").write_text("from .good import Y\n")
    r = subprocess.run([sys.executable, "-c", FRESH, "good", "bad"], capture_output=True, text=True, cwd=tmp_path, env=os.environ | {"PYTHONPATH": str(tmp_path)})
    res = json.loads(r.stdout.strip().splitlines()[-1])
    assert res["good"] == "" and "ImportError" in res["bad"] and "cannot import name 'Y'" in res["bad"]


def test_cli_help_lists_subcommands():
    from treediffusion.cli import SUBCOMMANDS
    r = subprocess.run(cli("--help"), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    for name in SUBCOMMANDS: assert name in r.stdout
    assert "data" in SUBCOMMANDS


@pytest.mark.parametrize("sub", ["data", "fit-tree", "fit-diffusion", "sample", "run", "evaluate", "check"])
def test_subcommand_help(sub):
    r = subprocess.run(cli(sub, "--help"), capture_output=True, text=True)
    assert r.returncode == 0 and "usage: treediffusion" in r.stdout, r.stderr


def test_unknown_subcommand_fails_clearly():
    r = subprocess.run(cli("dta"), capture_output=True, text=True)
    assert r.returncode == 2 and "did you mean 'data'" in r.stderr


def test_check_passes_tiny_and_prints_table(tmp_path):
    r = subprocess.run(cli("check", "--config", str(ROOT / "configs/tiny.yml"), "--out", str(tmp_path), "--no-burst"),
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    for name in ("device", "data", "Inception weights", "disk"): assert f"| {name} | ✓ |" in r.stdout


def test_run_refuses_missing_inception_weights_before_training(tmp_path):
    "A run whose FID needs weights that are not there stops in the preflight: one line naming the fix, nothing trained."
    cfg = (ROOT / "configs/tiny.yml").read_text().replace("eval:\n", "eval:\n  inception: true\n  inception_weights: /nonexistent/weights.pth\n")
    (tmp_path / "c.yml").write_text(cfg)
    r = subprocess.run(cli("run", "--config", str(tmp_path / "c.yml"), "--out", str(tmp_path / "run")), capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2, r.stdout + r.stderr
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and "Inception weights" in err[0] and "eval.inception_weights" in err[0], r.stderr
    assert not (tmp_path / "run" / "tree").exists()


LIBRARY = sorted(p for p in (ROOT / "treediffusion").glob("*.py") if not p.stem.startswith("_") and p.stem != "cli")


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_library_does_not_import_the_command_line(path):
    "The command line imports the library, never the reverse (`cli` lists the subcommands)."
    src = path.read_text()
    assert "from .cli" not in src and "treediffusion.cli" not in src and "import cli" not in src, path.name


@pytest.mark.parametrize("path", [p for p in LIBRARY if p.stem != "treevae"], ids=lambda p: p.stem)
def test_no_private_treevae_method_is_called_from_another_module(path):
    "Other modules use TreeVAE's public passes (`posterior`, `prior`, `bottom_up`, `reconstruct`, `generate`), not `_descend`."
    import re
    calls = re.findall(r"\.(_descend|_bottom_up|_add_node_modules)\(", path.read_text())
    assert not calls, (path.name, calls)


def _imports(path) -> tuple:
    "(library modules `path` imports, anywhere in it; the private names it takes from them)."
    import ast
    mods, private, aliases = set(), [], set()
    tree = ast.parse(path.read_text())
    for n in ast.walk(tree):
        if isinstance(n, ast.ImportFrom) and (n.level == 1 or (n.module or "").split(".")[0] == "treediffusion"):
            target = (n.module or "").split(".")[-1] if n.module not in (None, "treediffusion") else None
            if target: mods.add(target)
            for a in n.names:
                if target is None: mods.add(a.name); aliases.add(a.asname or a.name)      # from . import tree
                if a.name.startswith("_") and not a.name.startswith("__"): private.append(f"from {n.module} import {a.name}")
        elif isinstance(n, ast.Import):
            for a in n.names:
                if a.name.startswith("treediffusion."): mods.add(a.name.split(".")[1]); aliases.add(a.asname or a.name)
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and n.attr.startswith("_") and not n.attr.startswith("__") and ast.unparse(n.value) in aliases:
            private.append(f"{ast.unparse(n.value)}.{n.attr}")
    return mods - {path.stem}, private


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_no_private_name_crosses_modules(path):
    "A module uses only the public names of another (`from .x import _name` and `x._name` are leaks: make the name public or move it)."
    assert not _imports(path)[1], (path.name, _imports(path)[1])


def test_no_import_cycle():
    "The modules import each other as a DAG (function-local imports included): each concept builds only on earlier ones."
    graph = {p.stem: _imports(p)[0] for p in LIBRARY}
    state, cycles = {}, []
    def visit(m, stack):
        state[m] = "open"
        for d in sorted(graph.get(m, ())):
            if state.get(d) == "open": cycles.append(stack[stack.index(d):] + [d])
            elif d not in state: visit(d, stack + [d])
        state[m] = "done"
    for m in sorted(graph):
        if m not in state: visit(m, [m])
    assert not cycles, cycles


def test_evaluation_imports_no_growth_code():
    "Scoring a trained pair needs TreeVAE inference, never the growth loop: `evaluation` does not import `growth`, even through another module."
    graph = {p.stem: _imports(p)[0] for p in LIBRARY}
    seen, todo = set(), ["evaluation"]
    while todo:
        m = todo.pop()
        if m not in seen: seen.add(m); todo += sorted(graph.get(m, ()))
    assert "growth" not in seen, sorted(seen)
