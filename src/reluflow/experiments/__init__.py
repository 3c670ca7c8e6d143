"""The gradient-descent experiments of Chistikov, Englert & Lazić (2023): data, a
vectorised float64 GD engine (NumPy or PyTorch), the paper's metrics, the trial protocol
and its tables (spec ``single_neuron.md`` §6)."""
