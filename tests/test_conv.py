"""ConvLSTM and ConvGRU: the torch modules, the estimators, the moving digits."""

import io
import warnings

import joblib
import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.base import is_regressor
from skorch.callbacks import Callback
from torch.nn import functional as F

from skrnn import (
    ConvGRUClassifier,
    ConvGRURegressor,
    ConvLSTMClassifier,
    ConvLSTMRegressor,
    ConvRecurrentClassifier,
    ConvRecurrentRegressor,
    load_model,
    save_model,
)
from skrnn.datasets import make_moving_digits
from skrnn.exceptions import NonFiniteLossError
from skrnn.nn import (
    ConvGRU,
    ConvLSTM,
    ConvRecurrentNet,
    conv_recurrent_parameters,
    count_parameters,
)

MODULES = {"lstm": ConvLSTM, "gru": ConvGRU}
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


# -- a slow reference, written step by step from the equations ---------------------


def _same_conv(x, weight, bias=None):
    with warnings.catch_warnings():  # torch's note on even kernels' padding copy
        warnings.simplefilter("ignore", UserWarning)
        return F.conv2d(x, weight, bias, padding="same")


def _reference(module, x, hx=None):
    """ConvLSTM/ConvGRU computed step by step, time-major, from the equations.

    Each step convolves the concatenation of input and hidden state with torch's
    own ``padding="same"``; nothing is shared with the module's code path.
    """
    lstm = isinstance(module, ConvLSTM)
    if module.batch_first:
        x = x.transpose(0, 1)
    T, B, _, H, W = x.shape
    n, L, D = module.hidden_channels, module.num_layers, module.num_directions
    zeros = x.new_zeros(L * D, B, n, H, W)
    if hx is None:
        h0, c0 = zeros, zeros
    elif lstm:
        h0, c0 = hx
    else:
        h0, c0 = hx, zeros
    h_n, c_n = [], []
    for layer in range(L):
        outs = []
        for d in range(D):
            suffix = f"_l{layer}" + ("_reverse" if d else "")
            w_ih = getattr(module, "weight_ih" + suffix)
            w_hh = getattr(module, "weight_hh" + suffix)
            b = getattr(module, "bias_ih" + suffix) if module.bias else None
            h, c = h0[layer * D + d], c0[layer * D + d]
            seq = [None] * T
            for t in (range(T - 1, -1, -1) if d else range(T)):
                if lstm:
                    gates = _same_conv(torch.cat([x[t], h], 1),
                                       torch.cat([w_ih, w_hh], 1), b)
                    i, f, o, g = gates.chunk(4, 1)
                    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                    h = torch.sigmoid(o) * torch.tanh(c)
                else:
                    gx = _same_conv(x[t], w_ih, b)
                    gh = _same_conv(h, w_hh)
                    xr, xz, xn = gx.chunk(3, 1)
                    hr, hz, hn = gh.chunk(3, 1)
                    r = torch.sigmoid(xr + hr)
                    z = torch.sigmoid(xz + hz)
                    cand = torch.tanh(xn + r * hn)
                    h = (1 - z) * cand + z * h
                seq[t] = h
            outs.append(torch.stack(seq))
            h_n.append(h)
            c_n.append(c)
        x = torch.cat(outs, dim=2)
    output = x.transpose(0, 1) if module.batch_first else x
    state = (torch.stack(h_n), torch.stack(c_n)) if lstm else torch.stack(h_n)
    return output, state


CONFIGS = [
    dict(kernel_size=3),
    dict(kernel_size=2),
    dict(kernel_size=(2, 3), num_layers=2),
    dict(kernel_size=(1, 4), bidirectional=True),
    dict(kernel_size=3, num_layers=2, bidirectional=True, batch_first=True),
    dict(kernel_size=5, bias=False),
]


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("config", CONFIGS, ids=str)
def test_module_matches_reference(cell, config):
    torch.manual_seed(0)
    module = MODULES[cell](2, 3, **config)
    B, T, H, W = 2, 4, 5, 6
    shape = (B, T, 2, H, W) if module.batch_first else (T, B, 2, H, W)
    x = torch.randn(shape)
    output, state = module(x)
    ref_output, ref_state = _reference(module, x)
    D = 2 if module.bidirectional else 1
    want = (B, T, 3 * D, H, W) if module.batch_first else (T, B, 3 * D, H, W)
    assert output.shape == want
    torch.testing.assert_close(output, ref_output, rtol=1e-5, atol=1e-6)
    states = state if cell == "lstm" else (state,)
    ref_states = ref_state if cell == "lstm" else (ref_state,)
    for s, r in zip(states, ref_states, strict=True):
        assert s.shape == (module.num_layers * D, B, 3, H, W)
        torch.testing.assert_close(s, r, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_initial_state_is_used(cell):
    torch.manual_seed(0)
    module = MODULES[cell](1, 2, 3, num_layers=2, batch_first=True)
    x = torch.randn(3, 4, 1, 5, 5)
    h0 = torch.randn(2, 3, 2, 5, 5)
    hx = (h0, torch.randn(2, 3, 2, 5, 5)) if cell == "lstm" else h0
    output, state = module(x, hx)
    ref_output, ref_state = _reference(module, x, hx)
    torch.testing.assert_close(output, ref_output, rtol=1e-5, atol=1e-6)
    assert not torch.allclose(output, module(x)[0])
    # Continuing from the returned state is the same as one longer run.
    first, state1 = module(x[:, :2])
    second, _ = module(x[:, 2:], state1)
    torch.testing.assert_close(torch.cat([first, second], 1), module(x)[0],
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("config", [dict(kernel_size=3),
                                    dict(kernel_size=2, num_layers=2,
                                         bidirectional=True)], ids=str)
def test_gradients_match_reference(cell, config):
    torch.manual_seed(0)
    module = MODULES[cell](1, 2, **config).double()
    x = torch.randn(3, 2, 1, 4, 3, dtype=torch.float64, requires_grad=True)

    def run(fn):
        output, state = fn(x)
        h = state[0] if isinstance(state, tuple) else state
        return (output ** 2).sum() + h.sum()

    grads = torch.autograd.grad(run(module), [x, *module.parameters()])
    ref = torch.autograd.grad(run(lambda v: _reference(module, v)),
                              [x, *module.parameters()])
    for g, r in zip(grads, ref, strict=True):
        torch.testing.assert_close(g, r)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gradcheck(cell):
    torch.manual_seed(0)
    module = MODULES[cell](1, 2, (2, 3), bidirectional=True).double()
    x = torch.randn(2, 2, 1, 3, 3, dtype=torch.float64, requires_grad=True)
    params = list(module.parameters())

    weights = [p.detach().clone().requires_grad_(True) for p in params]
    # gradcheck differentiates with respect to the function's inputs: the
    # weights are swapped in as arguments.
    def functional(x, *ws):
        saved = {n: p for n, p in module.named_parameters()}
        try:
            for (n, _), w in zip(saved.items(), ws, strict=True):
                module._parameters[n] = w
            return module(x)[0]
        finally:
            for n, p in saved.items():
                module._parameters[n] = p

    assert torch.autograd.gradcheck(functional, (x, *weights))


@pytest.mark.parametrize("config", [dict(), dict(num_layers=3, bidirectional=True),
                                    dict(kernel_size=(2, 5), bias=False),
                                    dict(num_layers=2)], ids=str)
def test_parameter_counts(config):
    config = {"kernel_size": 3, **config}
    counts = {}
    for cell, cls in MODULES.items():
        counts[cell] = count_parameters(cls(3, 8, **config))
        assert counts[cell] == conv_recurrent_parameters(cell, 3, 8, **config)
    assert counts["gru"] * 4 == counts["lstm"] * 3
    kh, kw = (3, 3) if config["kernel_size"] == 3 else config["kernel_size"]
    if config.keys() == {"kernel_size"}:
        assert counts["lstm"] == 4 * 8 * (3 + 8) * kh * kw + 4 * 8


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_reset_parameters_uses_only_the_generator(cell):
    module = MODULES[cell](2, 4, 3, num_layers=2)
    before = torch.random.get_rng_state()
    module.reset_parameters(torch.Generator().manual_seed(5))
    first = [p.clone() for p in module.parameters()]
    assert torch.equal(torch.random.get_rng_state(), before)
    module.reset_parameters(torch.Generator().manual_seed(5))
    assert all(torch.equal(a, b)
               for a, b in zip(first, module.parameters(), strict=True))
    net = ConvRecurrentNet(2, 3, cell=cell, filters=4, head="frame")
    before = torch.random.get_rng_state()
    net.reset_parameters(torch.Generator().manual_seed(1))
    again = [p.clone() for p in net.parameters()]
    net.reset_parameters(torch.Generator().manual_seed(1))
    assert all(torch.equal(a, b)
               for a, b in zip(again, net.parameters(), strict=True))
    assert torch.equal(torch.random.get_rng_state(), before)


def test_module_errors():
    with pytest.raises(ValueError, match="kernel_size"):
        ConvLSTM(1, 2, 0)
    with pytest.raises(ValueError, match="kernel_size"):
        ConvLSTM(1, 2, (3, 3, 3))
    with pytest.raises(ValueError, match="hidden_channels"):
        ConvGRU(1, 0, 3)
    module = ConvLSTM(2, 3, 3)
    with pytest.raises(ValueError, match="5-D"):
        module(torch.zeros(4, 2, 5, 5))
    with pytest.raises(ValueError, match="2 input channels"):
        module(torch.zeros(4, 2, 3, 5, 5))
    with pytest.raises(ValueError, match="h_0 of shape"):
        module(torch.zeros(4, 2, 2, 5, 5), (torch.zeros(1, 2, 3, 4, 4),) * 2)
    with pytest.raises(ValueError, match="tuple"):
        module(torch.zeros(4, 2, 2, 5, 5), torch.zeros(1, 2, 3, 5, 5))


@pytest.mark.parametrize("head,shape", [("pooled", (2, 3)), ("frame", (2, 3, 6, 7)),
                                        ("sequence", (2, 4, 3, 6, 7))])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_conv_recurrent_net_heads(head, shape, bidirectional):
    net = ConvRecurrentNet(2, 3, filters=4, kernel_size=2, head=head,
                           bidirectional=bidirectional, num_layers=2, dropout=0.1)
    assert net(torch.zeros(2, 4, 2, 6, 7)).shape == shape


# -- the estimators -------------------------------------------------------------------

FAST = dict(filters=4, max_epochs=2, random_state=0)


def _frames(n=24, T=3, C=None, H=6, W=5, seed=0):
    rng = np.random.RandomState(seed)
    shape = (n, T, H, W) if C is None else (n, T, C, H, W)
    return rng.rand(*shape).astype(np.float32)


def test_fixed_cells():
    X = _frames()
    y = X[:, -1]
    for cls, cell in [(ConvLSTMRegressor, "lstm"), (ConvGRURegressor, "gru")]:
        est = cls(**FAST).fit(X, y)
        assert est.module_.rnn.__class__ is MODULES[cell]
        assert "cell" not in est.get_params()
    clf = ConvGRUClassifier(**FAST).fit(X, np.arange(24) % 2)
    assert isinstance(clf.module_.rnn, ConvGRU)
    assert isinstance(ConvLSTMClassifier(**FAST).fit(X, np.arange(24) % 2).module_.rnn,
                      ConvLSTM)


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("X_shape,y_shape,params", [
    ((24, 3, 6, 5), (24, 6, 5), {}),                          # next frame, 1 channel
    ((24, 3, 2, 6, 5), (24, 2, 6, 5), {}),                    # next frame, 2 channels
    ((24, 3, 2, 6, 5), (24, 6, 5), {"bidirectional": True}),  # 2 channels in, 1 out
    ((24, 3, 6, 5), (24, 3, 6, 5), {"return_sequences": True}),
    ((24, 3, 2, 6, 5), (24, 3, 3, 6, 5), {"return_sequences": True, "num_layers": 2}),
    ((24, 3, 6, 5), (24,), {"kernel_size": 2}),               # pooled head
    ((24, 3, 2, 6, 5), (24, 3), {"kernel_size": (1, 3)}),
    ((24, 4), (24,), {}),                                     # 2-D: 1x1 frames
])
def test_regressor_target_forms(cell, X_shape, y_shape, params):
    rng = np.random.RandomState(0)
    X = rng.rand(*X_shape).astype(np.float32)
    y = rng.rand(*y_shape)
    est = ConvRecurrentRegressor(cell=cell, **FAST, **params).fit(X, y)
    pred = est.predict(X)
    assert pred.shape == y.shape and pred.dtype == np.float64
    assert np.isfinite(est.score(X, y))
    if len(X_shape) > 2 and not params.get("return_sequences"):
        # Fully convolutional: other frame sizes and lengths are fine.
        other = rng.rand(2, 5, *X_shape[2:-2], 9, 4).astype(np.float32)
        assert est.predict(other).shape[0] == 2
        if len(y_shape) > 2:
            assert est.predict(other).shape[-2:] == (9, 4)


def test_next_frame_regressor_learns_moving_digits():
    X, y = make_moving_digits(96, n_frames=5, frame_size=16, digit_size=8,
                              n_digits=1, max_speed=2.0, random_state=0)
    est = ConvLSTMRegressor(filters=8, max_epochs=12, lr=1e-2, batch_size=16,
                            random_state=0).fit(X, y)
    assert est.loss_curve_[0] > 1.5 * est.loss_curve_[-1]
    mse = np.mean((est.predict(X) - y) ** 2)
    copy_last = np.mean((X[:, -1] - y) ** 2)
    assert mse < 0.8 * copy_last


def test_classifier_learns_directions():
    rng = np.random.RandomState(0)
    X = np.zeros((48, 4, 6, 6), dtype=np.float32)
    y = np.array(["right", "down", "left"])[rng.randint(3, size=48)]
    for t in range(4):
        X[y == "right", t, 2, t] = 1
        X[y == "down", t, t, 2] = 1
        X[y == "left", t, 3, 4 - t] = 1
    clf = ConvRecurrentClassifier(cell="gru", filters=4, max_epochs=40, lr=3e-2,
                                  random_state=0).fit(X, y)
    assert list(clf.classes_) == ["down", "left", "right"]
    assert clf.score(X, y) == 1.0
    proba = clf.predict_proba(X)
    assert proba.shape == (48, 3)
    assert_allclose(proba.sum(axis=1), 1.0)
    assert_allclose(np.exp(clf.predict_log_proba(X)), proba, rtol=1e-6)
    with pytest.raises(ValueError, match="classes not in"):
        clf.score(X[:2], ["up", "down"])


def test_shape_errors():
    X = _frames()
    reg = ConvRecurrentRegressor(**FAST)
    with pytest.raises(ValueError, match="dim 3.*5-D array"):
        reg.fit(X[:, :, 0], X[:, 0, 0])
    with pytest.raises(ValueError, match=r"y has shape \(24, 7, 5\).*6x5"):
        reg.fit(X, np.zeros((24, 7, 5)))
    with pytest.raises(ValueError, match="one frame per time step"):
        ConvRecurrentRegressor(return_sequences=True, **FAST).fit(X, X[:, :2])
    with pytest.raises(ValueError, match="return_sequences=True needs image"):
        ConvRecurrentRegressor(return_sequences=True, **FAST).fit(X[:, :, 0, 0],
                                                                  X[:, 0, 0])
    with pytest.raises(ValueError, match="kernel_size.*pair"):
        ConvRecurrentRegressor(kernel_size=(3, 0), **FAST).fit(X, X[:, -1])
    with pytest.raises(ValueError, match="cell"):
        ConvRecurrentRegressor(cell="rnn", **FAST).fit(X, X[:, -1])
    reg.fit(_frames(C=2), X[:, -1])
    with pytest.raises(ValueError, match="1 channel.*expecting 2 channel"):
        reg.predict(X)
    with pytest.raises(ValueError, match="fitted on 5-D"):
        reg.predict(X[:, :, 0, 0])
    with pytest.raises(ValueError, match="NaN"):
        reg.predict(np.full((2, 3, 2, 6, 5), np.nan))


def test_warm_start_partial_fit_and_early_stopping():
    X = _frames(48)
    y = X[:, -1]
    est = ConvGRURegressor(warm_start=True, **FAST).fit(X, y)
    est.fit(X, y)
    assert est.n_iter_ == 4
    with pytest.raises(ValueError, match="warm_start and partial_fit continue"):
        est.fit(X, y.mean(axis=(1, 2)))
    est = ConvGRURegressor(**FAST)
    for _ in range(3):
        est.partial_fit(X, y)
    assert est.n_iter_ == 3
    clf = ConvLSTMClassifier(**FAST)
    clf.partial_fit(X, np.arange(48) % 3, classes=[0, 1, 2])
    assert list(clf.classes_) == [0, 1, 2]
    stopped = ConvLSTMRegressor(filters=4, max_epochs=50, early_stopping=True,
                                n_iter_no_change=2, tol=10.0, random_state=0).fit(X, y)
    assert len(stopped.validation_loss_curve_) == stopped.n_iter_ == 3


def test_reproducible_and_global_rng_untouched():
    X = _frames()
    y = X[:, -1]
    before = torch.random.get_rng_state()
    a = ConvLSTMRegressor(dropout=0.2, **FAST).fit(X, y).predict(X)
    assert torch.equal(torch.random.get_rng_state(), before)
    b = ConvLSTMRegressor(dropout=0.2, **FAST).fit(X, y).predict(X)
    assert np.array_equal(a, b)
    other = ConvLSTMRegressor(dropout=0.2, **{**FAST, "random_state": 1})
    c = other.fit(X, y).predict(X)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("est", [
    ConvRecurrentRegressor(cell="gru", kernel_size=(2, 3), **FAST),
    ConvLSTMClassifier(**FAST),
], ids=lambda e: type(e).__name__)
def test_joblib_and_save_model_round_trips(est):
    X = _frames(C=2)
    y = X[:, -1] if is_regressor(est) else np.arange(24) % 2
    est.fit(X, y)
    pred = est.predict(X)
    buffer = io.BytesIO()
    joblib.dump(est, buffer)
    buffer.seek(0)
    assert np.array_equal(joblib.load(buffer).predict(X), pred)
    buffer = io.BytesIO()
    save_model(est, buffer)
    buffer.seek(0)
    loaded = load_model(buffer)
    assert loaded.get_params() == est.get_params()
    assert np.array_equal(loaded.predict(X), pred)


class _BatchShapes(Callback):
    def initialize(self):
        self.shapes_ = []
        return self

    def on_batch_begin(self, net, batch=None, **kwargs):
        self.shapes_.append(tuple(batch[0].shape))


def test_one_batch_of_frames_at_a_time():
    X = _frames(50, C=2)
    est = ConvLSTMRegressor(batch_size=16, callbacks=[("shapes", _BatchShapes())],
                            **FAST).fit(X, X[:, -1])
    shapes = dict(est.net_.callbacks_)["shapes"].shapes_
    assert shapes[:4] == [(16, 3, 2, 6, 5)] * 3 + [(2, 3, 2, 6, 5)]


def test_nonfinite_loss_raises_and_keeps_finite_weights():
    X = _frames()
    y = np.full((24, 6, 5), 1e30)
    est = ConvGRURegressor(normalize_y=False, **FAST)
    with pytest.raises(NonFiniteLossError):
        est.fit(X, y)
    assert all(torch.isfinite(w).all() for w in est.module_.state_dict().values())


def test_device_checked():
    X = _frames()
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="CUDA is not available"):
            ConvLSTMRegressor(device="cuda", **FAST).fit(X, X[:, -1])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_matches_cpu():
    X = _frames(C=2)
    params = dict(FAST, shuffle=False)
    gpu = ConvLSTMRegressor(device="cuda", **params).fit(X, X[:, -1])
    cpu = ConvLSTMRegressor(**params).fit(X, X[:, -1])
    assert_allclose(gpu.predict(X), cpu.predict(X), rtol=1e-3, atol=1e-3)


# -- make_moving_digits ------------------------------------------------------------


def test_make_moving_digits():
    X, y = make_moving_digits(6, n_frames=7, frame_size=20, n_digits=3, digit_size=8,
                              max_speed=4.0, random_state=3)
    assert X.shape == (6, 7, 20, 20) and y.shape == (6, 20, 20)
    assert X.dtype == y.dtype == np.float32
    assert 0 <= X.min() and X.max() <= 1 and X.max() > 0.5
    X2, y2 = make_moving_digits(6, n_frames=7, frame_size=20, n_digits=3,
                                digit_size=8, max_speed=4.0, random_state=3)
    assert np.array_equal(X, X2) and np.array_equal(y, y2)
    # The digits move: consecutive frames differ, y continues X.
    assert not np.array_equal(X[:, 0], X[:, 1])
    longer, _ = make_moving_digits(6, n_frames=8, frame_size=20, n_digits=3,
                                   digit_size=8, max_speed=4.0, random_state=3)
    assert np.array_equal(longer[:, :7], X) and np.array_equal(longer[:, 7], y)
    # Still digits: no speed, so every frame is the first.
    still, nxt = make_moving_digits(2, n_frames=3, max_speed=0.0, random_state=0)
    assert np.array_equal(still[:, 0], still[:, 2]) and np.array_equal(still[:, 0], nxt)
    # Ink is kept inside the frame (bouncing, not leaving).
    ink = X.reshape(6, 7, -1).sum(axis=2)
    assert (ink > 0).all()


def test_make_moving_digits_errors():
    with pytest.raises(ValueError, match="multiple of 8"):
        make_moving_digits(2, digit_size=12)
    with pytest.raises(ValueError, match="frame_size must be at least"):
        make_moving_digits(2, frame_size=12, digit_size=16)
    with pytest.raises(ValueError, match="n_samples"):
        make_moving_digits(0)


def test_fitted_attributes():
    X = _frames(C=2)
    est = ConvRecurrentRegressor(**FAST).fit(X, X[:, -1, :1])
    assert est.n_features_in_ == est.input_size_ == 2
    assert est.n_outputs_ == 1 and est.n_iter_ == 2 == len(est.loss_curve_)
    assert isinstance(est.module_, ConvRecurrentNet) and est.module_.kind == "frame"
    assert est.predict(X).shape == (24, 1, 6, 5)
    flat = ConvRecurrentRegressor(**FAST).fit(X[:, :, 0, 0, 0], X[:, 0, 0, 0, 0])
    assert flat.n_features_in_ == 3 and flat.input_size_ == 1
