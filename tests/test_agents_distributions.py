"""The multi-discrete action distribution: its samples, log-probabilities and entropy are those of
independent categoricals, one per action component."""
import torch

from agents.networks import MultiCategorical


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
    torch.testing.assert_close(dist.mode(), torch.stack([x.argmax(-1) for x in logits.split(nvec, -1)], -1).float())


def test_samples_follow_each_component_and_never_pick_padding():
    torch.manual_seed(0)
    logits = torch.tensor([[0.0, 1.0, 2.0, 3.0, 0.5, -0.5]]).repeat(100_000, 1)
    samples = MultiCategorical(logits, [4, 2]).sample().long()
    for column, part in zip(samples.T, logits[0].split([4, 2])):
        assert column.max() < len(part)
        freq = torch.bincount(column, minlength=len(part)) / len(column)
        torch.testing.assert_close(freq, torch.softmax(part, 0), atol=0.01, rtol=0)
