"""A literate, notebook-first PyTorch reimplementation of TreeDiffusion and TreeVAE: hierarchical generative clustering with conditional diffusion.

Modules:

- `treediffusion.augment`: The views the contrastive presets train on: SimCLR-style crops and colour jitter for RGB data, CelebA's milder recipe, and batched affine warps for grayscale digits and garments.
- `treediffusion.checkpoint`: Atomic, verified checkpoints and JSON files: written whole or not at all, loaded without running code from the file, refused when damaged, each error naming the file and the fix.
- `treediffusion.classifier`: A small ResNet trained offline on the real classes: it judges generations (classifier FID, Table 2 entropy, leaf fidelity) where the Inception weights are unavailable, and it ships with the package.
- `treediffusion.cli`: `treediffusion SUBCOMMAND ...`: one console command whose subcommands are fastcore `call_parse` functions.
- `treediffusion.clustering`: Flat and hierarchical clustering metrics for TreeVAE (NMI, ARI, ACC, leaf and dendrogram purity), each checked against a brute-force oracle, plus PCA + k-means / Ward baselines.
- `treediffusion.config`: Nested dataclass configs that round-trip through YAML, reject unknown keys by name, and ship as presets in `configs/`.
- `treediffusion.copies`: Is a generation new, or a training image given back? For each generated image, the distance to its nearest training image relative to the second-nearest, in pixels and in the evaluation classifier's features, against a threshold that held-out real images calibrate. The share of copies is the *replica rate* every evaluation reports.
- `treediffusion.data`: Real datasets, online and offline: canonical torchvision downloads first, verified registry copies where those hosts are unreachable, cached as compressed `.npz`.
- `treediffusion.ddim`: The noise schedule, the forward process, and the DDIM / DDPM reverse steps of the second stage — each step checked against `diffusers` on the same inputs.
- `treediffusion.diffusion`: Stage 2: a conditional DDPM trained with the TreeVAE frozen — a leaf drawn from π(x) per image, the path encoder's $y_l$ added to the time embedding — with EMA, warm-up, clipping, classifier-free dropout, resumable atomic checkpoints and `accelerate` for many processes or GPUs. Sampling is notebook 10a.
- `treediffusion.evaluation`: Scoring a trained TreeVAE + TreeDiffusion pair: the evaluation classifier, classifier and Inception FID of reconstructions and generations (Table 1), the cluster specificity of the generations (Table 2, leaf fidelity), the share of generations that copy a training image (replica rate) and the figures every paper artefact is built from.
- `treediffusion.experiments`: The main job — data → TreeVAE growth → TreeDiffusion → evaluation → `report.md` — resumable, over several seeds, and the conditioning ablation built on it. The studies that measure finished runs are `12e_studies`.
- `treediffusion.explorer`: An ipywidgets explorer for a trained model: pick a node of the drawn tree and see TreeDiffusion samples from that leaf or that subtree, with sliders for the guidance weight and the number of DDIM steps.
- `treediffusion.fit`: `fit_tree`: data → TreeVAE growth → test-set clustering metrics beside k-means and Ward baselines → checkpoint, `tree.json`, `metrics.json`, `tree.png`; and the `treediffusion fit-tree` command.
- `treediffusion.growth`: Train root + 2 leaves, repeatedly split the fullest leaf and train the new subtree with the rest frozen, prune tiny leaves, finetune — with progress bars, a picture after every split and a checkpoint after every phase.
- `treediffusion.metrics`: FID as the paper should have computed it: clamped, rounded uint8 RGB, pytorch-fid's Inception loaded from a local weights file (never downloaded), feature statistics cached per dataset. The classifier that stands in for Inception offline is notebook 11b, Table 2's entropy and leaf fidelity 11c.
- `treediffusion.path_encoder`: The conditioning signal of TreeDiffusion: y_l = Σ_{i ∈ path(l)} (f_embed(z_i) + f_node(i)), batched over paths of different lengths with `index_add`, plus the flat baselines (leaf index, leaf embedding, both) and a learned null condition for classifier-free guidance.
- `treediffusion.preflight`: `treediffusion check --config C`: before hours of GPU time, find out in a minute whether the run can finish — the device it will use, the data it will read (and whether that is the data the preset means), the Inception weights its FID needs, the disk its checkpoints need, and how long it will take, from a short measured burst. `treediffusion run` makes the same checks (without the burst) and refuses to start on a failure, naming the fix.
- `treediffusion.record`: Run manifests written by every command that makes results, and the record that says which committed results are still current.
- `treediffusion.rehearsal`: Every paper preset end to end in a minute on a CPU: the same `run_experiment`, every architecture choice kept, every count shrunk, synthetic images of the preset's shape.
- `treediffusion.report`: What a run writes for its reader: the paper's numbers to compare with, `report.md` with the clustering table, Tables 1–2 and the figures, and the mean ± std tables over seeds beside the paper's.
- `treediffusion.sampling`: Generations from a trained model: from the prior, from one leaf or subtree, every leaf of one root sample, reconstructions of test images; samplers, guidance, node conditioning, the pictures and the `sample` command.
- `treediffusion.specificity`: Does each leaf generate one kind of thing (Table 2's entropy), and does it generate *its* kind (leaf fidelity)? Both read the evaluation classifier's predictions of generated and real images.
- `treediffusion.stacked`: The frozen TreeVAE pass of diffusion training with every node of a depth in one operation per layer: the same latents and reach probabilities as `TreeVAE.posterior`, about three times fewer operations.
- `treediffusion.studies`: Measurements on finished runs: Fig. 6 across models that share one TreeVAE, the sampler's η, and Table 2's entropy from ordinary generations.
- `treediffusion.tree`: A binary tree topology with stable BFS (heap) node ids, leaves, pass-through nodes after pruning, root-to-leaf paths, JSON round trip, and a picture.
- `treediffusion.treevae`: The TreeVAE model: bottom-up encoder, top-down Gaussian latents on a binary tree, inference and generative routers, leaf decoders, and the ELBO.
- `treediffusion.unet`: The ε-prediction network of the second stage: an improved-diffusion style U-Net whose time embedding carries the TreeVAE path embedding (AdaGN in every ResBlock)."""

__version__ = "0.1.0"

# OpenMP reads OMP_WAIT_POLICY once, when torch loads it: set the passive policy (no busy-waiting when another process
# holds a core, see 00_core) before anything imports torch, unless the user chose a policy.
import os as _os, sys as _sys
if "torch" not in _sys.modules: _os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
