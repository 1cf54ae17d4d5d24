"""The recurrent cells skrnn's estimators offer (the CLI reads them without torch)."""

CELLS = ("lstm", "gru", "rnn")
