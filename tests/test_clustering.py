"Clustering metrics against brute-force oracles; JSON-ready outputs; clear errors on bad input."
import itertools, json

import numpy as np
import pytest

from treediffusion.clustering import (brute_force_dendrogram_purity, cluster_acc, clustering_metrics,
                                      dendrogram_purity, ward_tree)


def random_tree(n_leaves, rng, p_pass=0.3):
    "A random tree: split a random leaf in two, or hang a pass-through node under it, until `n_leaves` leaves."
    children, leaves, nxt = {}, [0], 1
    while len(leaves) < n_leaves:
        v = leaves.pop(rng.integers(len(leaves)))
        k = 1 if rng.random() < p_pass else 2
        children[v] = list(range(nxt, nxt + k)); leaves += children[v]; nxt += k
    return children, 0, leaves


@pytest.mark.parametrize("seed", range(8))
def test_dendrogram_purity_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    children, root, leaves = random_tree(int(rng.integers(1, 12)), rng)
    leaf_of, y = rng.choice(leaves, 50), rng.integers(0, 4, 50)
    assert dendrogram_purity(children, root, leaf_of, y) == pytest.approx(
        brute_force_dendrogram_purity(children, root, leaf_of, y), abs=1e-12)


def test_ward_tree_is_binary_and_matches_brute_force():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(60, 3)), rng.integers(0, 3, 60)
    children, root, leaf_of = ward_tree(x, 6)
    assert root == 10 and sorted(children) == [6, 7, 8, 9, 10] and all(len(c) == 2 for c in children.values())
    assert set(leaf_of.tolist()) == set(range(6))
    assert dendrogram_purity(children, root, leaf_of, y) == pytest.approx(
        brute_force_dendrogram_purity(children, root, leaf_of, y), abs=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_cluster_acc_matches_permutation_oracle(seed):
    rng = np.random.default_rng(seed)
    y, yp = rng.integers(0, 5, 30), rng.integers(0, 5, 30)
    best = max(np.mean(np.asarray(p)[yp] == y) for p in itertools.permutations(range(5)))
    assert cluster_acc(y, yp) == pytest.approx(best, abs=1e-12)


def test_metrics_are_json_serialisable():
    children = {0: [1, 2], 1: [3, 4], 2: [5], 5: [6, 7]}
    m = clustering_metrics(np.array([0, 0, 0, 1, 1, 1, 1, 0]), np.array([3, 3, 4, 4, 6, 6, 7, 7]), children)
    assert set(m) == {"nmi", "ari", "acc", "leaf_purity", "n_leaves", "dendrogram_purity"}
    assert json.loads(json.dumps(m)) == m and type(m["n_leaves"]) is int
    assert all(type(v) is float for k, v in m.items() if k != "n_leaves")
    assert m["dendrogram_purity"] == pytest.approx(2 / 3)


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="same length, got 3 and 2"): clustering_metrics([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="empty"): cluster_acc([], [])
    with pytest.raises(ValueError, match="leaf_of must have the same length|y_true and leaf_of"):
        dendrogram_purity({0: [1, 2]}, 0, [1, 2, 2], [0, 1])
    with pytest.raises(ValueError, match="not leaves of the tree"): dendrogram_purity({0: [1, 2]}, 0, [0, 1], [0, 0])
