"Every numeric config value is checked at load: out of range, the message names the key and the bad value."
import typing
from dataclasses import fields

import pytest

from conftest import ROOT
from treediffusion.config import (ConfigError, DataConfig, DiffusionConfig, EvalConfig, ExperimentConfig, GrowthConfig, TreeVAEConfig,
                                  UNetConfig, from_dict, load_config)

SECTIONS = {"data": DataConfig, "treevae": TreeVAEConfig, "growth": GrowthConfig, "unet": UNetConfig, "diffusion": DiffusionConfig,
            "eval": EvalConfig, "": ExperimentConfig}


def numeric_fields():
    for sec, cls in SECTIONS.items():
        hints = typing.get_type_hints(cls)
        for f in fields(cls):
            kinds = set(typing.get_args(hints[f.name]) or (hints[f.name],)) - {type(None)}
            if kinds and kinds <= {int, float}: yield sec, cls, f.name


CASES = list(numeric_fields())
# values that are out of range although non-negative: probabilities ≥ 1 and the β schedule's order
EXTRA = [("unet", UNetConfig, "dropout", 1.0), ("diffusion", DiffusionConfig, "ema_decay", 1.0), ("diffusion", DiffusionConfig, "cond_drop", 1.0), ("diffusion", DiffusionConfig, "prefix_prob", 1.5),
         ("diffusion", DiffusionConfig, "beta_start", 0.5), ("diffusion", DiffusionConfig, "sample_steps", 5000),
         ("growth", GrowthConfig, "prune_threshold", 1.0), ("growth", GrowthConfig, "final_prune_threshold", 0.5), ("treevae", TreeVAEConfig, "router_dropout", 1.0), ("eval", EvalConfig, "eta", 1.5),
         ("eval", EvalConfig, "entropy_threshold", 0.0), ("eval", EvalConfig, "fidelity_min_mass", 1.0)]


def test_there_are_many_numeric_fields():
    assert len(CASES) > 60, len(CASES)


@pytest.mark.parametrize("sec,cls,key,bad", [(s, c, k, -1) for s, c, k in CASES] + EXTRA, ids=lambda v: getattr(v, "__name__", str(v)))
def test_out_of_range_value_is_refused_by_name(sec, cls, key, bad):
    with pytest.raises(ConfigError) as e: from_dict(cls, {key: bad})
    assert key in str(e.value) and str(bad) in str(e.value), str(e.value)


def test_guidance_kind_is_checked():
    with pytest.raises(ConfigError, match="guidance_kind must be one of"): from_dict(DiffusionConfig, {"guidance_kind": "sibling"})
    with pytest.raises(ConfigError, match="prefix_prob > 0"): from_dict(DiffusionConfig, {"guidance_kind": "parent"})
    assert from_dict(DiffusionConfig, {"guidance_kind": "parent", "prefix_prob": 0.3}).guidance_kind == "parent"


def test_presets_still_load():
    for p in sorted((ROOT / "configs").glob("*.yml")): load_config(p)


def test_yaml_error_names_the_section(tmp_path):
    (tmp_path / "c.yml").write_text("diffusion:\n  max_steps: -5\n")
    with pytest.raises(ConfigError, match=r"diffusion\.max_steps must be ≥ 1, got -5"): load_config(tmp_path / "c.yml")
