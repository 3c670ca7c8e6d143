/* horner.c: a step's end state: Horner on the Series
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

/* acc = ((acc * s) >> F) + c at the limb level, acc a slot (its signed limb count, then
 * its limbs, room for ``room`` of them), c given by its limbs and sign: the same integer as
 * mpz_mul, mpz_fdiv_q_2exp and mpz_add, a third of their cost at the sizes of a step
 * (a tenth of a generic run was these three calls).  ``tmp``: 2 (room + sn) limbs. */
static void horner_step(mp_limb_t *acc, const mp_limb_t *sd, mp_size_t sn, mp_bitcnt_t F, const mp_limb_t *cd,
                        mp_size_t cn, int cneg, mp_limb_t *tmp) {
    long size = (long)acc[0];
    mp_size_t an = size < 0 ? -size : size;
    int neg = size < 0;
    mp_limb_t *ad = acc + 1;
    if (an) { /* acc = floor(|acc| s / 2^F), negated: the floor of a negative quotient is one lower */
        mp_size_t pn = sn ? an + sn : 0;
        if (pn) {
            mpn_zero(tmp, pn);
            mac(tmp, pn, ad, an, sd, sn, tmp + pn); /* into zeros: the product, unrolled at small sizes */
        }
        while (pn && !tmp[pn - 1]) pn--;
        an = shift_floor(ad, tmp, pn, F, neg);
        if (!an) neg = 0;
    }
    if (cn) { /* acc += c */
        if (!an) {
            mpn_copyi(ad, cd, cn);
            an = cn;
            neg = cneg;
        } else if (neg == cneg) {
            mp_limb_t carry;
            if (an >= cn) carry = mpn_add(ad, ad, an, cd, cn);
            else {
                carry = mpn_add(tmp, cd, cn, ad, an);
                mpn_copyi(ad, tmp, cn);
                an = cn;
            }
            if (carry) ad[an++] = carry;
        } else {
            int c = an != cn ? (an > cn ? 1 : -1) : mpn_cmp(ad, cd, an);
            if (c == 0) {
                an = 0;
                neg = 0;
            } else {
                if (c > 0) mpn_sub(ad, ad, an, cd, cn);
                else {
                    mpn_sub(tmp, cd, cn, ad, an);
                    mpn_copyi(ad, tmp, cn);
                    an = cn;
                    neg = cneg;
                }
                while (an && !ad[an - 1]) an--;
            }
        }
    }
    acc[0] = (mp_limb_t)(neg ? -(long)an : (long)an);
}

#ifdef LANES
/* Horner on Y eight columns at a time (AVX-512 IFMA): acc = floor(acc s / 2^F) + c_k, in
 * signed 52-bit digits.  acc is kept as acc + 2^232, positive below 2^260
 * (five digits), since |acc| < 2^(p+1) (max |c_k| + 1) < 2^232 for entries of at most three
 * limbs and p < 40; its product with s (three digits, s < 2^156) is then 30 multiply-adds
 * per eight columns, less the constant 2^232 s; the floor shift by F is a digit shift of
 * normalized (non-negative, signed top) digits; c_k is added as signed digits.  The
 * integers of horner_step: a state update streams all (p+1) m (1+2n) entries of a step,
 * ~20 ns each in GMP-style limbs, the generic run's largest cost after the recurrence. */
__attribute__((target("avx512f,avx512dq,avx512ifma"))) static void horner_lanes(const Series *S, const mp_limb_t *sd,
                                                                               mp_size_t sn, mp_limb_t *out) {
    const Py_ssize_t cols = S->m * S->w, stride = S->W + 1;
    const int dq = (int)(S->F / 52), dr = (int)(S->F % 52); /* the shift by F in digits and bits */
    uint64_t sdig[4], bs[4];
    mp_limb_t s0 = sd[0], s1 = sn > 1 ? sd[1] : 0, s2 = sn > 2 ? sd[2] : 0;
    digits_of(sdig, 1, s0, s1, s2, 0);
    /* 2^232 s = (s << 24) at digit 4 (s << 24 < 2^180: four digits) */
    digits_of(bs, 1, s0 << 24, (s1 << 24) | (s0 >> 40), (s2 << 24) | (s1 >> 40), s2 >> 40);
    const __m512i mask = _mm512_set1_epi64((long long)DIGIT_MASK), b4 = _mm512_set1_epi64(1LL << 24);
    __m512i sv[3], bv[4];
    for (int j = 0; j < 3; j++) sv[j] = _mm512_set1_epi64((long long)sdig[j]);
    for (int j = 0; j < 4; j++) bv[j] = _mm512_set1_epi64((long long)bs[j]);
    for (Py_ssize_t c0 = 0; c0 < cols; c0 += 8) {
        int lanes = cols - c0 < 8 ? (int)(cols - c0) : 8;
        __m512i a[5] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                        b4}; /* acc + 2^232, acc = 0 */
        for (Py_ssize_t k = S->p; k >= 0; k--) {
            __m512i P[9];
            for (int c = 0; c < 9; c++) P[c] = _mm512_setzero_si512();
            for (int i = 0; i < 5; i++)
                for (int j = 0; j < 3; j++) {
                    P[i + j] = _mm512_madd52lo_epu64(P[i + j], a[i], sv[j]);
                    P[i + j + 1] = _mm512_madd52hi_epu64(P[i + j + 1], a[i], sv[j]);
                }
            for (int j = 0; j < 4; j++) P[4 + j] = _mm512_sub_epi64(P[4 + j], bv[j]); /* acc s, signed columns */
            __m512i d[10], carry = _mm512_setzero_si512();
            for (int c = 0; c < 9; c++) {
                __m512i v = _mm512_add_epi64(P[c], carry);
                d[c] = _mm512_and_si512(v, mask);
                carry = _mm512_srai_epi64(v, 52);
            }
            d[9] = carry; /* signed top */
            /* c_k of the eight columns as signed digits */
            uint64_t cd[4][8] __attribute__((aligned(64))) = {{0}}, cs[8] __attribute__((aligned(64))) = {0};
            for (int lane = 0; lane < lanes; lane++) {
                const mp_limb_t *slot = S->Y + (k * cols + c0 + lane) * stride;
                long size = (long)slot[0], n = size < 0 ? -size : size;
                if (!n) continue;
                uint64_t dg[4];
                digits_of(dg, 1, slot[1], n > 1 ? slot[2] : 0, n > 2 ? slot[3] : 0, 0);
                for (int i = 0; i < 4; i++) cd[i][lane] = dg[i];
                cs[lane] = size < 0 ? ~(uint64_t)0 : 0;
            }
            __m512i sgn = _mm512_load_si512(cs);
            /* acc = floor(acc s / 2^F) + c_k + 2^232, which lies in (0, 2^260): modulo 2^260,
             * from the quotient's low five digits, digit i the bits dr.. of digits dq+i, dq+i+1 */
            __m512i r[5];
            for (int i = 0; i < 5; i++)
                r[i] = dr ? _mm512_or_si512(_mm512_srli_epi64(d[dq + i], (unsigned)dr),
                                            _mm512_and_si512(_mm512_slli_epi64(d[dq + i + 1], (unsigned)(52 - dr)), mask))
                          : d[dq + i];
            for (int i = 0; i < 4; i++) { /* + c_k: (c ^ sign) - sign */
                __m512i c = _mm512_load_si512(cd[i]);
                r[i] = _mm512_add_epi64(r[i], _mm512_sub_epi64(_mm512_xor_si512(c, sgn), sgn));
            }
            r[4] = _mm512_add_epi64(r[4], b4);
            carry = _mm512_setzero_si512();
            for (int i = 0; i < 5; i++) {
                __m512i v = _mm512_add_epi64(r[i], carry);
                a[i] = _mm512_and_si512(v, mask);
                carry = _mm512_srai_epi64(v, 52);
            }
        }
        /* acc = (acc + 2^232) - 2^232: digits 0..3 and a signed top digit */
        uint64_t dig[5][8] __attribute__((aligned(64)));
        for (int i = 0; i < 4; i++) _mm512_store_si512(dig[i], a[i]);
        _mm512_store_si512(dig[4], _mm512_sub_epi64(a[4], b4));
        for (int lane = 0; lane < lanes; lane++) {
            mp_limb_t *o = out + 4 * (c0 + lane);
            o[0] = dig[0][lane] | (dig[1][lane] << 52);
            o[1] = (dig[1][lane] >> 12) | (dig[2][lane] << 40);
            o[2] = (dig[2][lane] >> 24) | (dig[3][lane] << 28);
            o[3] = (dig[3][lane] >> 36) + (dig[4][lane] << 16); /* the signed top at 2^208 */
        }
    }
}
#endif

/* horner(which, s): which 0 = Y (-> m*w values), 1 = R (-> n values); acc = ((acc*s) >> F) + c_k.
 * 0 <= s < 2^(F+1) (a step's scaled times, and a little beyond): acc stays within its slot's
 * room (|acc| < 2^(p+1) (max |c_k| + 1)); any other s goes by mpz (the same integers). */
static PyObject *Series_horner(Series *self, PyObject *args) {
    int which;
    PyObject *s_obj;
    if (!PyArg_ParseTuple(args, "iO", &which, &s_obj)) return NULL;
    Py_ssize_t rows = which ? self->p : self->p + 1, cols = which ? self->n : self->m * self->w;
    if (rows == 0) return PyList_New(0);
    mpz_t view;
#define ENTRY(x) (which ? (mpz_srcptr)self->R[x] : Y_get(self, x, view))
    mpz_t s;
    mpz_init(s);
    if (to_mpz(s_obj, s) < 0) { mpz_clear(s); return NULL; }
    PyObject *out = PyList_New(cols);
    if (out == NULL) { mpz_clear(s); return NULL; }
    /* order by order over all columns (not column by column): the entries of one order are
     * adjacent in memory, so the pass streams through the Series once */
    if (mpz_sgn(s) >= 0 && mpz_sizeinbase(s, 2) <= self->F + 1) {
        mp_size_t widest = which ? (mp_size_t)most_limbs(self->R, rows * cols) : (mp_size_t)self->W;
        mp_size_t sn = (mp_size_t)mpz_size(s), room = widest + 2 + (mp_size_t)(rows + 2) / GMP_NUMB_BITS + 1;
        mp_limb_t *accs = (mp_limb_t *)PyMem_Malloc(sizeof(mp_limb_t) * (size_t)(cols * (room + 1) + 2 * (room + sn)));
        if (accs == NULL) { Py_DECREF(out); mpz_clear(s); return PyErr_NoMemory(); }
        mp_limb_t *tmp = accs + cols * (room + 1);
        const mp_limb_t *sd = mpz_limbs_read(s);
#ifdef LANES
        if (!which && simd_ok && simd_on && self->W <= 3 && sn > 0 && self->F < 156 && self->p < 40) {
            mp_limb_t *fixed = (mp_limb_t *)PyMem_Malloc(sizeof(mp_limb_t) * (size_t)(4 * cols));
            if (fixed == NULL) { PyMem_Free(accs); Py_DECREF(out); mpz_clear(s); return PyErr_NoMemory(); }
            horner_lanes(self, sd, sn, fixed);
            for (Py_ssize_t c = 0; c < cols; c++) {
                mp_limb_t mag[4];
                int negative;
                mp_size_t n = magnitude(mag, fixed + 4 * c, 4, &negative);
                PyObject *v = from_mpz(mpz_roinit_n(view, mag, negative ? -n : n));
                if (v == NULL) { Py_CLEAR(out); break; }
                PyList_SET_ITEM(out, c, v);
            }
            PyMem_Free(fixed);
            PyMem_Free(accs);
            mpz_clear(s);
            return out;
        }
#endif
        for (Py_ssize_t c = 0; c < cols; c++) accs[c * (room + 1)] = 0;
        for (Py_ssize_t k = rows - 1; k >= 0; k--)
            for (Py_ssize_t c = 0; c < cols; c++) {
                const mp_limb_t *cd;
                long size;
                if (which) {
                    mpz_srcptr e = self->R[k * cols + c];
                    cd = mpz_limbs_read(e);
                    size = mpz_sgn(e) < 0 ? -(long)mpz_size(e) : (long)mpz_size(e);
                } else {
                    const mp_limb_t *slot = self->Y + (k * cols + c) * (self->W + 1);
                    cd = slot + 1;
                    size = (long)slot[0];
                }
                horner_step(accs + c * (room + 1), sd, sn, self->F, cd, size < 0 ? -size : size, size < 0, tmp);
            }
        for (Py_ssize_t c = 0; c < cols; c++) {
            PyObject *v = from_mpz(slot_read(accs + c * (room + 1), view));
            if (v == NULL) { Py_CLEAR(out); break; }
            PyList_SET_ITEM(out, c, v);
        }
        PyMem_Free(accs);
        mpz_clear(s);
        return out;
    }
    mpz_t *acc = new_block(cols);
    if (acc == NULL) { Py_DECREF(out); mpz_clear(s); return PyErr_NoMemory(); }
    for (Py_ssize_t c = 0; c < cols; c++) mpz_set(acc[c], ENTRY((rows - 1) * cols + c));
    for (Py_ssize_t k = rows - 2; k >= 0; k--) {
        for (Py_ssize_t c = 0; c < cols; c++) {
            if (mpz_sgn(acc[c])) {
                mpz_mul(acc[c], acc[c], s);
                mpz_fdiv_q_2exp(acc[c], acc[c], self->F);
            }
            mpz_add(acc[c], acc[c], ENTRY(k * cols + c));
        }
    }
#undef ENTRY
    for (Py_ssize_t c = 0; c < cols; c++) {
        PyObject *v = from_mpz(acc[c]);
        if (v == NULL) { Py_CLEAR(out); break; }
        PyList_SET_ITEM(out, c, v);
    }
    mpz_clear(s);
    free_block(acc, cols);
    return out;
}
