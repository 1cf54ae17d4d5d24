"""ConvLSTM: skrnn's fit against a raw PyTorch loop, and its module against a naive one.

Two comparisons, side by side in one run:

1. ``fit``: ``ConvLSTMRegressor.fit`` (next-frame targets, input validation
   included) against a hand-written PyTorch loop training the same module
   (``skrnn.nn.ConvRecurrentNet``, frame head, MSE, Adam 1e-3) on the same
   in-memory frames for the same epochs with shuffled batches of the same size.
   Target: skrnn at most 1.10 times the raw loop.
2. ``module``: forward + backward of :class:`skrnn.nn.ConvLSTM` (every step's
   input convolution at once, then one hidden-state convolution per step)
   against the straightforward implementation: each step concatenates input and
   hidden state and runs one convolution for all the gates. On the CPU, and on
   CUDA when a GPU is available.

Candidates run interleaved, ``--repeats`` times; the tables give medians and
ratios. The time is the process's CPU time with one torch thread on the CPU
(robust to other load on the machine), wall-clock time otherwise. Run::

    python benchmarks/bench_conv.py                # the full tables, a few minutes
    python benchmarks/bench_conv.py --smoke        # seconds; what CI runs
"""

import argparse
import time
import warnings

import torch
from _common import format_ratio, interleaved, median, print_header
from torch import nn

from skrnn import ConvLSTMRegressor
from skrnn.datasets import make_moving_digits
from skrnn.nn import ConvLSTM, ConvRecurrentNet


def _net(cfg):
    return ConvRecurrentNet(1, 1, cell="lstm", filters=cfg.filters,
                            kernel_size=cfg.kernel_size, head="frame")


def raw_loop(X, y, cfg):
    torch.manual_seed(0)
    net = _net(cfg).to(cfg.device)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    Xt = torch.from_numpy(X[:, :, None]).to(cfg.device)
    yt = torch.from_numpy(y[:, None]).to(cfg.device)
    loss_fn = nn.MSELoss()
    for _ in range(cfg.epochs):
        perm = torch.randperm(len(Xt), device=cfg.device)
        for i in range(0, len(Xt), cfg.batch_size):
            rows = perm[i : i + cfg.batch_size]
            opt.zero_grad()
            loss = loss_fn(net(Xt[rows]), yt[rows])
            loss.backward()
            opt.step()
    _sync(cfg)


def skrnn_fit(X, y, cfg):
    ConvLSTMRegressor(
        filters=cfg.filters, kernel_size=cfg.kernel_size, max_epochs=cfg.epochs,
        batch_size=cfg.batch_size, normalize_y=False, random_state=0,
        device=cfg.device,
    ).fit(X, y)
    _sync(cfg)


class NaiveConvLSTM(nn.Module):
    """One layer, batch first; per step: concatenate, one convolution, the gates."""

    def __init__(self, in_channels, hidden_channels, kernel_size):
        super().__init__()
        self.hidden_channels = hidden_channels
        self.conv = nn.Conv2d(in_channels + hidden_channels, 4 * hidden_channels,
                              kernel_size, padding=kernel_size // 2)

    def forward(self, x):
        B, T, _, H, W = x.shape
        h = x.new_zeros(B, self.hidden_channels, H, W)
        c = torch.zeros_like(h)
        outputs = []
        for t in range(T):
            gates = self.conv(torch.cat([x[:, t], h], dim=1))
            i, f, o, g = gates.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1), (h, c)


def _module_step(module, x):
    def run():
        out, _ = module(x)
        out.square().mean().backward()
        _sync_device(x.device)
    return run


def _sync(cfg):
    _sync_device(torch.device(cfg.device))


def _sync_device(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def fit_table(cfg, clock):
    X, y = make_moving_digits(cfg.n, n_frames=cfg.frames, frame_size=cfg.size,
                              digit_size=8, random_state=0)
    print(f"## fit: {cfg.n} sequences x {cfg.frames} frames of {cfg.size}x{cfg.size}, "
          f"filters {cfg.filters}, kernel {cfg.kernel_size}, batch {cfg.batch_size}, "
          f"{cfg.epochs} epoch(s), device {cfg.device}")
    candidates = {"raw loop": raw_loop, "skrnn": skrnn_fit}
    for run in candidates.values():  # warm up
        run(X[:32], y[:32], cfg)
    times = interleaved({k: (lambda run=run: run(X, y, cfg))
                         for k, run in candidates.items()}, cfg.repeats, clock)
    base = median(times["raw loop"])
    print(f"{'':8} " + " ".join(f"{name:>16}" for name in candidates))
    print(f"{'fit':8} " + " ".join(f"{format_ratio(median(times[n]), base):>16}"
                                    for n in candidates), flush=True)
    return median(times["skrnn"]) / base


def module_table(cfg, device, clock):
    print(f"## module forward+backward, batch {cfg.batch_size}, {cfg.frames} frames, "
          f"device {device}")
    print(f"{'size':>5} {'filters':>7} " + " ".join(
        f"{name:>16}" for name in ("naive (concat)", "skrnn ConvLSTM")))
    worst = 0.0
    for size, filters in cfg.module_grid:
        torch.manual_seed(0)
        x = torch.randn(cfg.batch_size, cfg.frames, 1, size, size, device=device)
        naive = NaiveConvLSTM(1, filters, cfg.kernel_size).to(device)
        ours = ConvLSTM(1, filters, cfg.kernel_size, batch_first=True).to(device)
        runs = {"naive": _module_step(naive, x), "skrnn": _module_step(ours, x)}
        for run in runs.values():
            run()
        times = interleaved(runs, cfg.repeats, clock)
        base = median(times["naive"])
        worst = max(worst, median(times["skrnn"]) / base)
        print(f"{size:5d} {filters:7d} " + " ".join(
            f"{format_ratio(median(times[n]), base):>16}" for n in runs), flush=True)
    return worst


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=512, help="sequences")
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--size", type=int, default=32, help="frame height and width")
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--kernel-size", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (the fit table)")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    cfg.module_grid = [(16, 8), (32, 16), (64, 32)]
    if cfg.smoke:
        cfg.n, cfg.frames, cfg.size, cfg.filters = 32, 3, 16, 4
        cfg.epochs, cfg.repeats, cfg.module_grid = 1, 1, [(16, 4)]
    torch.set_num_threads(cfg.threads)
    warnings.simplefilter("ignore")  # ConvergenceWarning: a fixed number of epochs
    cpu_clock = cfg.threads == 1 and cfg.device == "cpu"
    clock = time.process_time if cpu_clock else time.perf_counter
    print_header(
        "ConvLSTM: skrnn's fit against a raw PyTorch loop; its module against a "
        "naive per-step one",
        f"median {'CPU' if cpu_clock else 'wall-clock'} time of {cfg.repeats} "
        "interleaved repeat(s); ratios to the raw loop (target for skrnn: <= 1.10x) "
        "and to the naive module",
    )
    fit_ratio = fit_table(cfg, clock)
    module_ratio = module_table(cfg, torch.device("cpu"), clock)
    print(f"skrnn fit / raw loop: {fit_ratio:.2f}x; "
          f"worst skrnn module / naive (cpu): {module_ratio:.2f}x")
    if torch.cuda.is_available():
        module_table(cfg, torch.device("cuda"), time.perf_counter)
    else:
        print("# no CUDA device: the module table on CUDA is not run")


if __name__ == "__main__":
    main()
