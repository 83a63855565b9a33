"DDIM/DDPM schedulers: exact grids, steps against diffusers, oracle recovery of x_0, and bad inputs."
import pytest
import torch

from treediffusion.ddim import DDIM, DDPM, NoiseSchedule, make_timesteps, sample

diffusers = pytest.importorskip("diffusers")


def test_timestep_lists_exact():
    assert make_timesteps(1000, 10).tolist() == list(range(900, -1, -100))
    q = make_timesteps(1000, 100, "quad")
    assert (len(q), int(q[0]), int(q[-1])) == (96, 800, 0) and (q[:-1] > q[1:]).all()
    for T, n in [(1000, 50), (20, 3)]:
        ref = diffusers.DDIMScheduler(num_train_timesteps=T, steps_offset=0, timestep_spacing="leading")
        ref.set_timesteps(n)
        assert make_timesteps(T, n).tolist() == ref.timesteps.tolist()


@pytest.mark.parametrize("eta,clip", [(0.0, True), (1.0, True), (0.0, False)])
def test_ddim_step_matches_diffusers(eta, clip):
    ours, sched = DDIM(num_steps=10), NoiseSchedule()
    ref = diffusers.DDIMScheduler(num_train_timesteps=1000, beta_schedule="linear", beta_start=1e-4, beta_end=0.02,
                                  clip_sample=clip, set_alpha_to_one=True, steps_offset=0, timestep_spacing="leading")
    ref.set_timesteps(10)
    g = torch.Generator().manual_seed(0)
    for t in ours.timesteps.tolist():
        x0, e = torch.rand(2, 1, 6, 6, generator=g) * 2 - 1, torch.randn(2, 1, 6, 6, generator=g)
        x_t, eps_hat, z = sched.q_sample(x0, t, e), e + 0.1 * torch.randn_like(e), torch.randn_like(e)
        a = ours.step(eps_hat, t, x_t, eta=eta, clip_x0=clip, variance_noise=z)
        b = ref.step(eps_hat, t, x_t, eta=eta, variance_noise=z)
        torch.testing.assert_close(a.prev_sample, b.prev_sample, atol=1e-5, rtol=0)


def test_oracle_eps_recovers_x0():
    sched, x0 = NoiseSchedule(), torch.rand(2, 1, 8, 8) * 2 - 1
    oracle = lambda x, t: sched.predict_eps(x, t, x0)
    for s, eta in [(DDIM(num_steps=100).set_timesteps(100, "quad"), 0.0), (DDIM(num_steps=10), 1.0), (DDPM(num_steps=10), 0.0)]:
        out = sample(oracle, x0.shape, s, eta=eta, generator=torch.Generator().manual_seed(1), progress=False)
        torch.testing.assert_close(out, x0, atol=1e-5, rtol=0)


def test_bad_inputs_name_the_fix():
    with pytest.raises(ValueError, match="lower it"): DDIM(num_steps=1001)
    with pytest.raises(ValueError, match="use one of"): DDIM().set_timesteps(10, spacing="cosine")
    with pytest.raises(ValueError, match="not on the sampling grid"): DDIM(num_steps=10).step(torch.zeros(1), 950, torch.zeros(1))
    with pytest.raises(ValueError, match=r"eta must be in \[0, 1\]"): DDIM(num_steps=10).step(torch.zeros(1), 900, torch.zeros(1), eta=-1)
