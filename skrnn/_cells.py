"""The recurrent cells skrnn's estimators offer (light: the CLI reads it without torch)."""

CELLS = ("lstm", "gru", "rnn")
