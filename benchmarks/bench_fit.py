"""Fit time of skrnn against a hand-written PyTorch loop doing the same math.

Every candidate trains the same network (a recurrent layer and a linear head, MSE,
Adam) on the same in-memory windows for the same number of epochs with shuffled
batches:

- ``raw loop``: tensors in memory, a ``torch.randperm`` per epoch, batches sliced
  from it; the floor any wrapper is measured against;
- ``DataLoader``: the usual hand-written loop over a ``TensorDataset``;
- ``skorch default``: ``skorch.NeuralNetRegressor`` with its default ``Dataset`` and
  ``DataLoader`` (shuffling on, no validation split);
- ``skrnn``: ``RecurrentRegressor.fit``, input validation included.

Candidates run interleaved, ``--repeats`` times, and the table reports the median
CPU time of each and its ratio to the raw loop's. Run::

    python benchmarks/bench_fit.py                 # the full configuration
    python benchmarks/bench_fit.py --smoke         # seconds; what CI runs
"""

import argparse
import platform
import time
import warnings

import numpy as np
import sklearn
import skorch
import torch

import skrnn
from skrnn import RecurrentNet, RecurrentRegressor


def make_data(n, t, f, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, t, f)).astype(np.float32)
    y = X[:, :, 0].mean(axis=1, keepdims=True).astype(np.float32)
    return X, y


def raw_loop(X, y, cfg):
    torch.manual_seed(0)
    net = RecurrentNet(X.shape[2], 1, cell=cfg.cell, hidden_size=cfg.hidden_size)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    loss_fn = torch.nn.MSELoss()
    for _ in range(cfg.epochs):
        perm = torch.randperm(len(Xt))
        for i in range(0, len(Xt), cfg.batch_size):
            rows = perm[i : i + cfg.batch_size]
            opt.zero_grad()
            loss = loss_fn(net(Xt[rows]), yt[rows])
            loss.backward()
            opt.step()


def dataloader_loop(X, y, cfg):
    torch.manual_seed(0)
    net = RecurrentNet(X.shape[2], 1, cell=cfg.cell, hidden_size=cfg.hidden_size)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    data = torch.utils.data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
    loader = torch.utils.data.DataLoader(data, batch_size=cfg.batch_size, shuffle=True)
    loss_fn = torch.nn.MSELoss()
    for _ in range(cfg.epochs):
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(net(xb), yb)
            loss.backward()
            opt.step()


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
        verbose=0,
    )
    net.fit(X, y)


def skrnn_fit(X, y, cfg):
    RecurrentRegressor(
        cell=cfg.cell,
        hidden_size=cfg.hidden_size,
        max_epochs=cfg.epochs,
        batch_size=cfg.batch_size,
        normalize_y=False,
        random_state=0,
    ).fit(X, y)


CANDIDATES = {
    "raw loop": raw_loop,
    "DataLoader": dataloader_loop,
    "skorch default": skorch_default,
    "skrnn": skrnn_fit,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="windows")
    parser.add_argument("--timesteps", type=int, default=48)
    parser.add_argument("--features", type=int, default=1)
    parser.add_argument("--hidden-size", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--batch-sizes", default="32,64,256")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.n, cfg.epochs, cfg.repeats, cfg.cells, cfg.batch_sizes = 512, 1, 1, "lstm", "64"
    torch.set_num_threads(cfg.threads)
    warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed number of epochs
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])  # pay the lazy import once

    print(f"# skrnn {skrnn.__version__}, torch {torch.__version__}, skorch "
          f"{skorch.__version__}, scikit-learn {sklearn.__version__}, "
          f"{platform.processor() or platform.machine()}, torch threads "
          f"{torch.get_num_threads()}")
    print(f"# {cfg.n} windows x {cfg.timesteps} steps x {cfg.features} features, "
          f"hidden {cfg.hidden_size}, MSE, Adam 1e-3, {cfg.epochs} epoch(s), "
          f"median CPU time of {cfg.repeats} interleaved repeat(s)")
    X, y = make_data(cfg.n, cfg.timesteps, cfg.features)
    print(f"{'cell':5} {'batch':>5} " + " ".join(f"{name:>16}" for name in CANDIDATES))
    for cell in cfg.cells.split(","):
        for batch_size in map(int, cfg.batch_sizes.split(",")):
            cfg.cell, cfg.batch_size = cell, batch_size
            times = {name: [] for name in CANDIDATES}
            for run in CANDIDATES.values():  # warm up: first calls pay one-off costs
                run(X[:256], y[:256], cfg)
            for _ in range(cfg.repeats):
                for name, run in CANDIDATES.items():
                    start = time.process_time()
                    run(X, y, cfg)
                    times[name].append(time.process_time() - start)
            base = np.median(times["raw loop"])
            cells = []
            for name in CANDIDATES:
                med = np.median(times[name])
                cells.append(f"{med:7.2f}s {med / base:5.2f}x")
            print(f"{cell:5} {batch_size:5d} " + " ".join(f"{c:>16}" for c in cells),
                  flush=True)


if __name__ == "__main__":
    main()
