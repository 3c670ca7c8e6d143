"""What a user can ask for, in one place: the bounds every entry point checks, and why.

A bound exists so that bad or extreme input ends in a clear :class:`~reluflow.problem.ProblemError`
within a second, instead of a hang or an out-of-memory crash: an exact 10^(10^9) would take
gigabytes to build, a width of 10^9 asks NumPy for tens of GiB, and 10^6 digits would take
days.  Each bound is far beyond what the papers' experiments need.

>>> MAX_EXPONENT, MIN_LAMBDA_EXPONENT, MAX_DPS
(100000, -100000, 2000)
"""

from __future__ import annotations

__all__ = [
    "DATA_EXPONENT",
    "MAX_DPS",
    "MAX_ENTRIES",
    "MAX_EXPONENT",
    "MAX_LAMBDA_EXPONENT",
    "MAX_NESTING",
    "MAX_PAIRS",
    "MAX_SEED_BITS",
    "MAX_SIGNIFICANT",
    "MAX_SPEC_BYTES",
    "MAX_STEPS",
    "MAX_WIDTH",
    "MAX_WORKERS",
    "MIN_LAMBDA_EXPONENT",
    "WARN_DPS",
]

# numbers
MAX_EXPONENT = 100_000  # |decimal exponent| of any number read (an exact 10^e has e digits)
MAX_SIGNIFICANT = 1_000  # significant digits of one number (each side of p/q)
MIN_LAMBDA_EXPONENT = -MAX_EXPONENT  # λ ≥ 1e-100000: the cost grows with ln(1/λ) (about 4 min there)
MAX_LAMBDA_EXPONENT = 0  # λ ≤ 1: the papers' regime is λ → 0; at λ = 1e3 the first step alone takes minutes
DATA_EXPONENT = 100  # data, labels, teacher and directions: every non-zero entry in [1e-100, 1e100]

# sizes
MAX_WIDTH = 10_000  # neurons m
MAX_ENTRIES = 100_000  # entries of X (n·d) and of z (m·d): n = d = 316 is far beyond an exact flow's reach
MAX_PAIRS = 1_000_000  # neuron–point pairs m·n (the engine keeps one jet per pair)
MAX_SEED_BITS = 128  # numpy.random.default_rng takes any integer; 128 bits are plenty
MAX_WORKERS = 1_024  # processes for a GD sweep's cells (each holds one cell's batch)

# precision and work
MAX_DPS = 2_000  # working precision, decimal digits (a step costs about dps² … dps^2.5)
WARN_DPS = 200  # above this, the CLI says the expected cost before starting
MAX_STEPS = 10_000_000  # a user's max_steps

# files
MAX_SPEC_BYTES = 4 * 2**20  # a SPEC or GRID file read whole (MAX_ENTRIES numbers take about 2 MiB)
MAX_NESTING = 64  # lists in lists: a SPEC needs 2 (X), a trajectory a few more
