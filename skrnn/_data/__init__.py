"""The data model: the in-memory forms a batch of sequences can take.

Below both ``skrnn.utils.validation`` (which validates user input into these forms)
and ``skrnn.preprocessing`` (whose transformers produce and consume them). Equal-length
sequences are plain 3-D arrays; windows over one series are
:class:`~skrnn.preprocessing.WindowedSeries`; sequences of different lengths are
:class:`RaggedSequences`.
"""

from ._ragged import RaggedSequences, from_nan_padded, is_ragged, to_nan_padded

__all__ = ["RaggedSequences", "from_nan_padded", "is_ragged", "to_nan_padded"]
