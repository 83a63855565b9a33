"""A literate, notebook-first PyTorch reimplementation of TreeDiffusion and TreeVAE: hierarchical generative clustering with conditional diffusion.

Modules:

- `treediffusion.augment`: The views the contrastive presets train on: SimCLR-style crops and colour jitter for RGB data, CelebA's milder recipe, and batched affine warps for grayscale digits and garments.
- `treediffusion.sampling`: Generations from a trained model: from the prior, from one leaf or subtree, every leaf of one root sample, reconstructions of test images; samplers, guidance, node conditioning, the pictures and the `sample` command."""

__version__ = "0.1.0"

# OpenMP reads OMP_WAIT_POLICY once, when torch loads it: set the passive policy (no busy-waiting when another process
# holds a core, see 00_core) before anything imports torch, unless the user chose a policy.
import os as _os, sys as _sys
if "torch" not in _sys.modules: _os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
