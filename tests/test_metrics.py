"FID pieces against pytorch-fid, the offline Inception path with a random stand-in network, the missing-weights error, cluster-specificity entropy, and classifier save/load."
import math, warnings

import numpy as np
import pytest
import torch
from pytorch_fid.fid_score import calculate_frechet_distance

from conftest import ROOT
from treediffusion.checkpoint import save_checkpoint
from treediffusion.data import load_dataset
from treediffusion.metrics import (FID_WEIGHTS_FILE, WEIGHTS_ENV, InceptionFeatures, feature_stats, fid_from_images, frechet_distance,
                                   load_stats, reference_stats, stats_path, to_uint8, to_uint8_rgb)
from treediffusion.classifier import (ClassifierFeatures, SmallResNet, build_classifier, load_classifier, predict_classes,
                                      train_classifier, weights_digest, classifier_accuracy)
from treediffusion.specificity import histogram_entropy, leaf_class_histograms, mean_leaf_entropy


def test_to_uint8_rounds_clamps_and_replicates():
    x = torch.tensor([0.5 / 255, 1.2, -0.1, 0.999, 3.49 / 255]).reshape(1, 1, 1, 5)
    assert to_uint8(x).flatten().tolist() == [1, 255, 0, 255, 3]
    rgb = to_uint8_rgb(np.zeros((2, 1, 4, 4), dtype=np.float32) + 0.5)
    assert rgb.shape == (2, 3, 4, 4) and rgb.dtype == torch.uint8 and (rgb == 128).all()
    with pytest.raises(ValueError, match="1 \\(grayscale\\) or 3"): to_uint8_rgb(torch.rand(1, 4, 2, 2))


@pytest.mark.parametrize("D", [2, 8, 40])
@pytest.mark.parametrize("method", ["sqrtm", "eigh"])
def test_frechet_distance_matches_pytorch_fid(D, method):
    rng = np.random.default_rng(D)
    A, B = rng.normal(size=(D, 2 * D)), rng.normal(size=(D, 2 * D))
    mu1, mu2, s1, s2 = rng.normal(size=D), rng.normal(size=D), A @ A.T / D, B @ B.T / D
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)           # pytorch-fid passes sqrtm's deprecated `disp`
        ref = calculate_frechet_distance(mu1, s1, mu2, s2)
    assert frechet_distance(mu1, s1, mu2, s2, method=method) == pytest.approx(ref, rel=1e-6)
    assert abs(frechet_distance(mu1, s1, mu1, s1, method=method)) < 1e-8 * np.trace(s1)
    x, shift = rng.normal(size=(300, D)), rng.normal(size=D)
    assert frechet_distance(*feature_stats(x), *feature_stats(x + shift), method=method) == pytest.approx(shift @ shift, rel=1e-6)


def test_random_inception_fid_end_to_end(tmp_path):
    inc = InceptionFeatures(random_init=True, device="cpu", batch_size=4)
    x = torch.randint(0, 256, (8, 1, 28, 28), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    f = inc(x, progress=False)
    assert f.shape == (8, 2048) and f.dtype == np.float64 and f.std() > 1e-2
    mu, sigma = reference_stats("digits", "test", inc, root=tmp_path, n=8, progress=False)
    path = stats_path(inc, "digits", "test", tmp_path, n=8)
    assert path == tmp_path / "fid_stats" / "inception-random0_digits_test_n8.npz" and path.is_file()
    mu2, sigma2 = reference_stats("digits", "test", inc, root=tmp_path, n=8, progress=False)   # reloaded from the cache
    assert np.array_equal(mu, mu2) and np.array_equal(sigma, sigma2) and np.array_equal(load_stats(path)[1], sigma)
    digits = load_dataset("digits", "test", root=tmp_path, n=8, verbose=False).images
    assert abs(fid_from_images(digits, path, inc, progress=False, method="eigh")) < 1e-6 * np.trace(sigma)


def test_missing_inception_weights_names_the_file(tmp_path, monkeypatch):
    monkeypatch.setenv(WEIGHTS_ENV, str(tmp_path))
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    with pytest.raises(FileNotFoundError) as e: InceptionFeatures(device="cpu")
    msg = str(e.value)
    assert FID_WEIGHTS_FILE in msg and WEIGHTS_ENV in msg and "weights_path" in msg and str(tmp_path / "hub") in msg
    with pytest.raises(FileNotFoundError, match="nope.pth"): InceptionFeatures(tmp_path / "nope.pth", device="cpu")


def test_leaf_entropy_on_a_hand_made_example():
    pred = np.r_[[3] * 6, np.arange(10), [0, 1] * 4, [5] * 8]
    leaf = np.r_[[7] * 6, [8] * 10, [9] * 16]
    prob = np.r_[[0.9] * 5, [0.2], [0.6] * 10, [0.8] * 8, [0.1] * 8]
    lh = leaf_class_histograms(pred, leaf, prob, threshold=0.5)
    assert lh.leaves.tolist() == [7, 8, 9] and lh.counts.tolist() == [5, 10, 8]
    np.testing.assert_allclose(histogram_entropy(lh.hist), [0, math.log(10), math.log(2)], atol=1e-12)
    assert mean_leaf_entropy(pred, leaf, prob, min_count=6) == pytest.approx((math.log(10) + math.log(2)) / 2)
    assert mean_leaf_entropy(pred, leaf, min_count=1) == pytest.approx((0 + math.log(10) + 1.5 * math.log(2)) / 3)
    with pytest.raises(ValueError, match="no leaf keeps"): mean_leaf_entropy(pred, leaf, prob, min_count=100)


def test_classifiers_shapes_and_checkpoint_round_trip(tmp_path):
    x = torch.rand(3, 1, 28, 28)
    m = SmallResNet(1, 10, width=8).eval()
    assert m(x).shape == (3, 10) and m.features(x).shape == (3, 32)
    r50 = build_classifier(dict(name="resnet50", in_channels=1, n_classes=10)).eval()
    assert r50(x[:2]).shape == (2, 10) and r50.features(x[:2]).shape == (2, 2048)
    clf, acc = train_classifier("digits", root=tmp_path, epochs=1, batch_size=64, width=8, device="cpu",
                                out=tmp_path / "clf.pt", progress=False)
    back = load_classifier(tmp_path / "clf.pt", device="cpu")
    te = load_dataset("digits", "test", root=tmp_path, verbose=False)
    assert np.array_equal(predict_classes(back, te.images), predict_classes(clf, te.images))
    assert back.meta["kind"] == "classifier" and back.meta["dataset"] == "digits" and back.meta["test_acc"] == acc
    cf = ClassifierFeatures(back)
    assert cf.name == f"small_resnet-{weights_digest(clf)}" and cf(te.images[:5], progress=False).shape == (5, 32)
    save_checkpoint({"kind": "treevae"}, tmp_path / "other.pt")
    with pytest.raises(ValueError, match="not a classifier checkpoint"): load_classifier(tmp_path / "other.pt")


@pytest.mark.parametrize("dataset,acc", [("fashion-mnist", 0.9148), ("mnist", 0.9790)])
def test_shipped_classifiers(dataset, acc, tmp_path):
    "The shipped classifiers load by default for the presets (no training), match their README hashes and keep their accuracy."
    from treediffusion.config import load_config
    from treediffusion.evaluation import classifier_file, get_classifier, shipped_classifiers
    cfg = load_config(ROOT / ("configs/demo.yml" if dataset == "fashion-mnist" else "configs/mnist-cpu.yml"))
    cfg.data.root = str(ROOT / "data")
    path, shipped = classifier_file(cfg, tmp_path)
    assert shipped and path == shipped_classifiers() / f"{dataset}.pt"
    logs = []
    clf = get_classifier(cfg, tmp_path, log=logs.append).to("cpu")
    assert logs == [] and not any(tmp_path.iterdir())                       # nothing trained, nothing cached
    assert clf.meta["sha256"] in (shipped_classifiers() / "README.md").read_text()
    te = load_dataset(dataset, "test", root=ROOT / "data", verbose=False)
    assert classifier_accuracy(clf, te.images, te.labels) == pytest.approx(acc, abs=5e-4)
    cfg.eval.classifier_epochs = 1                                         # a setting nothing ships for: trained into the keyed cache
    assert classifier_file(cfg, tmp_path) == (tmp_path / f"{dataset}_small_resnet_e1.pt", False)
