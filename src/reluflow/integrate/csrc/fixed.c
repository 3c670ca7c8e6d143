/* fixed.c: one order's sums in fixed-width two's complement (entries of up to three limbs)
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

#if defined(__SIZEOF_INT128__) && GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0
/* ---- the recurrence's sums in fixed width ------------------------------------------------
 * While every Cauchy operand has at most three limbs (30-digit runs: F = 146 bits), one
 * order's per-pair arithmetic runs on fixed-width two's complement integers instead of
 * GMP's: each Cauchy sum in six signed 128-bit column sums (no sign-split accumulators, no
 * carry chain per product), then (a u)_k >> hshift summed per point, (r u)_k per neuron
 * and (a r)_k times c, each written to an mpz once.  A generic run spent ~15 GMP calls per
 * pair and order here (most of the recurrence's time at low orders, where the sums are
 * short).  Exact integers throughout, floor shifts included: the same results as the
 * GMP path (tests/test_kernel.py), which stays the path of wider entries. */
#define FIXED3 1
#define XL 7 /* the limbs of one Cauchy sum: products < 2^384, at most 2^63 terms */
#define RL 8 /* ... of a sum of such sums (per point or neuron), shifted or not */
typedef __int128 i128;
typedef unsigned __int128 u128;

/* x = sum_{lo <= i <= hi} X[i, xc] Y[k - i, yc] as XL limbs of two's complement, for packed
 * operands whose entries have at most three limbs (zero-padded slots of W >= 3 limbs) */
static void fixed_sum(const Packed *PX, Py_ssize_t xc, const Packed *PY, Py_ssize_t yc, Py_ssize_t lo,
                      Py_ssize_t hi, Py_ssize_t k, mp_limb_t *x) {
    Py_ssize_t stride = PX->W + 1; /* PY->W is the same */
    const mp_limb_t *xs = PX->data + xc * PX->rows * stride, *ys = PY->data + yc * PY->rows * stride;
    i128 c0 = 0, c1 = 0, c2 = 0, c3 = 0, c4 = 0, c5 = 0;
    for (Py_ssize_t i = lo; i <= hi; i++) {
        const mp_limb_t *a = xs + i * stride, *b = ys + (k - i) * stride;
        long sa = (long)a[0], sb = (long)b[0];
        if (!sa || !sb) continue;
        long an = sa < 0 ? -sa : sa, bn = sb < 0 ? -sb : sb;
        i128 q0, q1, q2, q3, q4, q5;
        if (an == 3 && bn == 3) {
            u128 p00 = (u128)a[1] * b[1], p01 = (u128)a[1] * b[2], p02 = (u128)a[1] * b[3];
            u128 p10 = (u128)a[2] * b[1], p11 = (u128)a[2] * b[2], p12 = (u128)a[2] * b[3];
            u128 p20 = (u128)a[3] * b[1], p21 = (u128)a[3] * b[2], p22 = (u128)a[3] * b[3];
            /* the product's limb columns (each below 2^67) */
            q0 = (mp_limb_t)p00;
            q1 = (i128)(mp_limb_t)(p00 >> 64) + (mp_limb_t)p01 + (mp_limb_t)p10;
            q2 = (i128)(mp_limb_t)(p01 >> 64) + (mp_limb_t)(p10 >> 64) + (mp_limb_t)p02 + (mp_limb_t)p11 + (mp_limb_t)p20;
            q3 = (i128)(mp_limb_t)(p02 >> 64) + (mp_limb_t)(p11 >> 64) + (mp_limb_t)(p20 >> 64) + (mp_limb_t)p12 +
                 (mp_limb_t)p21;
            q4 = (i128)(mp_limb_t)(p12 >> 64) + (mp_limb_t)(p21 >> 64) + (mp_limb_t)p22;
            q5 = (mp_limb_t)(p22 >> 64);
        } else if (an <= 2 && bn <= 2) { /* two limbs each (or fewer, zero-padded) */
            u128 p00 = (u128)a[1] * b[1], p01 = (u128)a[1] * b[2], p10 = (u128)a[2] * b[1], p11 = (u128)a[2] * b[2];
            q0 = (mp_limb_t)p00;
            q1 = (i128)(mp_limb_t)(p00 >> 64) + (mp_limb_t)p01 + (mp_limb_t)p10;
            q2 = (i128)(mp_limb_t)(p01 >> 64) + (mp_limb_t)(p10 >> 64) + (mp_limb_t)p11;
            q3 = (mp_limb_t)(p11 >> 64);
            q4 = q5 = 0;
        } else { /* three limbs by two (or fewer) */
            const mp_limb_t *t = an == 3 ? a : b, *s = an == 3 ? b : a;
            u128 p00 = (u128)t[1] * s[1], p01 = (u128)t[1] * s[2], p10 = (u128)t[2] * s[1];
            u128 p11 = (u128)t[2] * s[2], p20 = (u128)t[3] * s[1], p21 = (u128)t[3] * s[2];
            q0 = (mp_limb_t)p00;
            q1 = (i128)(mp_limb_t)(p00 >> 64) + (mp_limb_t)p01 + (mp_limb_t)p10;
            q2 = (i128)(mp_limb_t)(p01 >> 64) + (mp_limb_t)(p10 >> 64) + (mp_limb_t)p11 + (mp_limb_t)p20;
            q3 = (i128)(mp_limb_t)(p11 >> 64) + (mp_limb_t)(p20 >> 64) + (mp_limb_t)p21;
            q4 = (mp_limb_t)(p21 >> 64);
            q5 = 0;
        }
        if ((sa ^ sb) < 0) { c0 -= q0; c1 -= q1; c2 -= q2; c3 -= q3; c4 -= q4; c5 -= q5; }
        else { c0 += q0; c1 += q1; c2 += q2; c3 += q3; c4 += q4; c5 += q5; }
    }
    i128 cols[6] = {c0, c1, c2, c3, c4, c5}, carry = 0;
    for (int c = 0; c < 6; c++) {
        carry += cols[c];
        x[c] = (mp_limb_t)carry;
        carry >>= 64; /* arithmetic: floor */
    }
    x[6] = (mp_limb_t)carry;
}

/* acc (RL limbs) += floor(x / 2^sh) for x of XL limbs, both two's complement */
static void add_shifted(mp_limb_t *acc, const mp_limb_t *x, unsigned long sh) {
    mp_limb_t sign = (mp_limb_t)((long)x[XL - 1] >> 63);
    unsigned long q = sh / 64, s = sh % 64;
    u128 carry = 0;
    for (unsigned long i = 0; i < RL; i++) {
        mp_limb_t lo = i + q < XL ? x[i + q] : sign, hi = i + q + 1 < XL ? x[i + q + 1] : sign;
        mp_limb_t y = s ? (lo >> s) | (hi << (64 - s)) : lo;
        carry += (u128)acc[i] + y;
        acc[i] = (mp_limb_t)carry;
        carry >>= 64;
    }
}

/* acc (RL limbs) += x (XL limbs), two's complement */
static void add_wide(mp_limb_t *acc, const mp_limb_t *x) {
    mp_limb_t sign = (mp_limb_t)((long)x[XL - 1] >> 63);
    u128 carry = 0;
    for (int i = 0; i < RL; i++) {
        carry += (u128)acc[i] + (i < XL ? x[i] : sign);
        acc[i] = (mp_limb_t)carry;
        carry >>= 64;
    }
}

/* the magnitude of x (len limbs, two's complement) into mag; its sign; mag's limb count */
static mp_size_t magnitude(mp_limb_t *mag, const mp_limb_t *x, int len, int *negative) {
    *negative = (long)x[len - 1] < 0;
    if (*negative) {
        u128 carry = 1;
        for (int i = 0; i < len; i++) {
            carry += (mp_limb_t)~x[i];
            mag[i] = (mp_limb_t)carry;
            carry >>= 64;
        }
    } else
        for (int i = 0; i < len; i++) mag[i] = x[i];
    mp_size_t n = len;
    while (n && !mag[n - 1]) n--;
    return n;
}

/* o[0..n) = mag[0..n) for n <= RL, unrolled (a loop here compiled to rep movsq, slow to
 * start for a few limbs) */
static inline void copy_limbs(mp_limb_t *o, const mp_limb_t *mag, mp_size_t n) {
    switch (n) {
    case 8: o[7] = mag[7]; /* fall through */
    case 7: o[6] = mag[6]; /* fall through */
    case 6: o[5] = mag[5]; /* fall through */
    case 5: o[4] = mag[4]; /* fall through */
    case 4: o[3] = mag[3]; /* fall through */
    case 3: o[2] = mag[2]; /* fall through */
    case 2: o[1] = mag[1]; /* fall through */
    case 1: o[0] = mag[0]; /* fall through */
    default: break;
    }
}

/* out = x, for x of len <= RL limbs of two's complement */
static void twos_to_mpz(mpz_ptr out, const mp_limb_t *x, int len) {
    mp_limb_t mag[RL];
    int negative;
    mp_size_t n = magnitude(mag, x, len, &negative);
    mp_limb_t *o = mpz_limbs_write(out, n ? n : 1);
    copy_limbs(o, mag, n);
    mpz_limbs_finish(out, negative ? -n : n);
}

/* out = floor(x * c / 2^sh) for x of len <= RL limbs of two's complement and c >= 0
 * (the recurrence's a_{k+1} and C_{k+1}: the same integer as mpz_mul then mpz_fdiv_q_2exp) */
static int floor_times(mpz_ptr out, const mp_limb_t *x, int len, mpz_srcptr c, mp_bitcnt_t sh, Scratch *sc) {
    mp_limb_t mag[RL];
    int negative;
    mp_size_t xn = magnitude(mag, x, len, &negative), cn = (mp_size_t)mpz_size(c);
    if (xn == 0 || cn == 0) { mpz_set_ui(out, 0); return 0; }
    if (scratch_fit(sc, xn + cn + 1) < 0) return -1;
    const mp_limb_t *cd = mpz_limbs_read(c);
    if (xn >= cn) mpn_mul(sc->tmp, mag, xn, cd, cn);
    else mpn_mul(sc->tmp, cd, cn, mag, xn);
    floor_into(out, sc->tmp, xn + cn, sh, negative);
    return 0;
}
#endif /* FIXED3 */
