/* sums.c: one order's Cauchy sums and their consumers in fixed width, scalar or in lanes
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

#ifdef FIXED3
/* Where one order's Cauchy sums come from: the packed operands one pair at a time, or
 * their lanes eight pairs at a time.  Kinds: (a u), (a r), (r u) of each pair. */
enum { SUM_AU, SUM_AR, SUM_RU };
typedef struct {
    const Packed *A, *R, *U;
    const Py_ssize_t *aj, *ak;
    Py_ssize_t na;
#ifdef LANES
    Lanes *lanes; /* [a, r, u] per pair, or NULL */
#endif
} Sums;

/* x[lane] = the kind's sum of order k (all terms t = 0..k) for the pairs 8b .. 8b+7 below na */
static void block_sums(const Sums *S, int kind, Py_ssize_t b, Py_ssize_t k, mp_limb_t x[8][XL]) {
#ifdef LANES
    if (S->lanes != NULL) {
        const Lanes *L = S->lanes;
        lanes_sum(kind == SUM_RU ? L + 1 : L, kind == SUM_AU ? L + 2 : kind == SUM_AR ? L + 1 : L + 2, k, 8 * b, x);
        return;
    }
#endif
    for (Py_ssize_t lane = 0; lane < 8 && 8 * b + lane < S->na; lane++) {
        Py_ssize_t i = 8 * b + lane;
        if (kind == SUM_AU) fixed_sum(S->A, S->aj[i], S->U, i, 0, k, k, x[lane]);
        else if (kind == SUM_AR) fixed_sum(S->A, S->aj[i], S->R, S->ak[i], 0, k, k, x[lane]);
        else fixed_sum(S->R, S->ak[i], S->U, i, 0, k, k, x[lane]);
    }
}

/* r_k[l] = -(sum over the pairs i at point l of (a u)_k >> hshift_i) (+ y_l at k = 0), the
 * recurrence's residual order; ``wide``: room for n RL-limb sums */
static void fixed_residual(const Sums *S, const unsigned long *hshift, Py_ssize_t n, Py_ssize_t k, mpz_t *rk, mpz_t *y,
                           mp_limb_t *wide) {
    mp_limb_t x[8][XL];
    memset(wide, 0, sizeof(mp_limb_t) * (size_t)(n * RL));
    for (Py_ssize_t b = 0; 8 * b < S->na; b++) {
        block_sums(S, SUM_AU, b, k, x);
        for (Py_ssize_t i = 8 * b; i < 8 * b + 8 && i < S->na; i++) add_shifted(wide + S->ak[i] * RL, x[i - 8 * b], hshift[i]);
    }
    for (Py_ssize_t l = 0; l < n; l++) {
        twos_to_mpz(rk[l], wide + l * RL, RL);
        mpz_neg(rk[l], rk[l]);
        if (k == 0) mpz_add(rk[l], rk[l], y[l]);
    }
}

/* a_{k+1}[j] = (sum over the pairs of neuron j of (r u)_k) c >> sh and C_{k+1} = (a r)_k c >> sh
 * per pair (sh = 2F), r_k known; ``wide``: room for m RL-limb sums */
static int fixed_next(const Sums *S, Py_ssize_t m, Py_ssize_t n, Py_ssize_t k, mpz_srcptr c, mp_bitcnt_t sh,
                      mpz_t *anext, mpz_t *Cn, int ortho, mp_limb_t *wide, Scratch *sc) {
    mp_limb_t x[8][XL];
    const Py_ssize_t *aj = S->aj, *ak = S->ak;
    memset(wide, 0, sizeof(mp_limb_t) * (size_t)(m * RL));
    for (Py_ssize_t b = 0; 8 * b < S->na; b++) {
        block_sums(S, SUM_RU, b, k, x);
        for (Py_ssize_t i = 8 * b; i < 8 * b + 8 && i < S->na; i++) add_wide(wide + aj[i] * RL, x[i - 8 * b]);
        block_sums(S, SUM_AR, b, k, x);
        for (Py_ssize_t i = 8 * b; i < 8 * b + 8 && i < S->na; i++)
            if (floor_times(ortho ? Cn[i] : Cn[aj[i] * n + ak[i]], x[i - 8 * b], XL, c, sh, sc) < 0) return -1;
    }
    for (Py_ssize_t j = 0; j < m; j++)
        if (floor_times(anext[j], wide + j * RL, RL, c, sh, sc) < 0) return -1;
    return 0;
}
#endif
