"""Render every number the README, the notebooks and the model cards quote from the record.

Each page holds blocks `<!-- record:NAME -->` … `<!-- /record:NAME -->` (see `treediffusion.record.render_blocks`);
the renderers below regenerate their bodies from the JSON under `nbs/images/results/presets/` and `pretrained/`.

    python tools/render_record.py            # rewrite the blocks (and README.md from nbs/index.ipynb)
    python tools/render_record.py --check    # exit 1 if a page differs from what the record says (tests/test_record.py)
"""
import argparse, json, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from treediffusion.record import RESULTS, read_runs, render_file   # noqa: E402

PRESETS = ROOT / RESULTS / "presets"
PAGES = ("nbs/index.ipynb", "README.md", "nbs/12a_paper_artefacts.ipynb", "pretrained/*/README.md")
DATA = {"demo": "Fashion-MNIST, 10,000", "fashion-mnist-cpu": "Fashion-MNIST, 60,000", "mnist-cpu": "MNIST subset, 8,334"}


def trained(folder):
    "The invocation that trained a run folder: its first finished one (later ones resumed it and evaluated it again with newer code)."
    return next((r for r in read_runs(folder) if r.get("status") == "finished"), None)


def load(*parts):
    p = PRESETS.joinpath(*parts)
    return json.loads(p.read_text()) if p.is_file() else None


def minutes(*named) -> str:
    "Wall times of (label, run) pairs in minutes, flagged once if any of them shared the machine with other work."
    named = [(k, r) for k, r in named if r and "wall_s" in r]
    if not named: return "–"
    shared = any((r.get("load") or {}).get("shared") for _, r in named)
    return " + ".join(f"{k} {r['wall_s'] / 60:.0f} min".strip() for k, r in named) + ("; machine shared" if shared else "")


def argv(run) -> str:
    "A run's command line, with the checkout it ran in left out (the record was written elsewhere than where it is read)."
    line = " ".join(run["argv"])
    for root in {run.get("cwd"), str(ROOT)} - {None}: line = line.replace(root.rstrip("/") + "/", "")
    return line


def pm(ms, d=2) -> str:
    "mean ± sample std (n − 1) of a [mean, std] pair; the mean alone for one seed."
    return "–" if not ms else f"{ms[0]:.{d}f}" if ms[1] == 0 else f"{ms[0]:.{d}f} ± {ms[1]:.{d}f}"


def pct(ms) -> str:
    "A rate's mean ± sample std over seeds, in percent; '–' if no seed measured it."
    return "–" if not ms else f"{100 * ms[0]:.1f} %" if ms[1] == 0 else f"{100 * ms[0]:.1f} ± {100 * ms[1]:.1f} %"


def replicas(tv, td, bl, n_seeds, per_run) -> str:
    "Replica rates TreeVAE / TreeDiffusion / baseline, the fresh test images the detector flags, and how many runs measured them when not all did."
    cell = " / ".join(pct(m.get("replica_rate")) if m else "–" for m in (tv, td, bl))
    n = (td or {}).get("n_replica", 0) + (bl or {}).get("n_replica", 0)
    fresh = [r["real_replica_rate"] for r in per_run.values() if r.get("real_replica_rate") is not None]
    if cell == "– / – / –": return "–"
    return cell + f" (fresh {100 * sum(fresh) / len(fresh):.1f} %)" + ("" if n == n_seeds else f"; {n} of {n_seeds} runs")


def preset_rows() -> list:
    "One row per preset in the record: data, leaves, clustering, FID, leaf fidelity, wall time, seeds."
    rows = []
    if (PRESETS / "demo").is_dir():
        t, e = load("demo", "run", "tree", "metrics.json"), load("demo", "run", "eval.json")
        lf, fid = e["leaf_fidelity"], e["fid"]
        rows.append(["`demo`", DATA["demo"], t["n_leaves"], f"{t['nmi']:.3f} / {t['dendrogram_purity']:.3f}",
                     f"{fid['TreeVAE']['gen']:.2f} → {fid['TreeDiffusion']['gen']:.2f}", "–",
                     f"{lf['TreeVAE']['mean']:.3f} → {lf['TreeDiffusion']['mean']:.3f} ({lf['noise_floor']:.3f}; {lf['n_per_leaf']})", "–",
                     (lambda r: f"{100 * r['TreeVAE']['rate']:.1f} % / {100 * r['TreeDiffusion']['rate']:.1f} % / – (fresh {100 * r['real_rate']:.1f} %)" if r else "–")(e.get("replicas")),
                     minutes(("", trained(PRESETS / "demo" / "run"))) + "; 2 cores", "1"])
    for name in ("fashion-mnist-cpu", "mnist-cpu"):
        if not (PRESETS / name / "tree").is_dir(): continue
        t, tab = load(name, "tree", "metrics.json"), load(name, "tables.json") or {}
        s = tab.get("summary", {}); td, bl, tv = s.get("TreeDiffusion"), s.get("TreeVAE + Diffusion"), s.get("TreeVAE")
        per = next(iter(tab.get("per_run", {}).values()), {})
        time = minutes(("tree", trained(PRESETS / name / "tree")), ("TreeDiffusion", trained(PRESETS / name / "td0")))
        rows.append([f"`{name}`", DATA[name], t["n_leaves"], f"{t['nmi']:.3f} / {t['dendrogram_purity']:.3f}",
                     f"{pm(tv['fid_gen'])} → {pm(td['fid_gen'])}" if td else "–", pm(bl["fid_gen"]) if bl else "–",
                     f"{pm(tv['leaf_fidelity'], 3)} → {pm(td['leaf_fidelity'], 3)} ({per['noise_floor']:.3f}; {per['n_per_leaf']})" if td else "–",
                     pm(bl["leaf_fidelity"], 3) if bl else "–",
                     replicas(tv, td, bl, (td or {}).get("n_seeds", 0) + (bl or {}).get("n_seeds", 0), tab.get("per_run", {})), time + "; one core each", f"{td['n_seeds'] if td else 0} + {bl['n_seeds'] if bl else 0}"])
    return rows


def presets_table() -> str:
    head = ["preset", "data (training images)", "leaves", "test NMI / DP", "classifier FID of generations: TreeVAE → TreeDiffusion",
            "TreeVAE + Diffusion", "leaf fidelity: TreeVAE → TreeDiffusion (noise floor; per leaf)", "TreeVAE + Diffusion",
            "replica rate: TreeVAE / TreeDiffusion / TreeVAE + Diffusion (fresh test images flagged)", "wall time", "seeds"]
    rows = preset_rows()
    if not rows: return "*(no preset has been regenerated yet: `python tools/regenerate.py demo`)*"
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head)] + ["| " + " | ".join(map(str, r)) + " |" for r in rows])


def demo_sentence() -> str:
    e = load("demo", "run", "eval.json")
    if e is None: return "*(the demo has not been regenerated yet: `python tools/regenerate.py demo`)*"
    fid, lf = e["fid"], e["leaf_fidelity"]
    return (f"On the demo, TreeDiffusion's generations reach classifier FID {fid['TreeDiffusion']['gen']:.2f} against the TreeVAE decoders' "
            f"{fid['TreeVAE']['gen']:.2f} ({fid['TreeDiffusion']['gen'] / fid['TreeVAE']['gen']:.2f}×, {e['n_images']} images); asked for a leaf, "
            f"they match its real class mix within {lf['TreeDiffusion']['mean']:.3f} against the decoders' {lf['TreeVAE']['mean']:.3f} "
            f"(noise floor {lf['noise_floor']:.3f} at {lf['n_per_leaf']} per leaf).")


def table3_sentence() -> str:
    "Table 3 at demo scale in one sentence: which conditioning wins FID, which wins leaf fidelity, and the two references."
    t = load("demo-table3", "table3.json")
    if not t or not t["summary"]: return "*(Table 3 at demo scale has not been regenerated yet: `python tools/regenerate.py demo-table3`)*"
    s = {k: v for k, v in t["summary"].items() if k != "TreeVAE"}
    seeds = sorted({v["n_seeds"] for v in s.values()})
    fid, lf = min(s, key=lambda k: s[k]["fid_gen"][0]), min((k for k in s if k != "unconditional"), key=lambda k: s[k]["leaf_fidelity"][0])
    ref = lambda k: f"{pm(s[k]['fid_gen'])} / {pm(s[k]['leaf_fidelity'], 3)}" if k in s else "–"
    return (f"Table 3 at demo scale ({len(s)} conditioning variants, {'–'.join(map(str, seeds))} seed{'s' if seeds[-1] > 1 else ''} each; "
            f"FID / leaf fidelity): lowest FID *{fid}* ({pm(s[fid]['fid_gen'])}), best leaf fidelity *{lf}* ({pm(s[lf]['leaf_fidelity'], 3)}); "
            f"TreeDiffusion as published {ref('TreeDiffusion (path, from noise)')}, TreeVAE + Diffusion {ref('TreeVAE + Diffusion (recon)')}.")


def sampling_row(study: Path) -> list:
    "A model card's row from the sampler study run on it: seconds per image of its own sampler against the reference's, side by side, and both FIDs."
    f = study / "samplers.json"
    if not f.is_file(): return []
    r = json.loads(f.read_text()); t = r.get("timing")
    if not t: return []
    o, ref = t["ours"], t["reference"]
    fid = lambda st: next((x["fid_gen"] for x in r["rows"] if (x["sampler"], x["steps"], x["spacing"]) == (st["sampler"], st["steps"], st["spacing"])), None)
    fo, fr = fid(o), fid(ref)
    return [f"| sampling ({t['threads']} thread{'s' if t['threads'] > 1 else ''}) | {o['sampler']}, {o['steps']} steps: {t['s_per_image']['ours']:.3f} s per image"
            + (f", FID {fo:.2f}" if fo is not None else "") + f"; the reference implementation's DDIM (η = 0, {ref['steps']} quad steps): "
            f"{t['s_per_image']['reference']:.3f} s" + (f", FID {fr:.2f}" if fr is not None else "") + f" ({t['ratio']:g}× as long; "
            f"`{study.relative_to(ROOT).as_posix()}/`) |"]


def card(model: str, folder: Path, tree: Path, ev: dict) -> str:
    "A model card's table: where it came from (command, commit) and what it measured, from the record and `exported.json`."
    x = json.loads((ROOT / "pretrained" / model / "exported.json").read_text())
    run, t = trained(folder), json.loads((tree / "metrics.json").read_text())
    done = [r for r in read_runs(folder) if r.get("status") == "finished"]; last = done[-1]
    again = "" if len(done) == 1 else f", evaluated again by the same command at commit `{last['commit'][:7]}`"
    fid, lf = ev["fid"], ev["leaf_fidelity"]
    return "\n".join([
        "| | |", "|---|---|",
        f"| command | `{argv(run)}` at commit `{run['commit'][:7]}` ({minutes(('', run))}){again}, exported by `tools/regenerate.py` |",
        f"| record | `{folder.relative_to(ROOT).as_posix()}/` (`run.json`, `eval.json`, figures) |",
        f"| clustering (test set) | {t['n_leaves']} leaves, NMI {t['nmi']:.3f}, ACC {t['acc']:.3f}, dendrogram purity {t['dendrogram_purity']:.3f} |",
        f"| classifier FID ({ev['n_images']:,} images) | TreeDiffusion gen {fid['TreeDiffusion']['gen']:.2f}, rec {fid['TreeDiffusion']['rec']:.2f}; "
        f"its TreeVAE gen {fid['TreeVAE']['gen']:.2f}, rec {fid['TreeVAE']['rec']:.2f} |",
        f"| leaf fidelity (TV, {lf['n_per_leaf']} per leaf) | TreeDiffusion {lf['TreeDiffusion']['mean']:.3f}, TreeVAE decoders {lf['TreeVAE']['mean']:.3f}, "
        f"noise floor {lf['noise_floor']:.3f} |",
        *sampling_row(folder.parent / "samplers"),
        f"| size | `diffusion.pt` {x['bytes']['diffusion.pt'] / 2**20:.1f} MiB, `treevae.pt` {x['bytes']['treevae.pt'] / 2**20:.1f} MiB "
        "(float16 EMA weights; loaded as float32) |",
        f"| `diffusion.pt` SHA-256 | `{x['sha256']['diffusion.pt']}` |", f"| `treevae.pt` SHA-256 | `{x['sha256']['treevae.pt']}` |"])


def modules_graph() -> str:
    "What imports what in the package, as a Mermaid flowchart (each arrow: a module imports another; arrows that others imply left out)."
    from treediffusion.record import package_imports
    pkg = ROOT / "treediffusion"
    mods = sorted(p.stem for p in pkg.glob("*.py") if not p.stem.startswith("_"))
    deps = {m: package_imports((pkg / f"{m}.py").read_text()) & set(mods) - {m} for m in mods}
    def below(m, seen=None):                        # every module m reaches
        seen = set() if seen is None else seen
        for d in deps[m] - seen: seen.add(d); below(d, seen)
        return seen
    direct = {m: sorted(d for d in deps[m] if not any(d in below(o) for o in deps[m] - {d})) for m in mods}
    lines = ["```mermaid", "flowchart BT"] + [f"  {m} --> {d}" for m in mods for d in direct[m]]
    return "\n".join(lines + [f"  {m}" for m in mods if not direct[m] and not any(m in v for v in direct.values())] + ["```"])


def renderers() -> dict:
    r = {"presets-table": presets_table, "demo-sentence": demo_sentence, "table3-sentence": table3_sentence, "modules-graph": modules_graph}
    if (ROOT / "pretrained/fashion-mnist-demo/exported.json").is_file() and (PRESETS / "demo").is_dir():
        r["card:fashion-mnist-demo"] = lambda: card("fashion-mnist-demo", PRESETS / "demo" / "run", PRESETS / "demo" / "run" / "tree", load("demo", "run", "eval.json"))
    for name in ("fashion-mnist-cpu", "mnist-cpu"):
        if (ROOT / f"pretrained/{name}/exported.json").is_file() and (PRESETS / name / "td0").is_dir():
            r[f"card:{name}"] = lambda name=name: card(name, PRESETS / name / "td0", PRESETS / name / "tree", load(name, "td0", "eval.json"))
    return r


def pages() -> list:
    return [p for pat in PAGES for p in sorted(ROOT.glob(pat))]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="change nothing; exit 1 if a page is not what the record renders")
    a = ap.parse_args()
    r = renderers()
    changed = [p.relative_to(ROOT).as_posix() for p in pages() if render_file(p, r, write=not a.check)]
    if a.check and changed:
        print(f"render_record: {changed} quote numbers that differ from the record; run `python tools/render_record.py`", file=sys.stderr)
        raise SystemExit(1)
    print("rendered: " + (", ".join(changed) if changed else "nothing changed"))
