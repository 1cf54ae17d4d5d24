"""Prediction time and memory of skrnn against raw PyTorch (``torch.inference_mode``).

For each cell and hidden size, one fitted network (``skrnn.RecurrentNet``: a
recurrent layer and a linear head) predicts through each candidate:

- ``raw torch``: the module called on slices of ``--raw-batch-size`` (1,024)
  sequences under ``torch.inference_mode()``, outputs concatenated into one NumPy
  array; the floor;
- ``skrnn``: ``RecurrentRegressor.predict`` with its defaults: batches chosen for
  speed (``predict_batch_size=None``), input validation and the float64 result
  included;
- ``skrnn proba``: ``RecurrentClassifier.predict_proba`` (two classes), against
  the raw loop over the classifier's own module;
- ``skrnn 0.1``: ``predict`` in batches of the training ``batch_size``
  (``predict_batch_size=batch_size``), what skrnn did before it chose the batch;
- ``skorch default``: ``skorch.NeuralNetRegressor.predict`` around the same module.

Two tasks: ``--n`` sequences at once (the median of interleaved repeats) and a
single sequence (the median latency of many calls, interleaved in rounds). Times
are the CPU time of the calling thread, with one torch thread unless ``--threads``
says otherwise. Targets: skrnn at most 1.15 times raw torch on many sequences and
at most 2 times its latency on one.

``--scan`` times instead skrnn's ``predict`` at fixed batch sizes
(``--scan-sizes``), rounds in a shuffled order, against the raw loop, with the
minor page faults of each call (``getrusage``): the measurements behind the
constants of ``skrnn/_inference.py`` (how large a batch pays, and where the
allocator starts to hand buffers back to the system and fault them in again).

``--memory`` measures instead the peak resident memory of predicting
``--memory-n`` (2,000,000) sequences of 10 steps, float32 and contiguous already:
the rise of ``VmHWM`` above the resident size before the call, against the
result's size plus one batch's activations (target: within that; nothing of the
input's size copied). Linux only. Run::

    python benchmarks/bench_predict.py             # the full table, a few minutes
    python benchmarks/bench_predict.py --memory    # the memory check, seconds
    python benchmarks/bench_predict.py --scan      # batch sizes, a few minutes
    python benchmarks/bench_predict.py --smoke     # seconds; what CI runs
"""

import argparse
import copy
import random
import resource
import time
import warnings

import skorch
import torch
from _common import (
    fix_mmap_threshold,
    format_ratio,
    interleaved,
    make_sequences,
    median,
    print_header,
    read_status_kib,
    reset_peak_rss,
)

from skrnn import RecurrentClassifier, RecurrentRegressor
from skrnn._inference import activation_bytes, predict_batch_size

MIB = 2**20
NAMES = ["raw torch", "skrnn", "skrnn proba", "skrnn 0.1", "skorch default"]


def fitted(X, y, cfg):
    """A regressor, a classifier and a skorch net sharing the regressor's module."""
    common = dict(cell=cfg.cell, hidden_size=cfg.hidden_size, max_epochs=1,
                  batch_size=cfg.batch_size, random_state=0, device=cfg.device)
    reg = RecurrentRegressor(**common, normalize_y=False).fit(X[:2000], y[:2000])
    clf = RecurrentClassifier(**common).fit(X[:2000], (y[:2000, 0] > 0).astype(int))
    net = skorch.NeuralNetRegressor(
        reg.module_, criterion=torch.nn.MSELoss, batch_size=cfg.batch_size,
        train_split=None, device=cfg.device,
    ).initialize()
    return reg, clf, net


def raw_predict(module, X, batch_size, device):
    with torch.inference_mode():
        Xt = torch.from_numpy(X)
        outs = [module(Xt[i : i + batch_size].to(device))
                for i in range(0, len(Xt), batch_size)]
        return torch.cat(outs).cpu().numpy()


def candidates(reg, clf, net, X, cfg):
    module, clf_module = reg.module_.eval(), clf.module_.eval()
    old = copy.copy(reg).set_params(predict_batch_size=cfg.batch_size)  # same net
    return {
        "raw torch": lambda: raw_predict(module, X, cfg.raw_batch_size, cfg.device),
        "raw proba": lambda: raw_predict(clf_module, X, cfg.raw_batch_size,
                                         cfg.device),
        "skrnn": lambda: reg.predict(X),
        "skrnn proba": lambda: clf.predict_proba(X),
        "skrnn 0.1": lambda: old.predict(X),
        "skorch default": lambda: net.predict(X),
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


def ratios(result, names):
    """Each candidate's time and its ratio to the raw loop (proba: to raw proba)."""
    cells = []
    for name in names:
        base = result["raw proba" if name == "skrnn proba" else "raw torch"]
        cells.append(format_ratio(result[name], base))
    return cells


def speed(cfg):
    print_header(
        "predict: skrnn against raw PyTorch under torch.inference_mode() and skorch",
        f"{cfg.n} sequences x {cfg.timesteps} steps x {cfg.features} feature(s), "
        f"raw loop in batches of {cfg.raw_batch_size}, training batch_size "
        f"{cfg.batch_size}, device {cfg.device}",
        f"many: median CPU time of {cfg.repeats} interleaved repeat(s); one: median "
        f"latency of {cfg.calls} x {cfg.rounds} interleaved calls; ratio to raw torch "
        "(skrnn proba: to the raw loop over the classifier's module); targets for "
        "skrnn: <= 1.15x on many, <= 2x on one",
    )
    X, y = make_sequences(cfg.n, cfg.timesteps, cfg.features)
    names = NAMES[:3] if cfg.quick else NAMES
    print(f"{'cell':5} {'hidden':>6} {'batch':>6} {'sequences':>9} "
          + " ".join(f"{n:>15}" for n in names))
    worst = {"many": 0.0, "one": 0.0}
    for hidden in map(int, cfg.hidden_sizes.split(",")):
        cfg.hidden_size = hidden
        for cell in cfg.cells.split(","):
            cfg.cell = cell
            reg, clf, net = fitted(X, y, cfg)
            chosen = predict_batch_size(reg, cfg.n, cfg.timesteps)
            many = candidates(reg, clf, net, X, cfg)
            if cfg.quick:
                many = {k: v for k, v in many.items() if k in names or "raw" in k}
            for run in many.values():  # warm up
                run()
            times = {n: median(t) for n, t in
                     interleaved(many, cfg.repeats, time.thread_time).items()}
            one = {k: v for k, v in candidates(reg, clf, net, X[:1], cfg).items()
                   if k in many}
            for run in one.values():
                for _ in range(20):
                    run()
            lat = latencies(one, cfg.calls, cfg.rounds)
            for label, result, key in ((str(cfg.n), times, "many"), ("1", lat, "one")):
                worst[key] = max(worst[key], result["skrnn"] / result["raw torch"],
                                 result["skrnn proba"] / result["raw proba"])
                row = " ".join(f"{c:>15}" for c in ratios(result, names))
                print(f"{cell:5} {hidden:>6} {chosen if key == 'many' else 1:>6} "
                      f"{label:>9} {row}", flush=True)
    print(f"worst skrnn / raw torch (predict and predict_proba): {worst['many']:.2f}x "
          f"on {cfg.n} sequences, {worst['one']:.2f}x on one")


def scan(cfg):
    print_header(
        "predict: skrnn's time and page faults at fixed batch sizes",
        f"{cfg.n} sequences x {cfg.timesteps} steps x {cfg.features} feature(s), "
        f"raw loop in batches of {cfg.raw_batch_size}, device {cfg.device}",
        f"median CPU time of {cfg.repeats} rounds in shuffled order, as a ratio to "
        "the raw loop; faults: median minor page faults of one call; * where more "
        "than 100",
    )
    X, y = make_sequences(cfg.n, cfg.timesteps, cfg.features)
    sizes = [int(size) for size in cfg.scan_sizes.split(",")]
    print(f"{'cell':5} {'hidden':>6} {'chosen':>6} {'raw':>9}  "
          + " ".join(f"{size:>13}" for size in sizes))
    order = random.Random(0)
    for hidden in map(int, cfg.hidden_sizes.split(",")):
        cfg.hidden_size = hidden
        for cell in cfg.cells.split(","):
            cfg.cell = cell
            reg, _, _ = fitted(X, y, cfg)
            module = reg.module_.eval()
            runs = {"raw": lambda module=module: raw_predict(
                module, X, cfg.raw_batch_size, cfg.device)}
            for size in sizes:
                est = copy.copy(reg).set_params(predict_batch_size=size)
                runs[size] = est.predict
            times = {name: [] for name in runs}
            faults = {name: [] for name in runs}
            for name, run in runs.items():  # warm up
                run() if name == "raw" else run(X)
            for _ in range(cfg.repeats):
                names = list(runs)
                order.shuffle(names)
                for name in names:
                    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
                    start = time.thread_time()
                    runs[name]() if name == "raw" else runs[name](X)
                    times[name].append(time.thread_time() - start)
                    faults[name].append(
                        resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
            base = median(times["raw"])
            cells = []
            for size in sizes:
                many = median(faults[size])
                cells.append(f"{median(times[size]) / base:5.2f}x "
                             f"{many:6.0f}{'*' if many > 100 else ' '}")
            chosen = predict_batch_size(reg, cfg.n, cfg.timesteps)
            print(f"{cell:5} {hidden:>6} {chosen:>6} {base * 1e3:7.1f}ms  "
                  + " ".join(f"{c:>13}" for c in cells), flush=True)


def memory(cfg):
    fix_mmap_threshold()
    n, steps = cfg.memory_n, 10
    print_header(
        "predict: peak memory of predicting many sequences at once",
        f"{n} sequences x {steps} steps x 1 feature (float32, contiguous: "
        f"{n * steps * 4 / MIB:.0f} MiB), hidden {cfg.hidden_size}, cell {cfg.cell}",
        "peak: rise of VmHWM above the resident size before the call; budget: the "
        "result (float64) and its float32 outputs, plus one batch's activations "
        "(target: peak within the budget)",
    )
    X, y = make_sequences(n, steps, 1)
    reg = RecurrentRegressor(cell=cfg.cell, hidden_size=cfg.hidden_size,
                             max_epochs=1, random_state=0).fit(X[:512], y[:512])
    reg.predict(X[:5000])  # torch's one-time allocations
    module = reg.module_.eval()
    size = predict_batch_size(reg, n, steps)
    batch = size * (activation_bytes(reg, steps) + steps * 4)
    runs = {"skrnn": lambda: reg.predict(X),
            "raw torch": lambda: raw_predict(module, X, cfg.raw_batch_size, "cpu")}
    print(f"{'candidate':10} {'peak MiB':>9} {'result MiB':>10} {'budget MiB':>10} "
          f"{'peak/budget':>11}")
    for name, run in runs.items():
        if not reset_peak_rss():
            raise SystemExit("cannot reset the peak RSS here (/proc/self/clear_refs)")
        before = read_status_kib("VmRSS")
        out = run()
        peak = read_status_kib("VmHWM") - before
        result = out.nbytes
        budget = result + n * 4 + batch  # float64 result, float32 outputs, a batch
        print(f"{name:10} {peak / MIB:9.1f} {result / MIB:10.1f} {budget / MIB:10.1f} "
              f"{peak / budget:10.2f}x", flush=True)
        del out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="sequences to predict")
    parser.add_argument("--timesteps", type=int, default=16)
    parser.add_argument("--features", type=int, default=1)
    parser.add_argument("--hidden-sizes", default="16,64")
    parser.add_argument("--batch-size", type=int, default=32,
                        help="the estimators' training batch_size")
    parser.add_argument("--raw-batch-size", type=int, default=1024)
    parser.add_argument("--cells", default="lstm,gru,rnn")
    parser.add_argument("--repeats", type=int, default=7, help="repeats on --n")
    parser.add_argument("--calls", type=int, default=200, help="single calls per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--memory", action="store_true",
                        help="measure the peak memory of one large prediction")
    parser.add_argument("--memory-n", type=int, default=2_000_000)
    parser.add_argument("--scan", action="store_true",
                        help="time skrnn at fixed batch sizes, with page faults")
    parser.add_argument("--scan-sizes", default="256,512,1024,2048,4096")
    parser.add_argument("--quick", action="store_true",
                        help="only the raw loops and skrnn's defaults (large --n)")
    parser.add_argument("--smoke", action="store_true", help="a tiny configuration")
    cfg = parser.parse_args(argv)
    if cfg.smoke:
        cfg.n, cfg.repeats, cfg.calls, cfg.rounds = 500, 2, 20, 2
        cfg.cells, cfg.hidden_sizes, cfg.memory_n = "lstm", "16", 50_000
    torch.set_num_threads(cfg.threads)
    warnings.simplefilter("ignore")  # ConvergenceWarning: one epoch
    if cfg.memory:
        cfg.cell, cfg.hidden_size = cfg.cells.split(",")[0], 16
        memory(cfg)
    elif cfg.scan:
        scan(cfg)
    else:
        speed(cfg)


if __name__ == "__main__":
    main()
