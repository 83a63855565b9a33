"""Where a diffusion training step's time goes on a GPU (issue 14, item 6, second call): the rehearsal found bf16 no
faster than fp32 and a ~40 ms TreeVAE pass per step whatever the preset, i.e. a step bound by the host, not the GPU.

    PYTHONPATH=. python benchmarks/gpu_step_profile.py --preset fashion-mnist --out profile.json

Measures, on one preset, images/s of the `train_diffusion` step (as in gpu_rehearsal.py) for variants that cut host
work — fused Adam, TF32 matmuls with cudnn autotuning, `torch.compile` of the U-Net — and profiles one plain step and
one TreeVAE pass (`tree_condition`) with `torch.profiler`: kernel launches, host-side time, GPU-busy time, syncs.
"""
import argparse, json, sys, time
from pathlib import Path

import torch
from torch.profiler import profile, ProfilerActivity

sys.path.insert(0, str(Path(__file__).parent))
from gpu_rehearsal import timed, _sync  # noqa: E402
from treediffusion.record import record_script, stamp


def setup(name, dev):
    from treediffusion.config import load_config, preset_path
    from treediffusion.diffusion import new_model
    from treediffusion.tree import node_depth
    from treediffusion.treevae import TreeVAE
    cfg = load_config(preset_path(name)); c = cfg.treevae
    torch.manual_seed(0)
    tv = TreeVAE(c).to(dev)
    while len(tv.tree.leaves) < cfg.growth.n_leaves: tv.split_leaf(min(tv.tree.leaves, key=node_depth))
    tv.eval().requires_grad_(False)
    images = torch.randint(0, 256, (4 * cfg.diffusion.batch_size, c.in_channels, c.image_size, c.image_size), dtype=torch.uint8)
    return cfg, tv, new_model(cfg, tv).to(dev).train(), images


def make_step(cfg, tv, model, images, dev, bf16=True, fused=False, net=None):
    from treediffusion.diffusion import tree_condition, ema_with_warmup, loss_weights
    from treediffusion.ddim import NoiseSchedule, linear_betas
    from treediffusion.data import to_signed
    from torch.optim.swa_utils import AveragedModel
    d, B = cfg.diffusion, cfg.diffusion.batch_size
    net = model if net is None else net
    ema = AveragedModel(model, multi_avg_fn=ema_with_warmup(d.ema_decay))
    opt = torch.optim.Adam(model.parameters(), lr=d.lr, fused=fused or None)
    sch = NoiseSchedule(linear_betas(d.T, d.beta_start, d.beta_end))
    def step():
        idx = torch.randint(0, len(images), (B,))
        x01 = images[idx].to(dev).float() / 255
        pb, recon, _, _ = tree_condition(tv, x01, decode=d.recon_input)
        x0 = to_signed(x01); t = torch.randint(0, d.T, (B,), device=dev); eps = torch.randn_like(x0)
        with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
            err = (net(sch.q_sample(x0, t, eps).float(), t, pb, recon).float() - eps).square().mean((1, 2, 3))
        loss = (loss_weights(sch, t, d.loss_weight, d.snr_gamma) * err).mean()
        opt.zero_grad(set_to_none=True); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), d.grad_clip, foreach=True); opt.step(); ema.update_parameters(model)
    return step


def prof(f, n=3):
    "Profile `n` calls of `f` (after 2 warm-ups): kernels per call, host and GPU time per call, syncs, top host ops."
    for _ in range(2): f()
    _sync()
    with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as p:
        t0 = time.perf_counter()
        for _ in range(n): f()
        _sync(); wall = (time.perf_counter() - t0) / n
    ev = p.key_averages()
    kernels = sum(e.count for e in ev if e.device_type.name == "CUDA") / n
    gpu_ms = sum(e.self_device_time_total for e in ev if e.device_type.name == "CUDA") / n / 1000
    syncs = {e.key: e.count / n for e in ev if any(s in e.key for s in ("Synchronize", "cudaMemcpy", "aten::item", "aten::nonzero", "_local_scalar_dense"))}
    top = sorted((e for e in ev if e.device_type.name == "CPU"), key=lambda e: -e.self_cpu_time_total)[:12]
    return dict(wall_ms=round(wall * 1000, 2), gpu_busy_ms=round(gpu_ms, 2), kernels_per_call=kernels, syncs_per_call=syncs,
                top_host_ops=[(e.key, e.count // n, round(e.self_cpu_time_total / n / 1000, 2)) for e in top])


def main(a):
    dev = torch.device(a.device)
    cfg, tv, model, images = setup(a.preset, dev)
    B = cfg.diffusion.batch_size
    out = dict(preset=a.preset, batch=B, device=torch.cuda.get_device_name() if dev.type == "cuda" else "cpu", torch=torch.__version__, variants={})
    path = Path(a.out); path.parent.mkdir(parents=True, exist_ok=True)
    def save(): path.write_text(json.dumps(stamp(out), indent=1))
    from treediffusion.diffusion import tree_condition
    x01 = images[:B].to(dev).float() / 255
    out["profile_tree_condition"] = prof(lambda: tree_condition(tv, x01, decode=False)); save()
    out["profile_step_bf16"] = prof(make_step(cfg, tv, model, images, dev)); save()
    print(json.dumps({k: out[k] for k in ("profile_tree_condition", "profile_step_bf16")}, indent=1)[:3000], flush=True)
    variants = [("bf16", {}), ("fp32", dict(bf16=False)), ("bf16+fusedAdam", dict(fused=True))]
    for name, kw in variants:
        out["variants"][name] = round(timed(make_step(cfg, tv, model, images, dev, **kw), B, 10, 3), 1); save(); print(name, out["variants"][name], flush=True)
    torch.backends.cuda.matmul.allow_tf32 = True; torch.backends.cudnn.benchmark = True
    out["variants"]["fp32+tf32+cudnn.benchmark"] = round(timed(make_step(cfg, tv, model, images, dev, bf16=False), B, 10, 3), 1); save()
    out["variants"]["bf16+fusedAdam+cudnn.benchmark"] = round(timed(make_step(cfg, tv, model, images, dev, fused=True), B, 10, 3), 1); save()
    print(out["variants"], flush=True)
    if a.compile:
        t0 = time.time()
        try:
            net = torch.compile(model)
            st = make_step(cfg, tv, model, images, dev, fused=True, net=net)
            st(); _sync(); out["compile_first_step_s"] = round(time.time() - t0, 1)
            out["variants"]["bf16+fusedAdam+compile"] = round(timed(st, B, 10, 3), 1)
        except Exception as e: out["compile_error"] = repr(e)[-800:]
        save(); print("compile:", out.get("compile_first_step_s"), out["variants"].get("bf16+fusedAdam+compile"), out.get("compile_error"), flush=True)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(); ap.add_argument("--preset", default="fashion-mnist"); ap.add_argument("--out", default="profile.json")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--no-compile", dest="compile", action="store_false")
    a = ap.parse_args(); record_script(a.out)
    main(a)
