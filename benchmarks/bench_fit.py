"""Fit time of skrnn against a hand-written PyTorch loop doing the same math.

Every candidate trains the same network (``skrnn.RecurrentNet``: one recurrent layer
and a linear head, MSE, Adam 1e-3) on the same in-memory sequences for the same number
of epochs with shuffled batches of the same size:

- ``raw loop``: tensors in memory (on the device), a ``torch.randperm`` per epoch,
  batches sliced from it; the floor any wrapper is measured against;
- ``DataLoader``: the loop users write by default, over a ``TensorDataset``;
- ``skorch default``: ``skorch.NeuralNetRegressor`` with its default ``Dataset`` and
  ``DataLoader`` (which index and collate one sample at a time), shuffling on, no
  validation split;
- ``skrnn``: ``RecurrentRegressor.fit``, input validation included.

Candidates run interleaved, ``--repeats`` times; the table gives the median time of
each and its ratio to the raw loop's. The time is the process's CPU time with one
torch thread (robust to other load on the machine) and wall-clock time otherwise.
The target is skrnn at most 1.10 times the raw loop. Run::

    python benchmarks/bench_fit.py                 # the full table, about 25 minutes
    python benchmarks/bench_fit.py --smoke         # seconds; what CI runs
    python benchmarks/bench_fit.py --cells gru --batch-sizes 64 --repeats 5
"""

import argparse
import time
import warnings

import skorch
import torch
from _common import format_ratio, interleaved, make_sequences, median, print_header

from skrnn import RecurrentNet, RecurrentRegressor


def _module(cfg, n_features):
    return RecurrentNet(n_features, 1, cell=cfg.cell, hidden_size=cfg.hidden_size)


def raw_loop(X, y, cfg):
    torch.manual_seed(0)
    net = _module(cfg, X.shape[2]).to(cfg.device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X).to(cfg.device), torch.from_numpy(y).to(cfg.device)
    loss_fn = torch.nn.MSELoss()
    for _ in range(cfg.epochs):
        perm = torch.randperm(len(Xt), device=cfg.device)
        for i in range(0, len(Xt), cfg.batch_size):
            rows = perm[i : i + cfg.batch_size]
            opt.zero_grad()
            loss = loss_fn(net(Xt[rows]), yt[rows])
            loss.backward()
            opt.step()
    _sync(cfg)


def dataloader_loop(X, y, cfg):
    torch.manual_seed(0)
    net = _module(cfg, X.shape[2]).to(cfg.device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    data = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(data, batch_size=cfg.batch_size, shuffle=True)
    loss_fn = torch.nn.MSELoss()
    for _ in range(cfg.epochs):
        for xb, yb in loader:
            xb, yb = xb.to(cfg.device), yb.to(cfg.device)
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()
    _sync(cfg)


def skorch_default(X, y, cfg):
    torch.manual_seed(0)
    net = skorch.NeuralNetRegressor(
        RecurrentNet,
        module__input_size=X.shape[2],
        module__output_size=1,
        module__cell=cfg.cell,
        module__hidden_size=cfg.hidden_size,
        optimizer=torch.optim.Adam,
        lr=1e-3,
        max_epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        iterator_train__shuffle=True,
        train_split=None,
        device=cfg.device,
        verbose=0,
    )
    net.fit(X, y)
    _sync(cfg)


def skrnn_fit(X, y, cfg):
    RecurrentRegressor(
        cell=cfg.cell,
        hidden_size=cfg.hidden_size,
        max_epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        normalize_y=False,
        random_state=0,
        device=cfg.device,
    ).fit(X, y)
    _sync(cfg)


def _sync(cfg):
    if cfg.device.startswith("cuda"):
        torch.cuda.synchronize()


CANDIDATES = {
    "raw loop": raw_loop,
    "DataLoader": dataloader_loop,
    "skorch default": skorch_default,
    "skrnn": skrnn_fit,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="sequences")
    parser.add_argument("--timesteps", type=int, default=48)
    parser.add_argument("--features", type=int, default=1)
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--batch-sizes", default="32,64,256")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.n, cfg.epochs, cfg.repeats = 384, 1, 1
        cfg.cells, cfg.batch_sizes = "lstm,rnn", "64"
    torch.set_num_threads(cfg.threads)
    warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed number of epochs
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # pay the lazy import once
    cpu_clock = cfg.threads == 1 and cfg.device == "cpu"
    clock = time.process_time if cpu_clock else time.perf_counter

    print_header(
        "fit: skrnn against raw PyTorch, a DataLoader loop and skorch's defaults",
        f"{cfg.n} sequences x {cfg.timesteps} steps x {cfg.features} feature(s), "
        f"hidden {cfg.hidden_size}, MSE, Adam 1e-3, {cfg.epochs} epoch(s), shuffled "
        f"batches, device {cfg.device}",
        f"median {'CPU' if cpu_clock else 'wall-clock'} time of {cfg.repeats} "
        "interleaved repeat(s); ratio to the raw loop (target for skrnn: <= 1.10x)",
    )
    X, y = make_sequences(cfg.n, cfg.timesteps, cfg.features)
    print(f"{'cell':5} {'batch':>5} " + " ".join(f"{name:>16}" for name in CANDIDATES))
    worst = 0.0
    for cell in cfg.cells.split(","):
        for batch_size in map(int, cfg.batch_sizes.split(",")):
            cfg.cell, cfg.batch_size = cell, batch_size
            for run in CANDIDATES.values():  # warm up: first calls pay one-off costs
                run(X[:256], y[:256], cfg)
            runs = {name: (lambda run=run: run(X, y, cfg))
                    for name, run in CANDIDATES.items()}
            times = interleaved(runs, cfg.repeats, clock)
            base = median(times["raw loop"])
            worst = max(worst, median(times["skrnn"]) / base)
            print(f"{cell:5} {batch_size:5d} "
                  + " ".join(f"{format_ratio(median(times[n]), base):>16}"
                             for n in CANDIDATES), flush=True)
    print(f"worst skrnn / raw loop: {worst:.2f}x")


if __name__ == "__main__":
    main()
