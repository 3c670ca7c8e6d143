"""Property tests: the orthogonal-inputs claims on random instances of the paper's
assumptions (Hypothesis, ``reluflow.strategies``).  Small sizes in the ``dev``/``ci``
profiles, larger ones in ``thorough``; every counterexample ever found is pinned with
``@example``."""

from __future__ import annotations

from fractions import Fraction
from fractions import Fraction as Fr

from hypothesis import example, given, settings
from hypothesis import strategies as st

from reluflow import Dataset, Init, Problem
from reluflow.claims import Verdict, run
from reluflow.strategies import orthogonal_problems

THOROUGH = settings.get_current_profile_name() == "thorough"
MAX_N, MAX_WIDTH = (5, 8) if THOROUGH else (3, 4)

# claims that hold at one finite λ (exact statements, orders, sets); the limit claims are
# trends along λ ladders and are checked on the fixtures (tests/test_claims_orthogonal.py)
AT_ONE_LAMBDA = ["O1", "O2", "O5", "O6", "O7", "O13", "O19", "O21"]

# found by Hypothesis: after shedding its wrong-sign point each neuron points exactly along
# D_j (so C_j = 0 and O6 divided by zero), and the random interpolators include one that
# attains the R10 bound exactly (an Arb ball around 0 left O19 undecided)
# found by Hypothesis (thorough profile): a small final rate μ_+ (norms 1/2 and 2 in one class)
# makes the fit take longer than the engine's generic default horizon, so O13 "failed" at
# t_end; the claims now run to the theory's horizon (Prediction.fit_time)
SLOW_RATE = Problem(
    Dataset([[Fr(1, 2), 0, 0, 0], [0, 2, 0, 0], [0, 0, 2, 0], [0, 0, 0, 2]], [Fr(1, 2), 2, -2, -2]),
    Init("1e-30", [[1, 1, Fr(1, 16), Fr(1, 16)], [Fr(1, 16), Fr(1, 16), 1, 1]], [1, -1]),
)
# found by Hypothesis (thorough profile): a neuron sheds its last wrong-sign point only at t ≈ 12,
# so at λ = 1e-3 the O(λ²) corrections λ²e^{2 max‖D‖t/n} were still O(1) and O5's slope looked
# like 1.4; the early-phase ladders now start where t lies inside the R3 window
LATE_SWITCH = Problem(
    data=Dataset(
        X=(
            (
                Fraction(-6845, 35386),
                Fraction(204, 1361),
                Fraction(-3136, 17693),
                Fraction(1764, 17693),
                Fraction(-6748, 17693),
                Fraction(-1016, 17693),
            ),
            (
                Fraction(-17010, 17693),
                Fraction(-1463, 5444),
                Fraction(-18662, 17693),
                Fraction(-4984, 17693),
                Fraction(15134, 17693),
                Fraction(-6678, 17693),
            ),
            (
                Fraction(-4144, 17693),
                Fraction(350, 1361),
                Fraction(5565, 70772),
                Fraction(28245, 17693),
                Fraction(9905, 17693),
                Fraction(4795, 17693),
            ),
            (
                Fraction(-3850, 17693),
                Fraction(-1560, 1361),
                Fraction(1965, 17693),
                Fraction(17695, 70772),
                Fraction(-6040, 17693),
                Fraction(1765, 17693),
            ),
            (
                Fraction(2140, 17693),
                Fraction(-52, 1361),
                Fraction(746, 17693),
                Fraction(1792, 17693),
                Fraction(51, 35386),
                Fraction(-8334, 17693),
            ),
        ),
        y=(Fraction(-3, 2), Fraction(-7, 4), Fraction(-7, 4), Fraction(5, 4), Fraction(-1, 2)),
    ),
    init=Init(
        lam=Fraction(1, 1000000000000000000000000000000),
        z=(
            (
                Fraction(-103301, 141544),
                Fraction(1345, 10888),
                Fraction(-124459, 141544),
                Fraction(159579, 141544),
                Fraction(-3323, 17693),
                Fraction(-155101, 141544),
            ),
            (
                Fraction(-9707, 141544),
                Fraction(-10413, 10888),
                Fraction(-5087, 141544),
                Fraction(16781, 283088),
                Fraction(-41165, 283088),
                Fraction(383, 141544),
            ),
            (
                Fraction(150779, 141544),
                Fraction(1217, 5444),
                Fraction(6777, 70772),
                Fraction(-85031, 141544),
                Fraction(-98793, 141544),
                Fraction(-225379, 283088),
            ),
            (
                Fraction(-651, 5444),
                Fraction(-799, 2722),
                Fraction(-1909, 10888),
                Fraction(-1393, 10888),
                Fraction(-12213, 10888),
                Fraction(4765, 5444),
            ),
        ),
        s=(-1, 1, 1, -1),
    ),
)
# found by Hypothesis: two points of a class with equal norms keep the orbit in an invariant
# subspace of J_+, so its smallest eigenvalue is never excited (observed slope −0.4589 to 1e-80,
# not −2λ_min(J_+) = −0.3745); μ_± is now the smallest eigenvalue on that subspace (R8)
EQUAL_NORMS = Problem(
    data=Dataset(
        X=(
            (
                Fraction(-23, 2135),
                Fraction(-42288, 66185),
                Fraction(-5632, 66185),
                Fraction(32552, 66185),
                Fraction(9928, 66185),
                Fraction(-7488, 13237),
            ),
            (
                Fraction(4, 5),
                Fraction(-349, 620),
                Fraction(36, 155),
                Fraction(94, 155),
                Fraction(66, 155),
                Fraction(38, 31),
            ),
            (
                Fraction(48, 2135),
                Fraction(-24252, 66185),
                Fraction(-62427, 264740),
                Fraction(-11682, 66185),
                Fraction(-37428, 66185),
                Fraction(1926, 13237),
            ),
            (
                Fraction(-422, 305),
                Fraction(-5622, 9455),
                Fraction(-298, 9455),
                Fraction(-11913, 37820),
                Fraction(5602, 9455),
                Fraction(1108, 1891),
            ),
            (
                Fraction(486, 2135),
                Fraction(-18174, 66185),
                Fraction(24324, 66185),
                Fraction(-33414, 66185),
                Fraction(40581, 264740),
                Fraction(-1956, 13237),
            ),
        ),
        y=(Fraction(1, 1), Fraction(1, 1), Fraction(1, 2), Fraction(-7, 4), Fraction(3, 4)),
    ),
    init=Init(
        lam=Fraction(1, 1000000000000000000000000000000),
        z=(
            (
                Fraction(23151, 34160),
                Fraction(-962307, 529480),
                Fraction(90827, 529480),
                Fraction(-195729, 1058960),
                Fraction(-17816, 66185),
                Fraction(1651, 13237),
            ),
            (
                Fraction(-33601, 34160),
                Fraction(-131343, 529480),
                Fraction(7761, 1058960),
                Fraction(-106053, 529480),
                Fraction(368481, 1058960),
                Fraction(69133, 211792),
            ),
        ),
        s=(1, -1),
    ),
)
# found by Hypothesis: equal norms again, and a partial neuron on one of the two points breaks
# the symmetry at amplitude λ^0.109, so at λ = 1e-30 the slower left-out mode takes over below
# L ≈ 1e-16 (slope −0.323, not −0.634); O14 now fits each class at a λ where that level lies
# below its window (here 1e-58), from Prediction.tail_exponent
BROKEN_SYMMETRY = Problem(
    data=Dataset(
        X=(
            (Fraction(257, 3298), Fraction(22, 1649), Fraction(488, 1649), Fraction(-636, 1649), Fraction(142, 1649)),
            (Fraction(1855, 1649), Fraction(-45, 6596), Fraction(500, 1649), Fraction(700, 1649), Fraction(-260, 1649)),
            (
                Fraction(-532, 1649),
                Fraction(-1708, 1649),
                Fraction(4809, 6596),
                Fraction(1106, 1649),
                Fraction(1568, 1649),
            ),
            (
                Fraction(292, 1649),
                Fraction(-104, 1649),
                Fraction(-508, 1649),
                Fraction(-433, 3298),
                Fraction(528, 1649),
            ),
            (Fraction(-66, 1649), Fraction(656, 1649), Fraction(160, 1649), Fraction(224, 1649), Fraction(823, 3298)),
        ),
        y=(Fraction(2, 1), Fraction(1, 2), Fraction(-3, 4), Fraction(-1, 1), Fraction(-5, 4)),
    ),
    init=Init(
        lam=Fraction(1, 1000000000000000000000000000000),
        z=(
            (Fraction(269, 1552), Fraction(77, 776), Fraction(215, 1552), Fraction(689, 1552), Fraction(2643, 1552)),
            (
                Fraction(1079, 6596),
                Fraction(-181, 6596),
                Fraction(2731, 6596),
                Fraction(721, 13192),
                Fraction(1711, 13192),
            ),
            (
                Fraction(14265, 13192),
                Fraction(207, 26384),
                Fraction(13539, 13192),
                Fraction(-11231, 26384),
                Fraction(3135, 26384),
            ),
            (
                Fraction(921, 6596),
                Fraction(-769, 13192),
                Fraction(1515, 6596),
                Fraction(-705, 13192),
                Fraction(4031, 13192),
            ),
        ),
        s=(-1, -1, 1, 1),
    ),
)
# found by Hypothesis: a partial neuron with coverage 0.993 is still of size λ^0.007 at λ = 1e-30,
# takes part in the final linear dynamics and shifts the rate by 2 % (0.24 % at 1e-90); O14
# now also takes λ small enough that λ^q ≤ 1e-3 (q = limit_exponent; here λ = 1e-211)
LARGE_PARTIAL = Problem(
    data=Dataset(
        X=(
            (Fraction(-187, 1698), Fraction(-116, 849), Fraction(-63, 283), Fraction(72, 283), Fraction(-275, 849)),
            (Fraction(-356, 849), Fraction(2381, 1698), Fraction(-28, 283), Fraction(32, 283), Fraction(-248, 849)),
            (Fraction(323, 849), Fraction(92, 849), Fraction(-105, 566), Fraction(60, 283), Fraction(101, 849)),
            (
                Fraction(-2080, 2547),
                Fraction(-256, 2547),
                Fraction(-1232, 849),
                Fraction(-290, 849),
                Fraction(2672, 2547),
            ),
            (Fraction(455, 1698), Fraction(28, 849), Fraction(-155, 566), Fraction(-154, 283), Fraction(-1169, 3396)),
        ),
        y=(Fraction(-3, 2), Fraction(2, 1), Fraction(7, 4), Fraction(-3, 4), Fraction(1, 2)),
    ),
    init=Init(
        lam=Fraction(1, 1000000000000000000000000000000),
        z=(
            (
                Fraction(-3517, 20376),
                Fraction(9089, 20376),
                Fraction(-1097, 6792),
                Fraction(-1435, 3396),
                Fraction(-9467, 10188),
            ),
            (
                Fraction(320, 2547),
                Fraction(15793, 20376),
                Fraction(575, 1698),
                Fraction(-2891, 3396),
                Fraction(-2309, 20376),
            ),
            (
                Fraction(34991, 40752),
                Fraction(27349, 20376),
                Fraction(-12797, 13584),
                Fraction(-2269, 6792),
                Fraction(-7673, 20376),
            ),
            (
                Fraction(-1613, 2264),
                Fraction(-1307, 4528),
                Fraction(-1149, 1132),
                Fraction(807, 2264),
                Fraction(-915, 4528),
            ),
            (
                Fraction(-373, 10188),
                Fraction(-10319, 20376),
                Fraction(1439, 6792),
                Fraction(2843, 6792),
                Fraction(-1847, 5094),
            ),
            (
                Fraction(1799, 3396),
                Fraction(2389, 6792),
                Fraction(407, 2264),
                Fraction(3133, 2264),
                Fraction(-3551, 6792),
            ),
            (
                Fraction(59, 5094),
                Fraction(2711, 5094),
                Fraction(-1937, 6792),
                Fraction(4139, 3396),
                Fraction(5491, 10188),
            ),
        ),
        s=(1, 1, 1, -1, -1, -1, 1),
    ),
)
# found by Hypothesis (the same family; pytest cut the data from its report, so this is a member
# that fails the same way): late switches move the early ladder to λ ≈ 1e-44, where the O(λ²)
# errors (~1e-85) were compared with switch times predicted at 30 digits (O5 slope ≈ 0); O4/O5
# now use the prediction at each run's precision
DEEP_LADDER = Problem(
    Dataset([[2, 0, 0], [0, Fr(1, 2), 0], [0, 0, Fr(1, 2)]], [-2, Fr(1, 2), Fr(1, 2)]),
    Init(
        "1e-30",
        [
            [Fr(1, 16), 1, 1],
            [1, Fr(1, 16), Fr(1, 16)],
            [Fr(1, 8)] * 3,
            [Fr(1, 8)] * 3,
            [Fr(1, 8)] * 3,
            [Fr(-1, 8), Fr(3, 4), Fr(1, 8)],
        ],
        [1, -1, 1, 1, 1, -1],
    ),
)
PARALLEL = Problem(
    Dataset([[Fr(75, 68), Fr(-10, 17)], [Fr(12, 17), Fr(45, 34)]], [Fr(1, 2), Fr(-2)]),
    Init("1e-30", [[Fr(151, 272), Fr(247, 272)], [Fr(31, 34), Fr(-113, 272)]], [-1, 1]),
)


def _verdicts(problem, ids):
    return {r.id: (r.verdict, r.detail) for r in run("orthogonal", problem=problem, ids=ids)}


@settings(max_examples=8 if not THOROUGH else 100)
@given(orthogonal_problems(max_n=MAX_N, max_width=MAX_WIDTH, extra_dims=(0, 1), coverage=True, min_rate_ratio=1.25))
@example(PARALLEL)
@example(SLOW_RATE)
@example(LATE_SWITCH)
@example(DEEP_LADDER)
def test_claims_hold_on_random_covered_instances(problem):
    res = _verdicts(problem, AT_ONE_LAMBDA)
    bad = {k: v for k, v in res.items() if v[0] is not Verdict.PASS}
    assert not bad, bad


@settings(max_examples=5 if not THOROUGH else 50)
@given(orthogonal_problems(max_n=MAX_N, max_width=MAX_WIDTH, coverage=True, min_rate_ratio=1.25))
@example(EQUAL_NORMS)
@example(BROKEN_SYMMETRY)
@example(LARGE_PARTIAL)
def test_final_rates_on_random_covered_instances(problem):
    """O14: after its jump each class's loss decays like e^{−2μ_± t} (R8)."""
    ((verdict, detail),) = _verdicts(problem, ["O14"]).values()
    assert verdict is Verdict.PASS, detail


@settings(max_examples=5 if not THOROUGH else 50)
@given(orthogonal_problems(min_n=2, max_n=MAX_N, max_width=MAX_WIDTH, coverage=False), st.just(None))
def test_claims_that_need_a3_say_so_on_uncovered_instances(problem, _):
    res = _verdicts(problem, ["O13", "O16"])
    assert all(v is Verdict.INCONCLUSIVE and "A3" in d for v, d in res.values()), res
