/* limbs.c: sums of products at the limb level, packed operands, GMP-path products
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

/* ---- one Cauchy sum, at the limb level ------------------------------------------------
 * out = sum_{i<=k} L[i*cols + col] * R[(k-i)*cols + col].  mpz_addmul pays its sign handling
 * and temporaries per product; here each product goes by mpn_mul into a scratch buffer and
 * is added to one of two unsigned accumulators (positive and negative terms), subtracted
 * once at the end: the same integer, about twice as fast at the sizes of the recurrence. */

typedef struct { mp_size_t cap; mp_limb_t *pos, *neg, *tmp; } Scratch;

static int scratch_fit(Scratch *sc, mp_size_t need) {
    if (need <= sc->cap) return 0;
    mp_size_t cap = need * 2;
    mp_limb_t *pos = PyMem_Realloc(sc->pos, sizeof(mp_limb_t) * (size_t)cap);
    if (pos) sc->pos = pos;
    mp_limb_t *neg = PyMem_Realloc(sc->neg, sizeof(mp_limb_t) * (size_t)cap);
    if (neg) sc->neg = neg;
    mp_limb_t *tmp = PyMem_Realloc(sc->tmp, sizeof(mp_limb_t) * (size_t)cap);
    if (tmp) sc->tmp = tmp;
    if (!pos || !neg || !tmp) { PyErr_NoMemory(); return -1; }
    sc->cap = cap;
    return 0;
}

static void scratch_free(Scratch *sc) { PyMem_Free(sc->pos); PyMem_Free(sc->neg); PyMem_Free(sc->tmp); }

#if defined(__SIZEOF_INT128__) && GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0
/* target += a * b for operands of AN and BN limbs known at compile time: the product into
 * registers first (fully unrolled), then one carry chain into the accumulator */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void mac_fixed(mp_limb_t *target, const mp_limb_t *ad, const int an, const mp_limb_t *bd, const int bn) {
    mp_limb_t prod[6];
    for (int x = 0; x < an + bn; x++) prod[x] = 0;
    for (int x = 0; x < an; x++) {
        unsigned __int128 carry = 0;
        for (int y = 0; y < bn; y++) {
            carry += (unsigned __int128)ad[x] * bd[y] + prod[x + y];
            prod[x + y] = (mp_limb_t)carry;
            carry >>= 64;
        }
        prod[x + bn] = (mp_limb_t)carry;
    }
    unsigned __int128 carry = 0;
    for (int x = 0; x < an + bn; x++) {
        carry += (unsigned __int128)target[x] + prod[x];
        target[x] = (mp_limb_t)carry;
        carry >>= 64;
    }
    for (mp_limb_t *z = target + an + bn; carry; z++) {
        carry += *z;
        *z = (mp_limb_t)carry;
        carry >>= 64;
    }
}
#endif

/* target += a * b (unsigned limbs; target has room for the carries) */
static inline void mac(mp_limb_t *target, mp_size_t width, const mp_limb_t *ad, mp_size_t an, const mp_limb_t *bd,
                       mp_size_t bn, mp_limb_t *tmp) {
#if defined(__SIZEOF_INT128__) && GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0
    if (an <= 3 && bn <= 3) { /* the common sizes (values below 2^192): unrolled */
        switch (an * 4 + bn) {
        case 5: mac_fixed(target, ad, 1, bd, 1); return;
        case 6: mac_fixed(target, ad, 1, bd, 2); return;
        case 7: mac_fixed(target, ad, 1, bd, 3); return;
        case 9: mac_fixed(target, ad, 2, bd, 1); return;
        case 10: mac_fixed(target, ad, 2, bd, 2); return;
        case 11: mac_fixed(target, ad, 2, bd, 3); return;
        case 13: mac_fixed(target, ad, 3, bd, 1); return;
        case 14: mac_fixed(target, ad, 3, bd, 2); return;
        case 15: mac_fixed(target, ad, 3, bd, 3); return;
        }
    }
    if (an <= 8 && bn <= 8) { /* small operands: schoolbook straight into the accumulator */
        for (mp_size_t x = 0; x < an; x++) {
            unsigned __int128 carry = 0;
            mp_limb_t ax = ad[x];
            for (mp_size_t y = 0; y < bn; y++) {
                carry += (unsigned __int128)ax * bd[y] + target[x + y];
                target[x + y] = (mp_limb_t)carry;
                carry >>= 64;
            }
            for (mp_size_t z = x + bn; carry; z++) {
                carry += target[z];
                target[z] = (mp_limb_t)carry;
                carry >>= 64;
            }
        }
        return;
    }
#endif
    if (an >= bn) mpn_mul(tmp, ad, an, bd, bn);
    else mpn_mul(tmp, bd, bn, ad, an);
    mpn_add(target, target, width, tmp, an + bn);
}

/* Zeroed accumulators of ``width`` limbs for the positive and the negative terms. */
static int accumulators(Scratch *sc, mp_size_t width) {
    if (scratch_fit(sc, width) < 0) return -1;
    mpn_zero(sc->pos, width);
    mpn_zero(sc->neg, width);
    return 0;
}

/* dst = |floor(±src / 2^sh)| for the magnitude src (n limbs, normalised) of a value of
 * sign ``negative``: a negative quotient rounds towards -inf, one more when bits are
 * dropped.  Returns the quotient's limb count; dst (not src) has room for it and one more. */
static mp_size_t shift_floor(mp_limb_t *dst, const mp_limb_t *src, mp_size_t n, mp_bitcnt_t sh, int negative) {
    mp_size_t skip = (mp_size_t)(sh / GMP_NUMB_BITS);
    unsigned bits = (unsigned)(sh % GMP_NUMB_BITS);
    int lost = 0;
    if (negative) {
        for (mp_size_t i = 0; i < skip && i < n && !lost; i++) lost = src[i] != 0;
        if (!lost && bits && skip < n) lost = (src[skip] & (((mp_limb_t)1 << bits) - 1)) != 0;
    }
    mp_size_t rn = n > skip ? n - skip : 0;
    if (rn) {
        if (bits) mpn_rshift(dst, src + skip, rn, bits);
        else mpn_copyi(dst, src + skip, rn);
        while (rn && !dst[rn - 1]) rn--;
    }
    if (lost) {
        mp_limb_t carry = rn ? mpn_add_1(dst, dst, rn, 1) : 1;
        if (carry) dst[rn++] = carry;
    }
    return rn;
}

/* out = floor(+-src / 2^sh) for the magnitude src (n limbs) of a value of sign ``negative`` */
static void floor_into(mpz_ptr out, const mp_limb_t *src, mp_size_t n, mp_bitcnt_t sh, int negative) {
    mp_size_t skip = (mp_size_t)(sh / GMP_NUMB_BITS);
    mp_limb_t *o = mpz_limbs_write(out, (n > skip ? n - skip : 0) + 1);
    mp_size_t rn = shift_floor(o, src, n, sh, negative);
    mpz_limbs_finish(out, negative ? -rn : rn);
}

/* out = floor((P - N) / 2^sh) for the unsigned accumulators P, N of ``width`` limbs, at
 * the limb level: the same integer as mpz_sub then mpz_fdiv_q_2exp, without their size
 * checks and temporaries (two of the three GMP calls per entry of the Gram product and of
 * the Cauchy sums).  ``tmp``: room for ``width`` limbs, not out's. */
static void floor_difference(mpz_ptr out, const mp_limb_t *P, const mp_limb_t *N, mp_size_t width, mp_bitcnt_t sh,
                             mp_limb_t *tmp) {
    mp_size_t pn = width, nn = width;
    while (pn && !P[pn - 1]) pn--;
    while (nn && !N[nn - 1]) nn--;
    int c = pn != nn ? (pn > nn ? 1 : -1) : mpn_cmp(P, N, pn);
    if (c == 0) { mpz_set_ui(out, 0); return; }
    int negative = c < 0;
    const mp_limb_t *big = negative ? N : P, *small = negative ? P : N;
    mp_size_t bn = negative ? nn : pn, sn = negative ? pn : nn;
    if (sn) mpn_sub(tmp, big, bn, small, sn);
    else mpn_copyi(tmp, big, bn);
    while (!tmp[bn - 1]) bn--; /* the difference is not 0 */
    floor_into(out, tmp, bn, sh, negative);
}

/* out = positive terms − negative terms */
static void difference(mpz_ptr out, Scratch *sc, mp_size_t width, int any_neg) {
    if (!any_neg) {
        mpz_t P;
        mpz_set(out, mpz_roinit_n(P, sc->pos, width));
        return;
    }
    floor_difference(out, sc->pos, sc->neg, width, 0, sc->tmp);
}

/* out = sum_{lo <= i <= hi} L[i, lcol] R[k - i, rcol] (row-major blocks of lcols, rcols columns) */
static int cauchy_sum(mpz_t *L, Py_ssize_t lcols, Py_ssize_t lcol, mpz_t *R, Py_ssize_t rcols, Py_ssize_t rcol,
                      Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t k, mpz_ptr out, Scratch *sc) {
    mp_size_t width = 0;
    for (Py_ssize_t i = lo; i <= hi; i++) {
        mp_size_t an = (mp_size_t)mpz_size(L[i * lcols + lcol]), bn = (mp_size_t)mpz_size(R[(k - i) * rcols + rcol]);
        if (an && bn && an + bn > width) width = an + bn;
    }
    if (width == 0) { mpz_set_ui(out, 0); return 0; }
    width += 1; /* room for the carries of at most 2^64 terms */
    if (accumulators(sc, width) < 0) return -1;
    int any_neg = 0;
    for (Py_ssize_t i = lo; i <= hi; i++) {
        mpz_srcptr a = L[i * lcols + lcol], b = R[(k - i) * rcols + rcol];
        mp_size_t an = (mp_size_t)mpz_size(a), bn = (mp_size_t)mpz_size(b);
        if (!an || !bn) continue;
        const mp_limb_t *ad = mpz_limbs_read(a), *bd = mpz_limbs_read(b);
        int negative = (mpz_sgn(a) < 0) != (mpz_sgn(b) < 0);
        mp_limb_t *target = negative ? sc->neg : sc->pos;
        any_neg |= negative;
        mac(target, width, ad, an, bd, bn, sc->tmp);
    }
    difference(out, sc, width, any_neg);
    return 0;
}

/* The Cauchy operands of the recurrence packed column by column (order after order, each
 * entry its signed limb count and W limbs): the products of one column then read
 * contiguous memory instead of GMP's scattered limb arrays, and no entry costs a GMP
 * allocation.  An entry wider than W limbs turns packing off for the step: the operands
 * spill into mpz blocks and the mpz path takes over (the same integers). */
typedef struct { Py_ssize_t W, rows, cols; mp_limb_t *data; int ok; mp_size_t most; } Packed; /* most: the widest entry set */

static int packed_new(Packed *P, Py_ssize_t W, Py_ssize_t rows, Py_ssize_t cols) {
    P->W = W; P->rows = rows; P->cols = cols; P->ok = 1; P->most = 0;
    P->data = (mp_limb_t *)PyMem_Calloc((size_t)(rows * cols * (W + 1)) + 1, sizeof(mp_limb_t));
    if (P->data == NULL) { PyErr_NoMemory(); return -1; }
    return 0;
}

/* 0, or -1 when z is wider than W limbs (nothing written) */
/* one packed slot (its signed limb count, then the limbs; room for mpz_size(z) of them) */
static inline void slot_write(mp_limb_t *slot, mpz_srcptr z) {
    mp_size_t size = (mp_size_t)mpz_size(z);
    slot[0] = (mp_limb_t)(mpz_sgn(z) < 0 ? -(long)size : (long)size);
    if (size) mpn_copyi(slot + 1, mpz_limbs_read(z), size);
}

/* a packed slot as a read-only mpz (no copy; ``view`` is never cleared) */
static inline mpz_srcptr slot_read(const mp_limb_t *slot, mpz_ptr view) {
    return mpz_roinit_n(view, slot + 1, (mp_size_t)(long)slot[0]);
}

static inline int packed_set(Packed *P, Py_ssize_t row, Py_ssize_t col, mpz_srcptr z) {
    mp_size_t size = (mp_size_t)mpz_size(z);
    if (size > P->W) return -1;
    if (size > P->most) P->most = size;
    slot_write(P->data + (col * P->rows + row) * (P->W + 1), z);
    return 0;
}

static inline mpz_srcptr packed_get(const Packed *P, Py_ssize_t row, Py_ssize_t col, mpz_ptr view) {
    return slot_read(P->data + (col * P->rows + row) * (P->W + 1), view);
}

/* kept out of line: inlined into the recurrence, its inner loop lost registers to it (the
 * carry went through the stack: B1 at 100 digits 12 % slower) */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int cauchy_packed(const Packed *PL, Py_ssize_t lcol, const Packed *PR, Py_ssize_t rcol, Py_ssize_t lo,
                         Py_ssize_t hi, Py_ssize_t k, mpz_ptr out, Scratch *sc) {
    Py_ssize_t stride = PL->W + 1; /* PR->W is the same */
    const mp_limb_t *lc = PL->data + lcol * PL->rows * stride, *rc = PR->data + rcol * PR->rows * stride;
    mp_size_t width = 2 * PL->W + 2;
    if (accumulators(sc, width) < 0) return -1;
    int any = 0, any_neg = 0;
    for (Py_ssize_t i = lo; i <= hi; i++) {
        const mp_limb_t *a = lc + i * stride, *b = rc + (k - i) * stride;
        long sa = (long)a[0], sb = (long)b[0];
        if (!sa || !sb) continue;
        int negative = (sa < 0) != (sb < 0);
        any = 1;
        any_neg |= negative;
        mac(negative ? sc->neg : sc->pos, width, a + 1, sa < 0 ? -sa : sa, b + 1, sb < 0 ? -sb : sb, sc->tmp);
    }
    if (!any) { mpz_set_ui(out, 0); return 0; }
    difference(out, sc, width, any_neg);
    return 0;
}

/* A fixed integer matrix M (len x cols, entries below 2^192) for row_lanes: the digits of
 * M + 2^BIAS, [x][digit][l], l padded to whole vectors of eight; d NULL when not made. */
typedef struct { Py_ssize_t len, cols, npad; uint64_t *d; } Digits;

/* out[l] = (sum_{x < len} row[x] * M[x*sx + l*sl]) >> F for l < cols: the products at the
 * limb level into one pair of accumulators per column (as cauchy_sum), the same integers
 * as mpz_addmul.  ``mmax``: the most limbs of an entry of M. */
static int row_times(mpz_t *row, Py_ssize_t len, mpz_t *M, Py_ssize_t cols, Py_ssize_t sx, Py_ssize_t sl,
                     mp_size_t mmax, mpz_t *out, mp_bitcnt_t F, Scratch *sc) {
    mp_size_t amax = most_limbs(row, len);
    if (amax == 0 || mmax == 0) {
        for (Py_ssize_t l = 0; l < cols; l++) mpz_set_ui(out[l], 0);
        return 0;
    }
    mp_size_t width = amax + mmax + 1; /* room for the carries of at most 2^64 terms */
    if (accumulators(sc, cols * width) < 0) return -1;
    for (Py_ssize_t x = 0; x < len; x++) {
        mp_size_t an = (mp_size_t)mpz_size(row[x]);
        if (!an) continue;
        const mp_limb_t *ad = mpz_limbs_read(row[x]);
        int sa = mpz_sgn(row[x]) < 0;
        for (Py_ssize_t l = 0; l < cols; l++) {
            mpz_srcptr mx = M[x * sx + l * sl];
            mp_size_t mn = (mp_size_t)mpz_size(mx);
            if (!mn) continue;
            mp_limb_t *target = (sa != (mpz_sgn(mx) < 0) ? sc->neg : sc->pos) + l * width;
            mac(target, width, ad, an, mpz_limbs_read(mx), mn, sc->tmp);
        }
    }
    for (Py_ssize_t l = 0; l < cols; l++)
        floor_difference(out[l], sc->pos + l * width, sc->neg + l * width, width, F, sc->tmp);
    return 0;
}
