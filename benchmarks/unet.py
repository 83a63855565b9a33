"""U-Net speed: treediffusion's `UNet` vs `diffusers.UNet2DModel` of matching width, depth and attention.

Both models are built in the same process and timed in alternating rounds (same batch, same threads, same
memory format), so the ratios are robust to a noisy shared machine. Inputs are 28×28, zero-padded to the
network side (32) — inside `UNet.forward` for ours, in a thin wrapper for diffusers — and cropped back.

    OMP_WAIT_POLICY=PASSIVE python benchmarks/unet.py                    # CPU preset-size U-Net, ~1 min
    OMP_WAIT_POLICY=PASSIVE python benchmarks/unet.py --memory-format channels_last
    OMP_WAIT_POLICY=PASSIVE python benchmarks/unet.py --base 64 --mults 1 2 2 2 --attn 16   # paper FMNIST size

Prints one table (images/s for training = forward+backward+Adam step, and for sampling = one forward
under `torch.inference_mode`) and the ratios ours/diffusers (> 1: ours is faster).
"""
import argparse, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F

from treediffusion.core import configure_cpu_runtime
from treediffusion.unet import UNet, UNetConfig
from reference import alternate, n_params     # benchmarks/reference.py: the same alternating rounds


def diffusers_unet(cfg: UNetConfig) -> nn.Module:
    "A `diffusers.UNet2DModel` with the architecture of `cfg` (AdaGN scale-shift, same heads, same attention sides)."
    from diffusers import UNet2DModel
    attn = [s in cfg.attn_resolutions for s in cfg.sides]
    C = cfg.base_channels
    return UNet2DModel(
        sample_size=cfg.side, in_channels=cfg.in_channels + cfg.extra_channels, out_channels=cfg.out_channels,
        block_out_channels=tuple(C * m for m in cfg.channel_mults), layers_per_block=cfg.num_res_blocks,
        down_block_types=tuple("AttnDownBlock2D" if a else "DownBlock2D" for a in attn),
        up_block_types=tuple("AttnUpBlock2D" if a else "UpBlock2D" for a in reversed(attn)),
        attention_head_dim=C * cfg.channel_mults[-1] // cfg.num_heads, norm_num_groups=cfg.groups, attn_norm_num_groups=cfg.groups,
        resnet_time_scale_shift="scale_shift", flip_sin_to_cos=True, freq_shift=0, dropout=cfg.dropout)


class PaddedDiffusers(nn.Module):
    "Pad 28→32, run `UNet2DModel`, crop back: the same work `UNet.forward` does with `pad_to`."
    def __init__(self, cfg: UNetConfig):
        super().__init__(); self.net, self.p = diffusers_unet(cfg), (cfg.side - cfg.image_size) // 2
    def forward(self, x, t):
        p = self.p
        if p: x = F.pad(x, (p, p, p, p))
        out = self.net(x, t).sample
        return out[..., p:-p, p:-p] if p else out




def make_step(model, x, t, train: bool):
    "A closure running one training step (fwd+bwd+Adam) or one sampling forward."
    if not train:
        model.eval()
        def step():
            with torch.inference_mode(): model(x, t)
        return step
    model.train()
    opt, eps = torch.optim.Adam(model.parameters(), lr=1e-4), torch.randn_like(x)
    def step():
        loss = F.mse_loss(model(x, t), eps)
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
    return step


def bench(models: dict, x, t, train: bool, iters: int, warmup: int, rounds: int) -> dict:
    "Median images/s per model over `rounds` alternating rounds of `iters` steps (after `warmup` steps each)."
    times = alternate({k: make_step(m, x, t, train) for k, m in models.items()}, iters, warmup, rounds)
    return {k: len(x) / statistics.median(v) for k, v in times.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--base", type=int, default=32)
    ap.add_argument("--mults", type=int, nargs="+", default=[1, 2, 2])
    ap.add_argument("--res-blocks", type=int, default=2)
    ap.add_argument("--attn", type=int, nargs="*", default=[8], help="pixel sides with attention (network side 32)")
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--image-size", type=int, default=28)
    ap.add_argument("--pad-to", type=int, default=32)
    ap.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    ap.add_argument("--memory-format", choices=["contiguous", "channels_last"], default="contiguous",
                    help="memory format of both models and the batch (channels_last measured no faster at this size)")
    ap.add_argument("--iters", type=int, default=3, help="steps per timed round")
    ap.add_argument("--rounds", type=int, default=5, help="alternating timed rounds (median reported)")
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args(argv)
    if a.threads: torch.set_num_threads(a.threads)
    configure_cpu_runtime()     # the project's CPU setting for every run (glibc keeps freed memory); affects both models
    cfg = UNetConfig(image_size=a.image_size, pad_to=a.pad_to, base_channels=a.base, channel_mults=tuple(a.mults),
                     num_res_blocks=a.res_blocks, attn_resolutions=tuple(a.attn), num_heads=a.heads)
    torch.manual_seed(0)
    mf = {"contiguous": torch.contiguous_format, "channels_last": torch.channels_last}[a.memory_format]
    models = {"treediffusion": UNet(cfg).to(memory_format=mf), "diffusers": PaddedDiffusers(cfg).to(memory_format=mf)}
    x = torch.randn(a.batch, cfg.in_channels, a.image_size, a.image_size).contiguous(memory_format=mf)
    t = torch.randint(0, 1000, (a.batch,))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {a.batch}, {a.image_size}→{cfg.side} px, "
          f"C={a.base} mults={tuple(a.mults)} res_blocks={a.res_blocks} attn@{tuple(a.attn)} heads={a.heads}, {a.memory_format}")
    print(f"parameters: treediffusion {n_params(models['treediffusion']):,}  diffusers {n_params(models['diffusers']):,}")
    t0 = time.perf_counter()
    tr = bench(models, x, t, True, a.iters, a.warmup, a.rounds)
    sa = bench(models, x, t, False, 2 * a.iters, a.warmup, a.rounds)
    print("\n| model | train img/s | sample img/s |\n|---|---:|---:|")
    for k in models: print(f"| {k} | {tr[k]:.1f} | {sa[k]:.1f} |")
    print(f"| **ratio ours/diffusers** | **{tr['treediffusion'] / tr['diffusers']:.2f}×** | "
          f"**{sa['treediffusion'] / sa['diffusers']:.2f}×** |")
    print(f"\n(timed in {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
