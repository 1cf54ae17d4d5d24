"""Prediction time of skrnn against raw PyTorch under ``torch.inference_mode()``.

One fitted network (``skrnn.RecurrentNet``: a recurrent layer and a linear head)
predicts through each candidate:

- ``raw torch``: the module called on slices of ``--batch-size`` sequences under
  ``torch.inference_mode()``, outputs concatenated into one NumPy array; the floor;
- ``raw 1 batch``: the same, all sequences in one call;
- ``skorch default``: ``skorch.NeuralNetRegressor.predict`` around the same module,
  with its default ``Dataset`` and ``DataLoader``;
- ``skrnn``: ``RecurrentRegressor.predict``, input validation and the float64
  result included.

Two tasks: ``--n`` sequences at once (the median of interleaved repeats) and a
single sequence (the median latency of many calls, interleaved in rounds). Times
are the CPU time of the calling thread, with one torch thread unless ``--threads``
says otherwise. Targets: skrnn at most 1.10 times raw torch on many sequences and
at most 2 times its latency on one. Run::

    python benchmarks/bench_predict.py             # the full table, about 1 minute
    python benchmarks/bench_predict.py --smoke     # seconds; what CI runs
"""

import argparse
import time
import warnings

import skorch
import torch
from _common import format_ratio, interleaved, make_sequences, median, print_header

from skrnn import RecurrentRegressor


def fitted(X, y, cfg):
    """A skrnn estimator and a skorch net sharing one trained module."""
    est = RecurrentRegressor(
        cell=cfg.cell, hidden_size=cfg.hidden_size, max_epochs=1,
        batch_size=cfg.batch_size, normalize_y=False, random_state=0,
        device=cfg.device,
    ).fit(X[:2000], y[:2000])
    net = skorch.NeuralNetRegressor(
        est.module_, criterion=torch.nn.MSELoss, batch_size=cfg.batch_size,
        train_split=None, device=cfg.device,
    ).initialize()
    return est, net


def raw_predict(module, X, batch_size, device):
    with torch.inference_mode():
        Xt = torch.from_numpy(X)
        outs = [module(Xt[i : i + batch_size].to(device))
                for i in range(0, len(Xt), batch_size)]
        return torch.cat(outs).cpu().numpy()


def candidates(est, net, X, cfg):
    module = est.module_.eval()
    return {
        "raw torch": lambda: raw_predict(module, X, cfg.batch_size, cfg.device),
        "raw 1 batch": lambda: raw_predict(module, X, len(X), cfg.device),
        "skorch default": lambda: net.predict(X),
        "skrnn": lambda: est.predict(X),
    }


def latencies(runs, calls, rounds):
    """Median per-call CPU time of each candidate, calls interleaved in rounds."""
    per_call = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            for _ in range(calls):
                start = time.thread_time()
                run()
                per_call[name].append(time.thread_time() - start)
    return {name: median(values) for name, values in per_call.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="sequences to predict")
    parser.add_argument("--timesteps", type=int, default=48)
    parser.add_argument("--features", type=int, default=1)
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--repeats", type=int, default=9, help="repeats on --n")
    parser.add_argument("--calls", type=int, default=200, help="single calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.n, cfg.repeats, cfg.calls, cfg.rounds, cfg.cells = 500, 2, 20, 2, "lstm"
    torch.set_num_threads(cfg.threads)
    warnings.simplefilter("ignore")  # ConvergenceWarning: one epoch

    print_header(
        "predict: skrnn against raw PyTorch under torch.inference_mode() and skorch",
        f"{cfg.n} sequences x {cfg.timesteps} steps x {cfg.features} feature(s), "
        f"hidden {cfg.hidden_size}, batches of {cfg.batch_size}, device {cfg.device}",
        f"many: median CPU time of {cfg.repeats} interleaved repeat(s); one: median "
        f"latency of {cfg.calls} x {cfg.rounds} interleaved calls; ratio to raw torch "
        "(targets for skrnn: <= 1.10x on many, <= 2x on one)",
    )
    X, y = make_sequences(cfg.n, cfg.timesteps, cfg.features)
    names = ["raw torch", "raw 1 batch", "skorch default", "skrnn"]
    print(f"{'cell':5} {'sequences':>9} " + " ".join(f"{n:>16}" for n in names))
    worst = {"many": 0.0, "one": 0.0}
    for cell in cfg.cells.split(","):
        cfg.cell = cell
        est, net = fitted(X, y, cfg)
        many = candidates(est, net, X, cfg)
        for run in many.values():  # warm up
            run()
        times = {n: median(t) for n, t in
                 interleaved(many, cfg.repeats, time.thread_time).items()}
        one = candidates(est, net, X[:1], cfg)
        for run in one.values():
            for _ in range(20):
                run()
        lat = latencies(one, cfg.calls, cfg.rounds)
        for label, result, key in ((str(cfg.n), times, "many"), ("1", lat, "one")):
            base = result["raw torch"]
            worst[key] = max(worst[key], result["skrnn"] / base)
            print(f"{cell:5} {label:>9} "
                  + " ".join(f"{format_ratio(result[n], base):>16}" for n in names),
                  flush=True)
    print(f"worst skrnn / raw torch: {worst['many']:.2f}x on {cfg.n} sequences, "
          f"{worst['one']:.2f}x on one")


if __name__ == "__main__":
    main()
