"""Our code against the authors' reference implementation (JoGo175/TreeDiffusion), same architecture, side by side.

The reference is NOT part of this repository: point `--reference` at a local checkout of it (a `git clone`, or a
`git archive` extract; pass `--reference-commit` when the folder has no `.git`). Its folder is put on `sys.path` and
its `models`/`utils` modules are imported from there. Three packages that those modules import at top level but never
use in what is measured here are replaced by empty stand-ins in `sys.modules` when they are not installed: `wandb`,
`torchmetrics` (a `Metric` base class) and `pytorch_lightning` (a `LightningModule` base class).

One process builds, at a paper preset (`--preset fashion-mnist` or `cifar10`; ours from `configs/<preset>.yml`, theirs
from their `configs/fmnist.yml` / `cifar10.yml`):
  - the diffusion U-Net of both codes with the path conditioning added to the time embedding: ours `TreeDiffusion`
    (`UNet` + `PathEncoder`), theirs `SuperResModel`/`UNetModel` with `z_signal='path'`, wrapped in their `DDPM`;
    both take the TreeVAE reconstruction as extra input channels, as the reference's `form1` training does
    (`--no-recon`: neither does, as our presets);
  - a TreeVAE of each code grown breadth-first to `--leaves` leaves (ours `split_leaf`, theirs `attach_smalltree` of
    a `SmallTreeVAE`, both on the leftmost shallowest leaf: 10 leaves = 6 at depth 3 and 4 at depth 4). Our CIFAR-10
    preset's router reads all C·R·R values ('full'); it is switched to the reference's router ('reference') here.

and times them in alternating rounds (same batch, threads and device; median of the rounds):
  - `train`:  a diffusion training step — noising, U-Net forward with the path condition, MSE, backward, gradient
              clipping at 1.0 (both codes clip), Adam step (no EMA in either, and not the reference's per-step
              `gc.collect()`);
  - `sample`: one conditioned U-Net forward under `torch.inference_mode` (one sampling step);
  - `cond`:   the frozen TreeVAE pass that makes a batch's condition — ours `tree_condition` (posterior pass, leaf
              draw, path batch, chosen leaves decoded), theirs `vae.forward` + `compute_reconstructions_and_leaf_embeddings`
              (one pass per step here; our training makes one pass for `diffusion.tree_pass_batches` steps);
  - `tree`:   a TreeVAE training step at the full tree — forward with the loss, backward, Adam (weight decay) step. With
              the contrastive loss (CIFAR-10) both get the same ready-made batch of two views (the reference makes them
              in its data loader, so view making is left out of both).

Then counts operations with `torch.profiler` (CPU activity) for one of each step at two batch sizes: `top` is the number
of `aten::` events with no `aten::` ancestor — every call into the ATen dispatcher from Python, the autograd engine or
the optimizer (one op as the framework sees it, whatever it calls inside) — and `all` counts every `aten::` event,
nested ones included. The same definition is used for both codes; the counts do not depend on the machine. (The
profiler sees no op of a thread started outside it, so while counting, the reference's per-sample path lookup, which
runs in a `ThreadPoolExecutor`, runs in the calling thread instead: same ops, all counted. On a GPU, Adam runs its
`foreach` implementation, so the train-step counts there are lower than on the CPU for both codes.)

    OMP_NUM_THREADS=1 OMP_WAIT_POLICY=PASSIVE python benchmarks/reference.py --reference /path/to/TreeDiffusion \\
        --preset fashion-mnist --out nbs/images/results/benchmarks/reference/fashion-mnist_cpu.json       # ~2 min
    ... --preset cifar10 --iters 1 --out nbs/images/results/benchmarks/reference/cifar10_cpu.json     # ~4 min
    ... --device cuda --batch 256 --tree-batch 256 --count-batches 64 128 --threads 0                  # a GPU

Prints a table of images/s per step (batch / median seconds per step), the ratio ours/reference of those (> 1: ours is
faster) and the ratios of the rounds (each round runs both codes back to back), and writes `--out` (JSON:
device, threads, batch sizes, per-round seconds, medians, ratios, op counts, both parameter counts, the reference's
commit), with `run.json` beside it.
"""
import argparse, importlib, json, os, statistics, subprocess, sys, time, types
from dataclasses import replace
from functools import partial
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

from treediffusion.config import load_config
from treediffusion.core import configure_cpu_runtime
from treediffusion.data import to_signed
from treediffusion.ddim import NoiseSchedule, linear_betas
from treediffusion.diffusion import diffusion_loss, new_model, tree_condition
from treediffusion.record import record_script, stamp
from treevae import grown      # benchmarks/treevae.py: our TreeVAE split breadth-first (leftmost shallowest leaf) to n leaves

REF_CONFIG = {"fashion-mnist": "fmnist", "cifar10": "cifar10"}      # our preset -> the reference's config name


# ---------------------------------------------------------------------------------------------------- the reference
def import_reference(root: Path) -> dict:
    "The reference's classes, imported from the checkout at `root` (stand-ins for its unused, uninstalled imports)."
    stubbed = []
    def stub(name, **attrs):
        try: importlib.import_module(name); return
        except ImportError: pass
        m = types.ModuleType(name); m.__dict__.update(attrs)
        def noop(k):                                                # wandb.log, wandb.Table, ...: no-ops
            if k.startswith("__"): raise AttributeError(k)
            return lambda *a, **kw: None
        m.__getattr__ = noop
        sys.modules[name] = m; stubbed.append(name)
    stub("wandb")
    stub("torchmetrics", Metric=type("Metric", (nn.Module,), {}))
    stub("pytorch_lightning", LightningModule=nn.Module)
    sys.path.insert(0, str(root))
    mods = {k: importlib.import_module(k) for k in ("models.model", "models.model_smalltree", "models.diffusion.unet_openai",
                                                    "models.diffusion.ddpm", "models.diffusion.wrapper")}
    for k, m in mods.items():       # a package of the same name installed elsewhere would shadow the checkout's
        if not Path(m.__file__).resolve().is_relative_to(root.resolve()):
            raise ImportError(f"{k} was imported from {m.__file__}, not from the reference checkout {root}")
    return dict(TreeVAE=mods["models.model"].TreeVAE, SmallTreeVAE=mods["models.model_smalltree"].SmallTreeVAE,
                UNetModel=mods["models.diffusion.unet_openai"].UNetModel, SuperResModel=mods["models.diffusion.unet_openai"].SuperResModel,
                DDPM=mods["models.diffusion.ddpm"].DDPM, DDPMWrapper=mods["models.diffusion.wrapper"].DDPMWrapper, stubbed=stubbed)


def reference_commit(root: Path, given: str | None) -> str:
    if given: return given
    try: r = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=30)
    except OSError: r = None
    return r.stdout.strip() if r is not None and r.returncode == 0 else f"unknown (no git at {root})"


def reference_configs(root: Path, preset: str) -> dict:
    "Their config file, with the list fields parsed as their `prepare_config` does."
    import yaml
    c = yaml.safe_load((root / "configs" / f"{REF_CONFIG[preset]}.yml").read_text())
    t = c["training"]
    for k in ("latent_channels", "bottom_up_channels"):
        if isinstance(t[k], str): t[k] = [int(i) for i in t[k].split(",")]
    t["augmentation_method"] = [s for s in t["augmentation_method"].split(",")]
    return c


def parse_ints(s: str) -> list: return [int(v) for v in s.split(",") if v.strip()]


def reference_unet(R: dict, c: dict, recon: bool) -> nn.Module:
    "Their DDPM around the U-Net, built as their `train_ddpm.py` builds it (form1: `SuperResModel`, reconstruction as input)."
    m, tr, data = c["ddpm"]["model"], c["ddpm"]["training"], c["ddpm"]["data"]
    cls = R["SuperResModel"] if recon else R["UNetModel"]
    dec = cls(in_channels=data["inp_channels"], model_channels=m["dim"], out_channels=data["inp_channels"], num_res_blocks=m["n_residual"],
              attention_resolutions=parse_ints(m["attn_resolutions"]), channel_mult=parse_ints(m["dim_mults"]), use_checkpoint=False,
              dropout=m["dropout"], num_heads=m["n_heads"], z_dim=tr["z_dim"], use_scale_shift_norm=tr["z_cond"], use_z=tr["z_cond"],
              z_signal=tr["z_signal"])
    return R["DDPM"](dec, beta_1=m["beta1"], beta_2=m["beta2"], T=m["n_timesteps"])


def reference_tree(R: dict, kw: dict, n_leaves: int) -> nn.Module:
    "Their TreeVAE (root + 2 leaves), grown by attaching a `SmallTreeVAE` to the leftmost shallowest leaf until `n_leaves`."
    m = R["TreeVAE"](**kw)
    while len(m.compute_leaves()) < n_leaves:
        leaf = min(m.compute_leaves(), key=lambda l: l["depth"])
        m.attach_smalltree(leaf["node"], R["SmallTreeVAE"](depth=leaf["depth"] + 1, **kw))
    return m


def reference_condition(R: dict, vae, x01, dev):
    "Their frozen pass for one diffusion batch (`DDPMWrapper.training_step`): (reconstruction, path list per sample)."
    shim = types.SimpleNamespace(device=dev)            # the two methods need only `self.device` and each other
    shim.get_path_info = partial(R["DDPMWrapper"].get_path_info, shim)
    with torch.no_grad():
        res = vae.forward(x01)
        recon, cond, z = R["DDPMWrapper"].compute_reconstructions_and_leaf_embeddings(
            shim, res["reconstructions"], res["node_leaves"], res["node_info"], False, "path", True, dev)
    return recon, z


# ---------------------------------------------------------------------------------------------------- ours
def u_lat(tv) -> int: return int(torch.tensor(tv.latent_shape).prod())


# ---------------------------------------------------------------------------------------------------- measuring
def n_params(m): return sum(p.numel() for p in m.parameters())


def synced(f, dev):
    if dev.type != "cuda": return f
    def g(): f(); torch.cuda.synchronize()
    return g


def alternate(steps: dict, iters: int, warmup: int, rounds: int) -> dict:
    "Seconds per step of each closure: `rounds` rounds, the closures in turn, `iters` steps each (after `warmup`)."
    for s in steps.values():
        for _ in range(warmup): s()
    times = {k: [] for k in steps}
    for _ in range(rounds):
        for k, s in steps.items():
            t0 = time.perf_counter()
            for _ in range(iters): s()
            times[k].append((time.perf_counter() - t0) / iters)
    return times


class InlineExecutor:
    "A `ThreadPoolExecutor` stand-in that maps in the calling thread: the profiler records no ops of threads it did not start in."
    def __init__(self, *args, **kwargs): pass
    def __enter__(self): return self
    def __exit__(self, *exc): return False
    def map(self, f, *its): return list(map(f, *its))


def count_ops(f) -> dict:
    """aten:: events of one call of `f` under torch.profiler: `top` (no aten:: ancestor), `all` (nested included) and
    `optimizer_top` (the top-level ones inside `Optimizer.step`, when there are any)."""
    from torch.profiler import profile, ProfilerActivity
    import concurrent.futures as cf
    pool, cf.ThreadPoolExecutor = cf.ThreadPoolExecutor, InlineExecutor      # the reference's per-sample path lookup uses threads
    try:
        with profile(activities=[ProfilerActivity.CPU]) as prof: f()
    finally: cf.ThreadPoolExecutor = pool
    ev = [e for e in prof.events() if e.name.startswith("aten::")]
    def ancestors(e):
        p = e.cpu_parent
        while p is not None: yield p; p = p.cpu_parent
    top = [e for e in ev if not any(p.name.startswith("aten::") for p in ancestors(e))]
    opt = sum(any(p.name.startswith("Optimizer.step") for p in ancestors(e)) for e in top)
    return dict(top=len(top), all=len(ev), **({"optimizer_top": opt} if opt else {}))


# ---------------------------------------------------------------------------------------------------- the steps
class Bench:
    "Both codes' models at one preset, and closures for each measured step at a given batch size."
    def __init__(self, a, R):
        self.a, self.R, self.dev = a, R, torch.device(a.device)
        cfg = load_config(f"configs/{a.preset}.yml")      # the repository's file, else the packaged preset of that name
        tv = cfg.treevae if cfg.treevae.router == "reference" else replace(cfg.treevae, router="reference")
        d = replace(cfg.diffusion, recon_input=not a.no_recon, unet=replace(cfg.diffusion.unet, extra_channels=0))
        self.cfg, self.notes = replace(cfg, treevae=tv, diffusion=d), []
        if tv.router != cfg.treevae.router: self.notes.append(f"our treevae.router {cfg.treevae.router!r} -> 'reference' (the reference's router)")
        if d.recon_input != cfg.diffusion.recon_input: self.notes.append(f"our diffusion.recon_input {cfg.diffusion.recon_input} -> {d.recon_input} (the reference's form1)")
        self.rc = reference_configs(Path(a.reference), a.preset)
        kw = self.rc["training"]
        torch.manual_seed(0)
        self.our_tv = grown(tv, a.leaves).to(self.dev)
        self.ref_tv = reference_tree(R, kw, a.leaves).to(self.dev)
        self.our_dm = new_model(self.cfg, self.our_tv).to(self.dev)
        self.ref_dm = reference_unet(R, self.rc, not a.no_recon).to(self.dev)
        self.sch = NoiseSchedule(linear_betas(d.T, d.beta_start, d.beta_end))
        self.alpha = float(kw["kl_start"])
        self.contrastive = tv.contrastive_weight > 0
        self.check_shapes(kw)

    def check_shapes(self, kw):
        "Refuse to compare models whose shapes disagree (image, latent, U-Net widths, leaves)."
        u, m = self.cfg.diffusion.unet, self.rc["ddpm"]["model"]
        ours = (u.in_channels, u.image_size, u.base_channels, tuple(u.channel_mults), u.num_res_blocks, u.num_heads, u.dropout,
                self.cfg.treevae.latent_channels, self.cfg.treevae.bottom_up_channels, self.cfg.treevae.representation_dim,
                self.cfg.treevae.max_depth, len(self.our_tv.tree.leaves))
        theirs = (kw["inp_channels"], kw["inp_shape"], m["dim"], tuple(parse_ints(m["dim_mults"])), m["n_residual"], m["n_heads"], m["dropout"],
                  kw["latent_channels"][0], kw["bottom_up_channels"][0], kw["representation_dim"], len(kw["bottom_up_channels"]) - 1,
                  len(self.ref_tv.compute_leaves()))
        if ours != theirs: raise SystemExit(f"shapes differ: ours {ours}, reference {theirs}")
        blocks = lambda m: sorted((k, n) for k in ("ResBlock", "AttentionBlock")
                                  for n in [sum(type(x).__name__ == k for x in m.modules())])
        if blocks(self.our_dm) != blocks(self.ref_dm): raise SystemExit(f"U-Net blocks differ: ours {blocks(self.our_dm)}, reference {blocks(self.ref_dm)}")
        zd = self.rc["ddpm"]["training"]["z_dim"]
        if zd != u_lat(self.our_tv): raise SystemExit(f"conditioning latent size differs: ours {u_lat(self.our_tv)}, reference z_dim {zd}")

    def images(self, n, seed=0):
        c = self.cfg.treevae
        return torch.rand(n, c.in_channels, c.image_size, c.image_size, generator=torch.Generator().manual_seed(seed)).to(self.dev)

    # diffusion: conditions made once per batch size, outside the timed steps
    def conditions(self, B):
        x01 = self.images(B)
        self.our_tv.eval(); self.ref_tv.eval()
        torch.manual_seed(1); pb, recon, leaves, _ = tree_condition(self.our_tv, x01, decode=not self.a.no_recon)
        torch.manual_seed(1); ref_recon, z = reference_condition(self.R, self.ref_tv, x01, self.dev)
        return x01, pb, recon, ref_recon if not self.a.no_recon else None, z, leaves

    def diffusion_steps(self, B, train: bool):
        x01, pb, recon, ref_recon, z, _ = self.conditions(B)
        ours, ref, d = self.our_dm, self.ref_dm, self.cfg.diffusion
        x = to_signed(x01)
        if not train:
            ours.eval(); ref.eval()
            t = torch.randint(0, d.T, (B,), device=self.dev)
            def s_ours():
                with torch.inference_mode(): ours(x, t, pb, recon)
            def s_ref():
                with torch.inference_mode(): ref.decoder(x, t, low_res=ref_recon, z=z)
            return dict(ours=s_ours, reference=s_ref)
        ours.train(); ref.train()
        o_opt = torch.optim.Adam(ours.parameters(), lr=d.lr, foreach=True)       # each code's optimiser as its training builds it
        r_opt = torch.optim.Adam(ref.decoder.parameters(), lr=d.lr)
        def s_ours():                        # diffusion_loss + optimizer_step of treediffusion/diffusion.py, without EMA
            loss = diffusion_loss(ours, self.sch, x01, pb, recon, d)
            o_opt.zero_grad(set_to_none=True); loss.backward()
            torch.nn.utils.clip_grad_norm_(ours.parameters(), d.grad_clip); o_opt.step()
        def s_ref():                         # DDPMWrapper.training_step after the frozen pass, without EMA
            t = torch.randint(0, ref.T, (B,), device=self.dev); eps = torch.randn_like(x)
            loss = F.mse_loss(eps, ref(x, eps, t, low_res=ref_recon, z=z))
            r_opt.zero_grad(); loss.backward()
            torch.nn.utils.clip_grad_norm_(ref.decoder.parameters(), 1.0); r_opt.step()
        return dict(ours=s_ours, reference=s_ref)

    def cond_steps(self, B):
        x01 = self.images(B); dec = not self.a.no_recon
        self.our_tv.eval(); self.ref_tv.eval()
        def s_ours(): self.last_leaves = tree_condition(self.our_tv, x01, decode=dec)[2]      # ours decodes each distinct leaf once
        return dict(ours=s_ours, reference=lambda: reference_condition(self.R, self.ref_tv, x01, self.dev))

    def tree_steps(self, B, forward_only=False):
        "TreeVAE training step at the full tree (or its forward with the loss only): B images, or B/2 images × 2 views."
        x = self.images(B, seed=2)
        if self.contrastive:                 # two views, first views then second views (the layout of both codes)
            from treediffusion.augment import training_views
            torch.manual_seed(2); x = training_views(self.cfg.treevae)(x).detach()
        ours, ref, g = self.our_tv, self.ref_tv, self.cfg.growth
        ours.train(); ref.train(); ref.alpha = torch.tensor(self.alpha)
        o_opt = torch.optim.Adam(ours.parameters(), lr=g.lr, weight_decay=g.weight_decay, foreach=True)   # as growth builds it
        r_opt = torch.optim.Adam(ref.parameters(), lr=self.rc["training"]["lr"], weight_decay=self.rc["training"]["weight_decay"])
        def l_ours(): return ours(x, kl_weight=self.alpha).loss
        def l_ref():                         # train_one_epoch's loss
            o = ref(x)
            return o["rec_loss"] + ref.alpha * (o["kl_root"] + o["kl_decisions"] + o["kl_nodes"]) + o["aug_decisions"]
        if forward_only: return dict(ours=l_ours, reference=l_ref)
        def s_ours(): loss = l_ours(); o_opt.zero_grad(set_to_none=True); loss.backward(); o_opt.step()
        def s_ref(): r_opt.zero_grad(); loss = l_ref(); loss.backward(); r_opt.step()
        return dict(ours=s_ours, reference=s_ref)

    def steps(self, part, B):
        f = {"train": partial(self.diffusion_steps, train=True), "sample": partial(self.diffusion_steps, train=False),
             "cond": self.cond_steps, "tree": self.tree_steps, "tree_forward": partial(self.tree_steps, forward_only=True)}[part](B)
        return {k: synced(v, self.dev) for k, v in f.items()}


PART_NAMES = {"train": "diffusion train step", "sample": "sampling forward", "cond": "conditioning pass (frozen TreeVAE)",
              "tree": "TreeVAE train step", "tree_forward": "TreeVAE forward + loss"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reference", required=True, help="a local checkout of JoGo175/TreeDiffusion")
    ap.add_argument("--reference-commit", default=None, help="its commit, when the checkout has no .git (e.g. a git archive extract)")
    ap.add_argument("--preset", choices=sorted(REF_CONFIG), default="fashion-mnist")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--batch", type=int, default=8, help="diffusion batch (train, sample, cond)")
    ap.add_argument("--tree-batch", type=int, default=32, help="TreeVAE batch (with the contrastive loss: images of both views together)")
    ap.add_argument("--leaves", type=int, default=10)
    ap.add_argument("--no-recon", action="store_true", help="no reconstruction input channels in either U-Net (our presets' setting)")
    ap.add_argument("--parts", nargs="+", default=["train", "sample", "cond", "tree"], choices=["train", "sample", "cond", "tree"])
    ap.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's choice)")
    ap.add_argument("--iters", type=int, default=2, help="steps per timed round (sampling and conditioning: 2×)")
    ap.add_argument("--rounds", type=int, default=5, help="alternating timed rounds (median reported)")
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--count-batches", type=int, nargs=2, default=None, metavar=("B1", "B2"),
                    help="the two diffusion batch sizes of the op counts (default: 4 and 8; TreeVAE: 4× these, even)")
    ap.add_argument("--no-counts", action="store_true")
    ap.add_argument("--out", default=None, help="JSON file (default: nbs/images/results/benchmarks/reference/<preset>_<device>.json)")
    a = ap.parse_args(argv)
    a.out = Path(a.out or f"nbs/images/results/benchmarks/reference/{a.preset}_{torch.device(a.device).type}.json")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    record_script(a.out, argv=sys.argv[1:] if argv is None else argv)
    if a.threads: torch.set_num_threads(a.threads)
    configure_cpu_runtime()          # the project's CPU setting for every run; affects both codes
    ref_root = Path(a.reference).resolve()
    R = import_reference(ref_root)
    b = Bench(a, R)
    ours_p = dict(unet=n_params(b.our_dm), treevae=n_params(b.our_tv))
    ref_p = dict(unet=n_params(b.ref_dm.decoder), treevae=n_params(b.ref_tv))
    u = b.cfg.diffusion.unet
    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), {a.device}, preset {a.preset}, reference {reference_commit(ref_root, a.reference_commit)}")
    print(f"U-Net: C={u.base_channels} mults={u.channel_mults} res_blocks={u.num_res_blocks} attn@{u.attn_resolutions} px heads={u.num_heads} "
          f"dropout={u.dropout}, in {u.in_channels}+{u.extra_channels} ch, {u.image_size}→{u.side} px; TreeVAE {b.cfg.treevae.arch}, {a.leaves} leaves")
    print(f"parameters: U-Net ours {ours_p['unet']:,} / reference {ref_p['unet']:,};  TreeVAE ours {ours_p['treevae']:,} / reference {ref_p['treevae']:,}")
    for n in b.notes: print("note:", n)
    if R["stubbed"]: print("stand-ins for the reference's unused imports:", ", ".join(R["stubbed"]))
    res = dict(preset=a.preset, device=a.device, threads=torch.get_num_threads(), OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS"),
               torch=torch.__version__, reference=dict(path=str(ref_root), commit=reference_commit(ref_root, a.reference_commit),
               config=f"configs/{REF_CONFIG[a.preset]}.yml", stubbed_imports=R["stubbed"]),
               batch=a.batch, tree_batch=a.tree_batch, leaves=a.leaves, recon_input=not a.no_recon, overrides=b.notes,
               params=dict(ours=ours_p, reference=ref_p), iters=a.iters, rounds=a.rounds, warmup=a.warmup, timings={}, op_counts={})

    t0 = time.perf_counter()
    for part in a.parts:
        B = a.tree_batch if part == "tree" else a.batch
        it = a.iters * (2 if part in ("sample", "cond") else 1)
        times = alternate(b.steps(part, B), it, a.warmup, a.rounds)
        med = {k: statistics.median(v) for k, v in times.items()}
        paired = [r / o for o, r in zip(times["ours"], times["reference"])]        # the two codes ran back to back in each round
        res["timings"][part] = dict(name=PART_NAMES[part], batch=B, iters=it, s_per_step=times, median_s=med,
                                    images_per_s={k: B / v for k, v in med.items()}, ratio=med["reference"] / med["ours"],
                                    ratio_per_round=paired, ratio_per_round_median=statistics.median(paired))
        print(f"  {PART_NAMES[part]}: ours {B / med['ours']:.1f} img/s, reference {B / med['reference']:.1f} img/s "
              f"({time.perf_counter() - t0:.0f} s)", flush=True)
    print("\n| step (batch) | ours img/s | reference img/s | ratio ours/reference | per-round ratios: median [min–max] |\n|---|---:|---:|---:|---:|")
    for part, r in res["timings"].items():
        q = r["ratio_per_round"]
        print(f"| {r['name']} ({r['batch']}) | {r['images_per_s']['ours']:.1f} | {r['images_per_s']['reference']:.1f} | **{r['ratio']:.2f}×** | "
              f"{r['ratio_per_round_median']:.2f} [{min(q):.2f}–{max(q):.2f}] |")

    if not a.no_counts:
        B1, B2 = a.count_batches or (4, 8)
        for part in ("train", "sample", "cond", "tree_forward", "tree"):
            bs = (B1, B2) if part in ("train", "sample", "cond") else (4 * B1, 4 * B2)
            row = {}
            for B in bs:
                steps = b.steps(part, B)
                for k, s in steps.items(): s()           # warm: optimizer state, lazy initialisation
                row[str(B)] = {k: count_ops(s) for k, s in steps.items()}
                if part == "cond": row[str(B)]["ours"]["distinct_leaves"] = len(b.last_leaves.unique())
            res["op_counts"][part] = dict(name=PART_NAMES[part], batches=list(bs), counts=row)
        print("\naten:: ops per step, top-level (all, nested included; Adam: the top-level ones inside Optimizer.step), at two batch sizes:\n"
              "| step | batch | ours | reference |\n|---|---:|---:|---:|")
        for part, r in res["op_counts"].items():
            for B, c in r["counts"].items():
                f = lambda c: f"{c['top']:,} ({c['all']:,})" + (f", Adam {c['optimizer_top']:,}" if "optimizer_top" in c else "") \
                    + (f", {c['distinct_leaves']} leaves decoded" if "distinct_leaves" in c else "")
                print(f"| {r['name']} | {B} | {f(c['ours'])} | {f(c['reference'])} |")
    res["wall_s"] = round(time.perf_counter() - t0, 1)
    a.out.write_text(json.dumps(stamp(res), indent=1))
    print(f"\nwrote {a.out} ({res['wall_s']:.0f} s of measuring)")


if __name__ == "__main__":
    main()
