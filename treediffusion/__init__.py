"""A literate, notebook-first PyTorch reimplementation of TreeDiffusion and TreeVAE: hierarchical generative clustering with conditional diffusion.

Modules:

- `treediffusion.augment`: The views the contrastive presets train on: SimCLR-style crops and colour jitter for RGB data, CelebA's milder recipe, and batched affine warps for grayscale digits and garments.
- `treediffusion.classifier`: A small ResNet trained offline on the real classes: it judges generations (classifier FID, Table 2 entropy, leaf fidelity) where the Inception weights are unavailable, and it ships with the package.
- `treediffusion.report`: What a run writes for its reader: the paper's numbers to compare with, `report.md` with the clustering table, Tables 1–2 and the figures, and the mean ± std tables over seeds beside the paper's.
- `treediffusion.sampling`: Generations from a trained model: from the prior, from one leaf or subtree, every leaf of one root sample, reconstructions of test images; samplers, guidance, node conditioning, the pictures and the `sample` command.
- `treediffusion.specificity`: Does each leaf generate one kind of thing (Table 2's entropy), and does it generate *its* kind (leaf fidelity)? Both read the evaluation classifier's predictions of generated and real images."""

__version__ = "0.1.0"

# OpenMP reads OMP_WAIT_POLICY once, when torch loads it: set the passive policy (no busy-waiting when another process
# holds a core, see 00_core) before anything imports torch, unless the user chose a policy.
import os as _os, sys as _sys
if "torch" not in _sys.modules: _os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
