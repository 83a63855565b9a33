"""Regenerate one table of the record: run what is missing or stale, then assemble its results folder.

Each table is a list of steps — `treediffusion` commands that write a run folder with its `run.json` — and an
assembly that copies their small artefacts (JSON, figures, configs, manifests) into `nbs/images/results/TABLE/`, writes
the table's JSON (with its commit) and its own `run.json`, and exports the model of its first seed to `pretrained/`.
Work happens under `runs/record/TABLE/` (git-ignored); every step resumes from its checkpoints, so the command can be
stopped at any moment and run again, over several sessions. A fresh clone starts from the record: the committed tree is
copied into the working folder, and seeds whose results are committed are kept in the table without being trained again. Steps run as one-thread processes, `--jobs` at a time.

    python tools/regenerate.py demo                               # make demo's run, its results folder and pretrained/fashion-mnist-demo
    python tools/regenerate.py fashion-mnist-cpu --jobs 2         # tree, TreeDiffusion and baseline seeds 0-2, Fig. 6, Tables 1-2
    python tools/regenerate.py fashion-mnist-cpu --only tree td0 bl0 --no-assemble
    python tools/regenerate.py mnist-cpu --list                   # what is done, what would run
    python tools/regenerate.py fashion-mnist-cpu --reproduce      # minutes: does today's code still compute what the record's did?
    python tools/regenerate.py fashion-mnist-cpu --reseal         # seconds: the exported model's checkpoints again, with today's digest
    python tools/regenerate.py fashion-mnist-cpu-table3 --jobs 2  # the two best Table 3 variants on the preset's tree, beside its two models
"""
import argparse, json, os, shutil, statistics, subprocess, sys, time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from treediffusion.config import load_config, save_config                      # noqa: E402
from treediffusion.record import RESULTS, backfill_digests, folder_status, read_runs, run_manifest, stamp   # noqa: E402
from treediffusion.experiments import variant     # noqa: E402
from treediffusion.studies import all_leaves_comparison_figure     # noqa: E402

BASELINE = "TreeVAE + Diffusion (recon)"
TABLES = {"tiny": dict(preset="tiny", seeds=(0,), pretrained="tiny"),          # seconds: what the tests run
          "demo": dict(preset="demo", seeds=(0,), processes=2, pretrained="fashion-mnist-demo"),
          "fashion-mnist-cpu": dict(preset="fashion-mnist-cpu", seeds=(0, 1, 2), pretrained="fashion-mnist-cpu"),
          "mnist-cpu": dict(preset="mnist-cpu", seeds=(0, 1, 2), pretrained="mnist-cpu"),
          # Table 3 at demo scale: every conditioning variant on one demo tree, seeds in order (seed 0 of all first)
          "demo-table3": dict(preset="demo", seeds=(0, 1, 2), n_all_leaves=200, pretrained=None, probe="fashion-mnist-demo",
                              variants=("un", "rc", "ri", "re", "rb", "rp", "td")),
          # the two variants closest to the baseline at demo scale, on the Fashion-MNIST preset's committed tree, over three seeds;
          # the table's own two models (same tree, same evaluation) are its references, so it lives in their folder
          "fashion-mnist-cpu-table3": dict(preset="fashion-mnist-cpu", seeds=(0, 1, 2), pretrained=None, variants=("ri", "rb"),
                                           folder="fashion-mnist-cpu/table3", tree_from="fashion-mnist-cpu", references={"td": "td", "rc": "bl"})}
VARIANTS = {"un": "unconditional", "rc": "TreeVAE + Diffusion (recon)", "ri": "recon + leaf index", "re": "recon + leaf embedding",
            "rb": "recon + index + embedding", "rp": "recon + path", "td": "TreeDiffusion (path, from noise)"}   # step prefix -> Table 3 row


def results_dir(table: str, dest: Path = ROOT) -> Path:
    "Where TABLE's results folder lives under DEST (a table may live inside the folder of the table whose tree it uses)."
    return dest / RESULTS / "presets" / TABLES[table].get("folder", table)


def mean_std(xs) -> list:
    "[mean, sample standard deviation (n - 1; 0 for one value)] of the values that are not None; None if there are none."
    xs = [x for x in xs if x is not None]
    return [statistics.fmean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0] if xs else None


def tb(*args) -> list:
    "A `treediffusion` command line, run by this Python's console script."
    exe = Path(sys.executable).parent / "treediffusion"
    return [str(exe) if exe.exists() else "treediffusion", *map(str, args)]


def steps(table: str, work: Path) -> dict:
    "{step: (command, folder it writes, steps it needs, one thread?)}, in the order they should run."
    t = TABLES[table]; cfg = load_config(t["preset"]); cfgs = work / "configs"; cfgs.mkdir(parents=True, exist_ok=True)
    if table == "demo":
        # exactly what `make demo` runs (its threads too: growth and evaluation use every core, training two one-thread processes)
        return {"demo": (tb("run", "--config", t["preset"], "--out", work / "demo", "--processes", t["processes"]), work / "demo", [], False)}
    out = {"tree": (tb("fit-tree", "--config", t["preset"], "--out", work / "tree"), work / "tree", [], True)}
    if "variants" in t:                        # demo-table3: leaf fidelity at 200 generations per leaf (the preset's 30 is for the demo's minutes)
        for s in t["seeds"]:
            for key in t["variants"]:
                c = replace(variant(cfg, VARIANTS[key]), seed=s); c.eval.n_all_leaves = t.get("n_all_leaves", c.eval.n_all_leaves)
                f = save_config(c, cfgs / f"{key}{s}.yml")
                out[f"{key}{s}"] = (tb("run", "--config", f, "--tree", work / "tree", "--out", work / f"{key}{s}"), work / f"{key}{s}", ["tree"], True)
        return out
    for s in t["seeds"]:
        for kind, c in (("td", replace(cfg, seed=s)), ("bl", replace(variant(cfg, BASELINE), seed=s))):
            f = save_config(c, cfgs / f"{kind}{s}.yml")
            out[f"{kind}{s}"] = (tb("run", "--config", f, "--tree", work / "tree", "--out", work / f"{kind}{s}"), work / f"{kind}{s}", ["tree"], True)
    return out


def restore(table: str, work: Path, dest: Path = ROOT) -> bool:
    "Copy the table's committed tree (weights, manifest, metrics) into an empty working folder, so a fresh clone trains new seeds on the tree the record holds."
    res, tree = results_dir(TABLES[table].get("tree_from", table), dest) / "tree", work / "tree"
    if table == "demo" or done(tree) or not (done(res) and (res / "treevae.pt").is_file()): return False
    shutil.copytree(res, tree, dirs_exist_ok=True)
    return True


def same_run(a: Path, b: Path) -> bool:
    "Do two folders hold the same finished run (the restored copy of a committed tree)?"
    ra, rb = read_runs(a), read_runs(b)
    return bool(ra) and ra == rb


def done(folder: Path) -> bool:
    "A step is done when the last invocation in its run.json finished."
    runs = read_runs(folder)
    return bool(runs) and runs[-1].get("status") == "finished"


def run_steps(plan: dict, names: list, jobs: int, work: Path):
    "Run the steps `names` of `plan` once the steps they need are done, `jobs` at a time; logs in WORK/STEP.log."
    todo, running, failed = list(names), {}, []
    while todo or running:
        ready = [n for n in todo if all(done(plan[m][1]) for m in plan[n][2])]
        for name in ready[:max(0, jobs - len(running))]:
            cmd, folder, _, one_thread = plan[name]; todo.remove(name)
            env = os.environ | {"OMP_WAIT_POLICY": "PASSIVE", "PYTHONHASHSEED": "0"} | ({"OMP_NUM_THREADS": "1"} if one_thread else {})
            print(f"[regenerate] start {name}: {' '.join(cmd[1:])}", flush=True)
            running[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=open(work / f"{name}.log", "a"), stderr=subprocess.STDOUT)
        if not running and todo: failed += todo; break                   # what is left waits for a step that failed
        time.sleep(5)
        for name, p in list(running.items()):
            if p.poll() is None: continue
            del running[name]
            print(f"[regenerate] {name} {'finished' if p.returncode == 0 else f'FAILED (exit {p.returncode}, see {work / name}.log)'}", flush=True)
            if p.returncode: failed.append(name)
    if failed: raise SystemExit(f"regenerate: {failed} did not finish; fix the cause and run the same command again (it resumes).")


def copy_run(src: Path, dst: Path, files, optional=(), manifest: bool = True):
    "Copy a run folder's manifest (if it is a run of its own) and the named small files (figures, JSON, configs) into the results folder."
    dst.mkdir(parents=True, exist_ok=True)
    for f in (*(["run.json"] if manifest else []), *files, *optional):
        if (src / f).is_file(): (dst / f).parent.mkdir(parents=True, exist_ok=True); shutil.copyfile(src / f, dst / f)
        elif f not in optional: raise FileNotFoundError(f"{src / f} is missing: run the step again")
    if manifest: backfill_digests(dst)          # a manifest older than the digests gets them from git, so a shallow clone can check it


FIGURES = ("fig2_reconstructions.png", "fig3_samples.png", "fig4_all_leaves.png", "fig5_leaf_histograms.png")
COPIES = "fig7_copies.png"                 # the copy check's figure: runs evaluated before it have none
TREE_FILES = ("metrics.json", "tree.json", "tree.png", "config.yml")


def export(run_dir: Path, name: str, dest: Path = ROOT):
    "Export the run's model (EMA weights, float16) to DEST/pretrained/NAME and write `exported.json` there (sources and digests)."
    from treediffusion.diffusion import export_model
    import hashlib
    out = dest / "pretrained" / name
    for f in ("diffusion.pt", "treevae.pt", "config.yml"): (out / f).unlink(missing_ok=True)
    export_model(run_dir / "diffusion", out)
    sha = {f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in ("diffusion.pt", "treevae.pt")}
    size = {f: (out / f).stat().st_size for f in sha}
    (out / "exported.json").write_text(json.dumps(stamp(dict(source=str(run_dir.relative_to(ROOT)) if run_dir.is_relative_to(ROOT) else str(run_dir),
                                                                sha256=sha, bytes=size)), indent=1) + "\n")


def reseal(name: str, dest: Path = ROOT):
    "Write an exported model's checkpoints again in today's format (with the digest `load_checkpoint` checks), tensors unchanged; `exported.json` keeps its source and export commit and gains `resealed`."
    from treediffusion.checkpoint import load_checkpoint, save_checkpoint
    import hashlib
    out = dest / "pretrained" / name; x = json.loads((out / "exported.json").read_text())
    at = stamp({})                                        # the code that reseals, taken before the files change
    for f in ("diffusion.pt", "treevae.pt"): save_checkpoint(load_checkpoint(out / f), out / f)
    x.update(sha256={f: hashlib.sha256((out / f).read_bytes()).hexdigest() for f in x["sha256"]},
             bytes={f: (out / f).stat().st_size for f in x["bytes"]}, resealed=at)
    (out / "exported.json").write_text(json.dumps(x, indent=1) + "\n")


def assemble(table: str, work: Path, argv, dest: Path = ROOT):
    "Copy every finished step into DEST/nbs/images/results/presets/TABLE, write its table JSON and run.json, export the first seed's model to DEST/pretrained."
    t, res = TABLES[table], results_dir(table, dest)
    if "variants" in t: return assemble_table3(table, work, argv, dest)
    with run_manifest(res, "tools/regenerate.py", argv=argv, config=load_config(t["preset"]), seeds=list(t["seeds"])):
        if table == "demo":                                      # one run: its folder, its tree and its 2-process training's manifest
            if not done(work / "demo"): return                   # nothing new: the record keeps the run it holds
            copy_run(work / "demo", res / "run", ("eval.json", "timing.json", "config.yml", "report.md", *FIGURES), optional=(COPIES,))
            copy_run(work / "demo" / "tree", res / "run" / "tree", TREE_FILES, manifest=False,     # grown inside the run
                     optional=sorted(p.name for p in (work / "demo" / "tree").glob("tree_split*.png")))
            copy_run(work / "demo" / "diffusion", res / "run" / "diffusion", ("train.json",), optional=("config.yml",))
            export(work / "demo", t["pretrained"], dest); return
        if done(work / "tree") and not same_run(work / "tree", res / "tree"):
            copy_run(work / "tree", res / "tree", TREE_FILES, optional=("treevae.pt", *sorted(p.name for p in (work / "tree").glob("tree_split*.png"))))
        evals = {}
        for name in [f"{k}{s}" for s in t["seeds"] for k in ("td", "bl")]:
            if done(work / name):
                copy_run(work / name, res / name, ("eval.json", "timing.json", "config.yml"), optional=(*FIGURES, COPIES) if name in ("td0", "bl0") else ())
            if done(res / name) and (res / name / "eval.json").is_file():     # trained now, or in an earlier session (its record is committed)
                evals[name] = json.loads((res / name / "eval.json").read_text())
        (res / "tables.json").write_text(json.dumps(stamp(table_json(evals)), indent=1) + "\n")
        if done(work / "td0") and done(work / "bl0"):            # Fig. 6 (needs both models' weights: kept as it is when they were trained elsewhere)
            all_leaves_comparison_figure({"TreeVAE + Diffusion": work / "bl0", "TreeDiffusion": work / "td0"}, res / "fig6.png", n=2)
        if done(work / "td0"): export(work / "td0", t["pretrained"], dest)


def assemble_table3(table: str, work: Path, argv, dest: Path = ROOT):
    "Copy the tree and every finished variant run into the table's results folder, add its reference rows, write `table3.json` (per run and per variant over seeds) and its picture."
    t, res = TABLES[table], results_dir(table, dest); res.mkdir(parents=True, exist_ok=True)
    with run_manifest(res, "tools/regenerate.py", argv=argv, config=load_config(t["preset"]), seeds=list(t["seeds"])):
        if "tree_from" not in t and done(work / "tree") and not same_run(work / "tree", res / "tree"):
            # the demo tree's weights (18 MB) stay out of the record: a fresh clone grows the tree again (seconds, seeded)
            copy_run(work / "tree", res / "tree", TREE_FILES, optional=sorted(p.name for p in (work / "tree").glob("tree_split*.png")))
        runs = {}
        for name in [f"{k}{s}" for s in t["seeds"] for k in t["variants"]]:
            if done(work / name): copy_run(work / name, res / name, ("eval.json", "timing.json", "config.yml"))
            if done(res / name) and (res / name / "eval.json").is_file():
                runs[name] = (json.loads((res / name / "eval.json").read_text()), json.loads((res / name / "timing.json").read_text()))
        refs = results_dir(t["tree_from"], dest) if "references" in t else None
        for key, kind in (t.get("references") or {}).items():     # the tree's own table's models: rows read from their committed folders
            for s in t["seeds"]:
                if (refs / f"{kind}{s}" / "eval.json").is_file():     # training time left out: a re-evaluated run's timing holds only its evaluation
                    runs[f"{key}{s}"] = (json.loads((refs / f"{kind}{s}" / "eval.json").read_text()), dict(diffusion_s=None, eval_s=None))
        tab = table3_json(runs) | ({"references": f"{', '.join(VARIANTS[k] for k in t['references'])}: rows of "
                                                  f"{refs.relative_to(dest).as_posix()} (same tree and evaluation)"} if refs else {})
        (res / "table3.json").write_text(json.dumps(stamp(tab), indent=1) + "\n")
        if tab["summary"]: fidelity_figure(tab, res / "fig_table3.png", f"Table 3 variants, preset {t['preset']}")


def table3_json(runs: dict) -> dict:
    "Table 3 per run and per variant (mean ± sample standard deviation over the seeds present), with the paper's CIFAR-10 FID beside each row."
    from treediffusion.report import PAPER_TABLE3
    per = {}
    for name, (e, tm) in sorted(runs.items()):
        lf, r = e["leaf_fidelity"], e.get("replicas") or {}
        per[name] = dict(variant=VARIANTS[name[:-1]], seed=int(name[-1]), fid_gen=e["fid"]["TreeDiffusion"]["gen"], fid_rec=e["fid"]["TreeDiffusion"]["rec"],
                         leaf_fidelity=lf["TreeDiffusion"]["mean"], noise_floor=lf["noise_floor"], n_per_leaf=lf["n_per_leaf"],
                         entropy=e["entropy"]["TreeDiffusion"], replica_rate=r.get("TreeDiffusion", {}).get("rate"), real_replica_rate=r.get("real_rate"),
                         treevae_fid_gen=e["fid"]["TreeVAE"]["gen"], treevae_leaf_fidelity=lf["TreeVAE"]["mean"],
                         treevae_replica_rate=r.get("TreeVAE", {}).get("rate"), train_s=tm["diffusion_s"], eval_s=tm["eval_s"], n_images=e["n_images"])
    keys = ("fid_gen", "fid_rec", "leaf_fidelity", "entropy", "replica_rate", "train_s")
    summary = {}
    for v in VARIANTS.values():
        rows = [x for x in per.values() if x["variant"] == v]
        if rows: summary[v] = {k: mean_std([x[k] for x in rows]) for k in keys} | dict(n_seeds=len(rows), paper_cifar10_fid=PAPER_TABLE3.get(v))
    if per:                                          # the decoders of the one TreeVAE, sampled with each seed's noise
        tv = {x["seed"]: x for x in per.values()}.values()
        summary["TreeVAE"] = {k: mean_std([x[f"treevae_{k}"] for x in tv]) for k in ("fid_gen", "leaf_fidelity", "replica_rate")} | dict(n_seeds=len(tv))
    floor = [x["noise_floor"] for x in per.values()]
    return dict(per_run=per, summary=summary, noise_floor=mean_std(floor), real_replica_rate=mean_std([x["real_replica_rate"] for x in per.values()]),
                std="sample standard deviation over seeds (n - 1); 0 for one seed")


def fidelity_figure(tab: dict, path: Path, title: str = "Table 3 at demo scale"):
    "Leaf fidelity against classifier FID, one point per variant (error bars: std over seeds), its area growing with the replica rate; log axes, a legend."
    import matplotlib; matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FormatStrFormatter, LogLocator
    fig, ax = plt.subplots(figsize=(9, 4.8))
    for i, (v, m) in enumerate(tab["summary"].items()):
        (x, dx), (y, dy) = m["fid_gen"], m["leaf_fidelity"]; rate = (m.get("replica_rate") or [0, 0])[0] or 0
        ax.errorbar(x, y, xerr=dx, yerr=dy, fmt="none", ecolor="0.6", lw=1, zorder=1)
        ax.scatter(x, y, s=45 + 4000 * rate, color="0.3" if v == "TreeVAE" else f"C{i}", alpha=0.85, zorder=2, edgecolor="k", lw=0.5,
                   label=f"{'TreeVAE decoders' if v == 'TreeVAE' else v} ({m['n_seeds']} seed{'s' if m['n_seeds'] > 1 else ''})")
    floor = tab["noise_floor"][0]
    ax.axhline(floor, ls="--", c="0.5", lw=1, label="noise floor (real images, same count)")
    ax.set_xscale("log"); ax.set_yscale("log")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(subs=(1, 2, 5))); axis.set_minor_locator(LogLocator(subs="all")); axis.set_minor_formatter(FormatStrFormatter(""))
    ax.xaxis.set_major_formatter(FormatStrFormatter("%g")); ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
    ax.set_xlabel("classifier FID of generations (lower is better)"); ax.set_ylabel("leaf fidelity (TV to the real class mix; lower is better)")
    ax.set_title(f"{title}\neach point a variant, mean ± std over seeds; its area grows with the replica rate", fontsize=9)
    ax.legend(fontsize=7.5, loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout(); fig.savefig(path, dpi=110); plt.close(fig)


def table_json(evals: dict) -> dict:
    "Tables 1-2 per seed and as mean ± sample standard deviation (n - 1) over the seeds present."
    per = {}
    for name, e in sorted(evals.items()):
        per[name] = dict(model="TreeDiffusion" if name.startswith("td") else "TreeVAE + Diffusion", seed=int(name[2:]),
                         fid_gen=e["fid"]["TreeDiffusion"]["gen"], fid_rec=e["fid"]["TreeDiffusion"]["rec"],
                         treevae_fid_gen=e["fid"]["TreeVAE"]["gen"], treevae_fid_rec=e["fid"]["TreeVAE"]["rec"],
                         leaf_fidelity=e["leaf_fidelity"]["TreeDiffusion"]["mean"], treevae_leaf_fidelity=e["leaf_fidelity"]["TreeVAE"]["mean"],
                         noise_floor=e["leaf_fidelity"]["noise_floor"], entropy=e["entropy"]["TreeDiffusion"], n_images=e["n_images"],
                         n_per_leaf=e["leaf_fidelity"]["n_per_leaf"],
                         replica_rate=(e.get("replicas") or {}).get("TreeDiffusion", {}).get("rate"),      # None: evaluated before the copy check
                         treevae_replica_rate=(e.get("replicas") or {}).get("TreeVAE", {}).get("rate"), real_replica_rate=(e.get("replicas") or {}).get("real_rate"))
    summary = {}
    for model in ("TreeDiffusion", "TreeVAE + Diffusion"):
        rows = [r for r in per.values() if r["model"] == model]
        if rows: summary[model] = {k: mean_std([r[k] for r in rows]) for k in ("fid_gen", "fid_rec", "leaf_fidelity", "entropy", "replica_rate")} | dict(n_seeds=len(rows), n_replica=sum(r["replica_rate"] is not None for r in rows))
    td = [r for r in per.values() if r["model"] == "TreeDiffusion"]
    if td: summary["TreeVAE"] = {k: mean_std([r[f"treevae_{k}"] for r in td]) for k in ("fid_gen", "fid_rec", "leaf_fidelity", "replica_rate")} | dict(n_seeds=len(td))
    return dict(per_run=per, summary=summary, std="sample standard deviation over seeds (n - 1); 0 for one seed")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("table", choices=list(TABLES))
    ap.add_argument("--jobs", type=int, default=1, help="steps run at once, one thread each (the demo's run uses 2 processes)")
    ap.add_argument("--only", nargs="+", help="run only these steps (default: all)")
    ap.add_argument("--list", action="store_true", help="say what is done and what would run, and stop")
    ap.add_argument("--no-assemble", action="store_true", help="run the steps but leave the results folder as it is")
    ap.add_argument("--assemble-only", action="store_true", help="run nothing; assemble the results folder again from what the record and the working folder hold")
    ap.add_argument("--reproduce", action="store_true", help="run nothing; take the table's behaviour fingerprint: its baseline, or a check that today's code still computes it (notebook 12c)")
    ap.add_argument("--reseal", action="store_true", help="run nothing; write the table's exported model again with today's checkpoint digest (tensors unchanged)")
    ap.add_argument("--work", default=None, help="working folder (default: runs/record/TABLE)")
    ap.add_argument("--dest", default=str(ROOT), help="where nbs/images/results/presets/TABLE and pretrained/ are written (default: this checkout)")
    a = ap.parse_args()
    work = Path(a.work or ROOT / "runs" / "record" / a.table).resolve(); work.mkdir(parents=True, exist_ok=True)
    if restore(a.table, work, Path(a.dest).resolve()): print(f"[regenerate] {a.table}: the committed tree was copied to {work / 'tree'}")
    plan, res = steps(a.table, work), results_dir(a.table, Path(a.dest).resolve())
    # a step is done when its working folder finished it, or when the record holds its current result (made in an earlier session)
    recorded = lambda n: res / ("run" if a.table == "demo" else n)
    state = {n: "done" if done(f) else "recorded" if recorded(n).is_dir() and folder_status(recorded(n))["status"] == "current" else "to run"
             for n, (_, f, *_) in plan.items()}
    for name, (cmd, folder, *_) in plan.items():
        print(f"{state[name]:<8} {name:<5} {' '.join(cmd[1:])}")
    if a.list: raise SystemExit(0)
    if a.reseal: reseal(TABLES[a.table]["pretrained"], Path(a.dest).resolve()); raise SystemExit(0)
    if a.reproduce and "tree_from" in TABLES[a.table]:
        raise SystemExit(f"regenerate: {a.table}'s runs are vouched for by the reproduction of {TABLES[a.table]['tree_from']}: "
                         f"run `python tools/regenerate.py {TABLES[a.table]['tree_from']} --reproduce`")
    if a.reproduce:
        from treediffusion.reproduce import reproduce_folder
        shipped = TABLES[a.table]["pretrained"] or TABLES[a.table]["probe"]   # demo-table3 ships no model: the demo's, same preset, probes the code
        model = Path(a.dest).resolve() / "pretrained" / shipped
        tv = res / "tree" / "treevae.pt"
        base = json.loads((res / "reproduce.json").read_text())["baseline"]["probes"] if (res / "reproduce.json").is_file() else None
        with_model = (model / "diffusion.pt").is_file() and (base is None or "evaluation" in base)   # the probes its baseline took, no more
        rec = reproduce_folder(res, load_config(TABLES[a.table]["preset"]), model if with_model else None, tv if tv.is_file() else None)
        raise SystemExit(0 if not rec["checks"] or rec["checks"][-1]["match"] else 1)
    if not a.assemble_only: run_steps(plan, [n for n in plan if state[n] == "to run" and (not a.only or n in a.only)], a.jobs, work)
    if not a.no_assemble: assemble(a.table, work, ["python", "tools/regenerate.py", *sys.argv[1:]], Path(a.dest).resolve())
    print(f"[regenerate] {a.table}: done → {res.relative_to(Path(a.dest).resolve()).as_posix()}")
