"""Moving digits: Shi et al.'s Moving-MNIST recipe with scikit-learn's own digits."""

from numbers import Integral, Real

import numpy as np
from sklearn.datasets import load_digits
from sklearn.utils import check_random_state

from ..utils._compat import Interval, validate_params

__all__ = ["make_moving_digits"]


@validate_params(
    {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "n_frames": [Interval(Integral, 1, None, closed="left")],
        "frame_size": [Interval(Integral, 8, None, closed="left")],
        "n_digits": [Interval(Integral, 1, None, closed="left")],
        "digit_size": [Interval(Integral, 8, None, closed="left")],
        "max_speed": [Interval(Real, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def make_moving_digits(
    n_samples=100,
    *,
    n_frames=10,
    frame_size=32,
    n_digits=2,
    digit_size=16,
    max_speed=3.0,
    random_state=None,
):
    """Generate sequences of handwritten digits bouncing inside a frame.

    The recipe of Moving MNIST (Shi et al., 2015) with the 8x8 handwritten digits
    that scikit-learn ships (:func:`sklearn.datasets.load_digits`, so nothing is
    downloaded): each sequence shows ``n_digits`` digits drawn at random, scaled
    up to ``digit_size`` pixels, each starting at a random place and moving in a
    straight line at a random speed and direction; a digit that reaches an edge
    bounces off it. Overlapping digits are combined with the pixel-wise maximum.
    Pixel values are in ``[0, 1]``. The task is to predict the next frame.

    Parameters
    ----------
    n_samples : int, default=100
        Number of sequences.
    n_frames : int, default=10
        Frames per sequence in ``X``; ``y`` is the frame after them.
    frame_size : int, default=32
        Height and width of the frames, at least ``digit_size``.
    n_digits : int, default=2
        Digits per sequence.
    digit_size : int, default=16
        Height and width of a digit, a multiple of 8 (each of the 8x8 pixels of
        a digit becomes a ``digit_size // 8`` square).
    max_speed : float, default=3.0
        Each digit moves ``max_speed / 2`` to ``max_speed`` pixels per frame
        (drawn uniformly), in a direction drawn uniformly.
    random_state : int, RandomState instance or None, default=None
        Determines the digits, positions and velocities. Pass an int for
        reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, n_frames, frame_size, frame_size)
        The sequences of one-channel frames, float32.
    y : ndarray of shape (n_samples, frame_size, frame_size)
        The frame after each sequence, float32.

    Notes
    -----
    Shi et al. use 28x28 MNIST digits in 64x64 frames; numbers published on
    Moving MNIST are not comparable with results on these digits and sizes.

    References
    ----------
    X. Shi, Z. Chen, H. Wang, D.-Y. Yeung, W.-K. Wong and W.-C. Woo,
    "Convolutional LSTM Network: A Machine Learning Approach for Precipitation
    Nowcasting", NeurIPS 2015.

    Examples
    --------
    >>> from skrnn.datasets import make_moving_digits
    >>> X, y = make_moving_digits(5, n_frames=8, frame_size=24, random_state=0)
    >>> X.shape, y.shape, X.dtype
    ((5, 8, 24, 24), (5, 24, 24), dtype('float32'))
    >>> float(X.min()), float(X.max())
    (0.0, 1.0)
    """
    if digit_size % 8:
        raise ValueError(
            f"digit_size must be a multiple of 8 (the digits are 8x8 images), got "
            f"{digit_size} instead."
        )
    if frame_size < digit_size:
        raise ValueError(
            f"frame_size must be at least digit_size={digit_size}, got {frame_size} "
            "instead."
        )
    rng = check_random_state(random_state)
    images = load_digits().images.astype(np.float32) / 16.0
    scale = digit_size // 8
    images = np.kron(images, np.ones((1, scale, scale), dtype=np.float32))

    n_steps = n_frames + 1
    room = frame_size - digit_size  # positions run over [0, room]
    # (n_samples, n_digits): which digit, where it starts, how it moves.
    which = rng.randint(len(images), size=(n_samples, n_digits))
    position = rng.uniform(0, room, size=(n_samples, n_digits, 2))
    angle = rng.uniform(0, 2 * np.pi, size=(n_samples, n_digits))
    speed = rng.uniform(max_speed / 2, max_speed, size=(n_samples, n_digits))
    velocity = np.stack([np.sin(angle), np.cos(angle)], axis=-1) * speed[..., None]

    frames = np.zeros((n_samples, n_steps, frame_size, frame_size), dtype=np.float32)
    for t in range(n_steps):
        corner = np.rint(position).astype(np.intp)
        for s in range(n_samples):
            for d in range(n_digits):
                r, c = corner[s, d]
                window = frames[s, t, r : r + digit_size, c : c + digit_size]
                np.maximum(window, images[which[s, d]], out=window)
        position += velocity
        # Bounce: reflect a position past an edge back inside, and turn around.
        for low_or_high in (position < 0, position > room):
            velocity[low_or_high] *= -1
        position = np.where(position < 0, -position, position)
        position = np.where(position > room, 2 * room - position, position)
        position = np.clip(position, 0, room)
    return frames[:, :n_frames], frames[:, n_frames]
