"""The action distributions agree with torch.distributions: a multi-discrete action is independent
categoricals, one per component; a continuous one a diagonal Gaussian."""
import torch

from agents.networks import DiagGaussian, MultiCategorical


def test_multicategorical_matches_independent_categoricals():
    torch.manual_seed(0)
    nvec = [11, 11, 2]
    logits = torch.randn(5, sum(nvec))
    dist = MultiCategorical(logits, nvec)
    parts = [torch.distributions.Categorical(logits=x) for x in logits.split(nvec, -1)]
    action = torch.stack([p.sample() for p in parts], -1).float()
    expected = sum(p.log_prob(action[:, i].long()) for i, p in enumerate(parts))
    torch.testing.assert_close(dist.log_prob(action), expected)
    torch.testing.assert_close(dist.entropy(), sum(p.entropy() for p in parts))
    torch.testing.assert_close(dist.entropies(), torch.stack([p.entropy() for p in parts], -1))
    torch.testing.assert_close(dist.mode(), torch.stack([x.argmax(-1) for x in logits.split(nvec, -1)], -1).float())


def test_samples_follow_each_component_and_never_pick_padding():
    torch.manual_seed(0)
    logits = torch.tensor([[0.0, 1.0, 2.0, 3.0, 0.5, -0.5]]).repeat(100_000, 1)
    samples = MultiCategorical(logits, [4, 2]).sample().long()
    for column, part in zip(samples.T, logits[0].split([4, 2])):
        assert column.max() < len(part)
        freq = torch.bincount(column, minlength=len(part)) / len(column)
        torch.testing.assert_close(freq, torch.softmax(part, 0), atol=0.01, rtol=0)


def test_multicategorical_kl_matches_torch():
    torch.manual_seed(1)
    nvec = [3, 5]
    p, q = torch.randn(7, 8), torch.randn(7, 8)
    expected = sum(torch.distributions.kl_divergence(torch.distributions.Categorical(logits=a),
                                                     torch.distributions.Categorical(logits=b))
                   for a, b in zip(p.split(nvec, -1), q.split(nvec, -1)))
    torch.testing.assert_close(MultiCategorical(p, nvec).kl(MultiCategorical(q, nvec)), expected)


def test_diag_gaussian_matches_torch_normal():
    torch.manual_seed(2)
    mean, log_std = torch.randn(6, 3), torch.randn(3) * 0.5
    other_mean, other_log_std = torch.randn(6, 3), torch.randn(3) * 0.5
    ours, theirs = DiagGaussian(mean, log_std.expand_as(mean)), torch.distributions.Normal(mean, log_std.exp())
    other = torch.distributions.Normal(other_mean, other_log_std.exp())
    action = theirs.sample()
    torch.testing.assert_close(ours.log_prob(action), theirs.log_prob(action).sum(-1))
    torch.testing.assert_close(ours.entropy(), theirs.entropy().sum(-1))
    torch.testing.assert_close(ours.entropies(), theirs.entropy())
    torch.testing.assert_close(ours.kl(DiagGaussian(other_mean, other_log_std.expand_as(other_mean))),
                               torch.distributions.kl_divergence(theirs, other).sum(-1))
    samples = DiagGaussian(mean[:1].expand(200_000, 3), log_std.expand(200_000, 3)).sample()
    torch.testing.assert_close(samples.mean(0), mean[0], atol=0.02, rtol=0)
    torch.testing.assert_close(samples.std(0), log_std.exp(), atol=0.02, rtol=0)
