"""The Elman RNN with any activation: fit time against torch's fused tanh RNN.

torch's :class:`torch.nn.RNN` takes only tanh and relu; skrnn runs every other
activation through :class:`skrnn.nn.ElmanRNN` (input projection of all steps in
one matrix product, then one ``addmm`` and one activation per step). This script
fits an ``RNNRegressor`` of the same size with each activation and reports its
fit time as a ratio to ``nonlinearity="tanh"`` (``nn.RNN``'s kernel). The
``ElmanRNN tanh`` row is the same activation as the reference, so it isolates
the cost of the recurrence itself. The target (issue 15): at most 3x on CPU for
hidden 64 and 48 steps. Fits are interleaved, one torch thread; the ratios are
of medians. Run::

    python benchmarks/bench_elman.py            # hidden 64, 48 steps; ~2 minutes
    python benchmarks/bench_elman.py --smoke    # seconds; what CI runs
"""

import argparse
import warnings

import numpy as np
import torch
import torch.nn.functional as F
from _common import format_ratio, interleaved, make_sequences, median, print_header

from skrnn import RNNRegressor
from skrnn.nn import ElmanRNN


def softplus(x):
    """A user's callable activation."""
    return F.softplus(x)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=512, help="training sequences")
    parser.add_argument("--timesteps", type=int, default=48)
    parser.add_argument("--features", type=int, default=2)
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.n, cfg.timesteps, cfg.hidden_size, cfg.epochs, cfg.repeats = 64, 8, 8, 1, 1
    torch.set_num_threads(cfg.threads)
    warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed number of epochs
    print_header(
        "Elman RNN: fit time of each activation vs torch's fused tanh RNN",
        f"{cfg.n} sequences x {cfg.timesteps} steps x {cfg.features} features, "
        f"hidden {cfg.hidden_size}, {cfg.layers} layer(s), {cfg.epochs} epochs, "
        f"batch 32, {cfg.repeats} interleaved repeats (median), CPU time",
    )
    X, y = make_sequences(cfg.n, cfg.timesteps, cfg.features)
    y = y.ravel()
    params = dict(hidden_size=cfg.hidden_size, num_layers=cfg.layers,
                  max_epochs=cfg.epochs, n_iter_no_change=cfg.epochs + 1,
                  random_state=0)
    activations = {"tanh (nn.RNN)": "tanh", "relu (nn.RNN)": "relu",
                   "softsign": "softsign", "sigmoid": "sigmoid", "gelu": "gelu",
                   "identity": "identity", "callable softplus": softplus}

    def fit(nonlinearity):
        return lambda: RNNRegressor(nonlinearity=nonlinearity, **params).fit(X, y)

    def fit_elman_tanh():
        est = RNNRegressor(nonlinearity="softsign", **params)
        est.fit(X[:2], y[:2])  # builds the network; then swap in an ElmanRNN tanh
        est.module_.rnn = ElmanRNN(cfg.features, cfg.hidden_size, cfg.layers,
                                   nonlinearity="tanh", batch_first=True)
        est.net_.initialize_optimizer()
        est.set_params(warm_start=True).fit(X, y)

    candidates = {name: fit(value) for name, value in activations.items()}
    candidates["ElmanRNN tanh"] = fit_elman_tanh
    fit("softsign")()  # torch's one-time costs, paid before the first measured fit
    times = interleaved(candidates, cfg.repeats)
    base = median(times["tanh (nn.RNN)"])
    print(f"{'activation':<20} {'fit time, ratio':>16}")
    ratios = {}
    for name, values in times.items():
        ratios[name] = median(values) / base
        print(f"{name:<20} {format_ratio(median(values), base)}")
    others = [r for n, r in ratios.items() if "nn.RNN" not in n]
    print(f"ElmanRNN vs fused tanh: {min(others):.2f}x to {max(others):.2f}x "
          f"(target <= 3x); median {float(np.median(others)):.2f}x")


if __name__ == "__main__":
    main()
