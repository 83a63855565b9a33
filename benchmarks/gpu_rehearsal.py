"""GPU rehearsal of the paper presets (issue 14, item 6): per preset, throughput and peak memory of the code paths a
paper run spends its hours in, then the tiny end-to-end run on the GPU, written to one JSON. A second mode turns
that JSON into GPU-hours per table.

    # on a GPU machine (synthetic images of each preset's shape; no dataset, no Inception weights needed):
    PYTHONPATH=. python benchmarks/gpu_rehearsal.py --out gpu_rehearsal.json
    # anywhere: GPU-hours per paper table from the measured throughput
    python benchmarks/gpu_rehearsal.py --report nbs/images/results/benchmarks/gpu/gpu_rehearsal.json

What is timed (CUDA events are not needed: every timed loop ends with a synchronize, and the median of several
rounds is kept):
- **TreeVAE train step** of a tree split breadth-first to the preset's `n_leaves` (the shape of a grown tree), at the
  preset batch size, as `grow_tree` runs it: uint8 batch → GPU → views (two augmented views when the contrastive loss is on)
  → negative ELBO → backward → Adam. fp32 (what growth runs today) and bf16 autocast.
- **The views alone** (`two_views`, batched since 2026-11-27; per-image torchvision before, for the RGB presets).
- **Diffusion train step** as `train_diffusion` runs it (TreeVAE pass and path bookkeeping, ε-loss, backward, clipping,
  Adam, EMA) in bf16 autocast (`mixed_precision: auto` on CUDA) and in fp32.
- **Path bookkeeping**: `path_latents` (vectorised) against the per-node, per-sample Python loop it replaced.
- **Sampling**: one U-Net evaluation (the unit every sampler is made of) at the evaluation batch (250) and at 1000,
  fp32 and bf16 autocast, in images·NFE/s.
"""
import argparse, json, math, os, statistics, subprocess, sys, time, traceback
from pathlib import Path

import torch
from treediffusion.record import record_script, stamp

PRESETS = ("mnist", "fashion-mnist", "cifar10", "celeba", "cubicc")
# training-set sizes (CUBICC: the reference's 500 diffusion epochs at batch 32 in 150k steps ⇒ ≈ 9,600 images)
TRAIN_SIZE = {"mnist": 60000, "fashion-mnist": 60000, "cifar10": 50000, "celeba": 162770, "cubicc": 9600}


def _sync():
    if torch.cuda.is_available(): torch.cuda.synchronize()


def timed(step, n_images: int, iters: int, warmup: int, rounds: int = 3, budget_s: float = 2.0) -> float:
    "Median images/s of `step` (processing `n_images` per call) over `rounds` rounds of `iters` calls (fewer if a round would pass `budget_s`), after `warmup` calls."
    for _ in range(warmup): step()
    _sync(); t0 = time.perf_counter(); step(); _sync()
    iters = max(2, min(iters, int(budget_s / max(time.perf_counter() - t0, 1e-6))))   # slow steps: fewer calls per round
    rates = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for _ in range(iters): step()
        _sync(); rates.append(n_images * iters / (time.perf_counter() - t0))
    return statistics.median(rates)


def peak_gib(f) -> float:
    "Peak GPU memory (GiB) while running `f` once."
    if not torch.cuda.is_available(): f(); return float("nan")
    torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(); f(); _sync()
    return torch.cuda.max_memory_allocated() / 2 ** 30


def loop_path_latents(tree, out, leaves):
    "The Python loop `path_latents` replaced (per node, per sample; host sync on `leaves`)."
    ids, zs, bidx = [], [], []
    leaves = leaves.tolist()
    for node in tree.nodes:
        rows = [b for b, l in enumerate(leaves) if node in tree.path(l)] if node else list(range(len(leaves)))
        if not rows: continue
        r = torch.as_tensor(rows, device=out.z[node].device)
        ids.append(torch.full((len(rows),), node, device=r.device)); zs.append(out.z[node][r]); bidx.append(r)
    return torch.cat(ids), torch.cat(zs), torch.cat(bidx)


def bench_preset(name: str, dev, iters: int, warmup: int, smoke: bool = False) -> dict:
    from treediffusion.config import load_config, preset_path
    from treediffusion.diffusion import new_model, tree_condition, ema_with_warmup, loss_weights
    from treediffusion.ddim import NoiseSchedule, linear_betas
    from treediffusion.data import to_signed
    from treediffusion.augment import training_views
    from treediffusion.tree import node_depth
    from treediffusion.treevae import TreeVAE, path_latents, sample_leaves
    from torch.optim.swa_utils import AveragedModel

    cfg = load_config(preset_path(name)); c, d = cfg.treevae, cfg.diffusion
    res = dict(preset=name, image=[c.in_channels, c.image_size, c.image_size], treevae_batch=cfg.data.batch_size,
               diffusion_batch=d.batch_size, n_leaves=cfg.growth.n_leaves)
    torch.manual_seed(0)
    tv = TreeVAE(c).to(dev)
    while len(tv.tree.leaves) < cfg.growth.n_leaves: tv.split_leaf(min(tv.tree.leaves, key=node_depth))
    res["treevae_params_M"] = round(sum(p.numel() for p in tv.parameters()) / 1e6, 2)
    bs = min(cfg.data.batch_size, 8) if smoke else cfg.data.batch_size
    images = torch.randint(0, 256, (8 * bs, c.in_channels, c.image_size, c.image_size), dtype=torch.uint8)
    views = training_views(c)
    opt = torch.optim.Adam(tv.parameters(), lr=1e-4)
    ac = lambda on: torch.autocast("cuda", dtype=torch.bfloat16, enabled=on and dev.type == "cuda")

    last = {}
    def tv_step(bf16):
        def step():
            idx = torch.randint(0, len(images), (bs,))
            x = images[idx].to(dev).float().div_(255)
            with ac(bf16): loss = tv(views(x), kl_weight=1.0).loss
            opt.zero_grad(set_to_none=True); loss.float().backward(); opt.step(); last["loss"] = loss.detach()
        return step
    fresh = {k: v.clone() for k, v in tv.state_dict().items()}
    tv.train()
    for mode, on in (("fp32", False), ("bf16", True)):
        tv.load_state_dict(fresh); opt = torch.optim.Adam(tv.parameters(), lr=1e-4)
        res[f"treevae_train_img_s_{mode}"] = round(timed(tv_step(on), bs, iters, warmup), 1)
        res[f"treevae_train_peak_gib_{mode}"] = round(peak_gib(tv_step(on)), 2)
        res[f"treevae_last_loss_{mode}"] = float(last["loss"])          # NaN here: that precision diverges on noise images
    tv.load_state_dict(fresh)
    if c.contrastive_weight > 0:
        xb = images[:bs].to(dev).float() / 255
        res["views_img_s"] = round(timed(lambda: views(xb), bs, max(iters // 2, 2), 2), 1)
    del opt; tv.eval().requires_grad_(False)

    # diffusion: the train_diffusion inner loop (accelerate's autocast is torch.autocast bf16 on CUDA)
    model = new_model(cfg, tv).to(dev); res["unet_params_M"] = round(sum(p.numel() for p in model.parameters()) / 1e6, 2)
    ema = AveragedModel(model, multi_avg_fn=ema_with_warmup(d.ema_decay))
    dopt = torch.optim.Adam(model.parameters(), lr=d.lr)
    sch = NoiseSchedule(linear_betas(d.T, d.beta_start, d.beta_end))
    B = min(d.batch_size, 4) if smoke else d.batch_size

    def df_step(bf16):
        def step():
            idx = torch.randint(0, len(images), (B,))
            x01 = images[idx].to(dev).float() / 255
            pb, recon, _, _ = tree_condition(tv, x01, decode=d.recon_input)
            x0 = to_signed(x01); t = torch.randint(0, d.T, (B,), device=dev); eps = torch.randn_like(x0)
            with ac(bf16):
                err = (model(sch.q_sample(x0, t, eps).float(), t, pb, recon).float() - eps).square().mean((1, 2, 3))
            loss = (loss_weights(sch, t, d.loss_weight, d.snr_gamma) * err).mean()
            dopt.zero_grad(set_to_none=True); loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), d.grad_clip); dopt.step(); ema.update_parameters(model)
        return step
    model.train()
    for mode, on in (("bf16", True), ("fp32", False)):
        res[f"diffusion_train_img_s_{mode}"] = round(timed(df_step(on), B, iters, warmup), 1)
        res[f"diffusion_train_peak_gib_{mode}"] = round(peak_gib(df_step(on)), 2)
    # the TreeVAE pass + path bookkeeping alone, per training batch
    x01 = images[:B].to(dev).float() / 255
    res["tree_condition_ms"] = round(1000 * B / timed(lambda: tree_condition(tv, x01, decode=d.recon_input), B, iters, 3), 2)
    with torch.no_grad():
        o = tv.reconstruct(x01); lv = sample_leaves(o)
    for fname, f in (("vectorised", path_latents), ("loop", loop_path_latents)):
        res[f"path_latents_ms_{fname}"] = round(1000 * B / timed(lambda: f(tv.tree, o, lv), B, iters, 3), 3)
    del dopt

    # sampling: one network evaluation at the evaluation batch and at 1000
    model.eval()
    res["sample_batches"] = [4, 8] if smoke else [250, 1000]       # keys say b250 / b1000 either way
    for n, lab in zip(res["sample_batches"], ("b250", "b1000")):
        with torch.no_grad():
            pb, _, _, _ = tree_condition(tv, n=n, decode=False)
        xt = torch.randn(n, c.in_channels, c.image_size, c.image_size, device=dev); t = torch.full((n,), 500, device=dev)
        for mode, on in (("fp32", False), ("bf16", True)):
            def nfe():
                with torch.inference_mode(), ac(on): model(xt, t, pb)
            res[f"sample_nfe_img_s_{mode}_{lab}"] = round(timed(nfe, n, max(iters // 4, 3), 2), 1)
            res[f"sample_peak_gib_{mode}_{lab}"] = round(peak_gib(nfe), 2)
    return res


def tiny_end_to_end(out_dir: Path) -> dict:
    "`treediffusion run --config configs/tiny.yml` on the GPU through the CLI (growth, diffusion, evaluation, report)."
    t0 = time.time()
    p = subprocess.run([sys.executable, "-c", "import sys; from treediffusion.cli import main; sys.exit(main(sys.argv[1:]))", "run",
                        "--config", "configs/tiny.yml", "--out", str(out_dir)], capture_output=True, text=True)
    ev = out_dir / "eval.json"
    return dict(rc=p.returncode, seconds=round(time.time() - t0, 1), tail=(p.stdout + p.stderr)[-1500:],
                eval_keys=sorted(json.loads(ev.read_text())) if ev.exists() else None)


def measure(args):
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    info = dict(torch=torch.__version__, iters_note="a round stops short of iters when it would pass 2 s (at least 2 calls)", device=torch.cuda.get_device_name() if dev.type == "cuda" else "cpu",
                iters=args.iters, warmup=args.warmup, started=time.strftime("%Y-%m-%d %H:%M:%S"),
                tf32_matmul=torch.backends.cuda.matmul.allow_tf32, cudnn_tf32=torch.backends.cudnn.allow_tf32)
    out = dict(info=info, presets={}, errors={})
    path = Path(args.out); path.parent.mkdir(parents=True, exist_ok=True)
    for name in args.presets:
        t0 = time.time()
        try: out["presets"][name] = bench_preset(name, dev, args.iters, args.warmup, args.smoke) | dict(seconds=round(time.time() - t0, 1))
        except Exception: out["errors"][name] = traceback.format_exc()[-2000:]
        print(f"{name}: {time.time() - t0:.0f}s", json.dumps(out["presets"].get(name) or out["errors"][name])[:600], flush=True)
        path.write_text(json.dumps(stamp(out), indent=1))
        if dev.type == "cuda": torch.cuda.empty_cache()
    if args.end_to_end:
        try: out["tiny_end_to_end"] = tiny_end_to_end(Path(args.e2e_dir))
        except Exception: out["errors"]["tiny_end_to_end"] = traceback.format_exc()[-2000:]
        print("tiny end-to-end:", json.dumps(out.get("tiny_end_to_end"))[:800], flush=True)
    path.write_text(json.dumps(stamp(out), indent=1))
    print(report(out))


def gpu_hours(name: str, r: dict) -> dict:
    "GPU-hours of one seed of the preset's paper run: `treediffusion.preflight.estimate_hours` on the measured rates (fp32, the default)."
    from treediffusion.config import load_config, preset_path
    from treediffusion.preflight import estimate_hours
    rates = dict(treevae_train=r["treevae_train_img_s_fp32"], diffusion_train=r["diffusion_train_img_s_fp32"],
                 sample_nfe=r["sample_nfe_img_s_fp32_b250"])            # evaluation samples in batches of 250
    h = estimate_hours(load_config(preset_path(name)), rates, TRAIN_SIZE[name])
    return dict(growth=h["growth"], diffusion=round(h["diffusion"], 1), sampling=h["sampling"], seed_total=round(h["total"], 1))


def report(out: dict) -> str:
    rows = ["| preset | TreeVAE train img/s fp32 / bf16 | views img/s | diffusion train img/s bf16 / fp32 | peak GiB (diff. bf16) "
            "| path_latents ms loop → vec | NFE img/s b250 fp32 / bf16 | GPU-h per seed (fp32): growth + diffusion + sampling |",
            "|---|---|---|---|---|---|---|---|"]
    for name, r in out["presets"].items():
        h = gpu_hours(name, r)
        rows.append(f"| {name} | {r['treevae_train_img_s_fp32']:.0f} / {r['treevae_train_img_s_bf16']:.0f} | {r.get('views_img_s', '–')} "
                    f"| {r['diffusion_train_img_s_bf16']:.0f} / {r['diffusion_train_img_s_fp32']:.0f} | {r['diffusion_train_peak_gib_bf16']} "
                    f"| {r['path_latents_ms_loop']} → {r['path_latents_ms_vectorised']} "
                    f"| {r['sample_nfe_img_s_fp32_b250']:.0f} / {r['sample_nfe_img_s_bf16_b250']:.0f} "
                    f"| {h['growth']} + {h['diffusion']} + {h['sampling']} = **{h['seed_total']}** |")
    for k, v in out.get("errors", {}).items(): rows.append(f"\nERROR {k}: {v.splitlines()[-1] if v else ''}")
    return "\n".join(rows)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="gpu_rehearsal.json")
    ap.add_argument("--presets", nargs="*", default=list(PRESETS))
    ap.add_argument("--iters", type=int, default=20, help="timed calls per round (3 rounds)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="tiny batches: check the code path on a CPU")
    ap.add_argument("--no-end-to-end", dest="end_to_end", action="store_false")
    ap.add_argument("--e2e-dir", default="runs/gpu-tiny")
    ap.add_argument("--report", help="print GPU-hours from a JSON written earlier, and exit")
    a = ap.parse_args()
    record_script(a.out)                      # run.json beside the results: commit, config, machine load
    if a.report: print(report(json.loads(Path(a.report).read_text())))
    else: measure(a)
