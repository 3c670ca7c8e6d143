/* Compiled big-integer arithmetic for the Taylor recurrence (reluflow.integrate.taylor).
 *
 *   recurrence  the Taylor recurrence of one step, statement by statement as the reference
 *             loop in taylor.jets runs it on NumPy object arrays (a Python call per
 *             product there), on GMP integers here;
 *   Series    the step's jets, kept in GMP memory: Horner evaluation, switch candidates,
 *             columns and norms are read there, Python objects made only on request;
 *   Gram      (C @ G) >> F for the fixed Gram matrix G (the drift check);
 *   exits     the sliding groups' exit quantities on a Series (sliding.exit_jets).
 *
 * While the coefficients have at most three limbs (30-digit runs), an order's per-pair
 * arithmetic runs in fixed-width two's complement, and on CPUs with AVX-512 IFMA the Cauchy
 * sums, the Gram and projection products and Horner run eight at a time in 52-bit digits
 * (chosen at run time; simd() switches them).
 *
 * Integer arithmetic is exact and >> is a floor shift in both Python and GMP
 * (mpz_fdiv_q_2exp), so the results are the same integers as the pure path's: the
 * trajectories are byte-identical (tests/test_kernel.py).
 */
#define PY_SSIZE_T_CLEAN
#define KERNEL_API 8 /* bump with every change of the interface; kernel.py refuses another */
#include <Python.h>
#include <gmp.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <stdint.h>

/* ---- conversions between Python integers and mpz_t -------------------------------- */

/* CPython 3.11-3.13 keep an int as |size| digits of PyLong_SHIFT bits (least significant
 * first) and a sign; GMP imports and exports such words directly (the unused top bits of
 * each digit are its "nails").  About five times faster than going through a byte array,
 * which stays the path of other versions (and of objects that are not exact ints): the
 * conversions were 40 % of a low-order jets call, which reads the whole state. */
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000
#define DIGITS_DIRECT 1
#define DIGIT_NAILS (8 * sizeof(digit) - PyLong_SHIFT)
#if PY_VERSION_HEX >= 0x030C0000 /* lv_tag: digit count << 3 | sign (0 positive, 1 zero, 2 negative) */
#define LONG_DIGITS(v) (((PyLongObject *)(v))->long_value.ob_digit)
#define LONG_COUNT(v) ((Py_ssize_t)(((PyLongObject *)(v))->long_value.lv_tag >> 3))
#define LONG_NEGATIVE(v) ((((PyLongObject *)(v))->long_value.lv_tag & 3) == 2)
#define LONG_SET(v, count, negative) \
    (((PyLongObject *)(v))->long_value.lv_tag = ((uintptr_t)(count) << 3) | ((count) ? ((negative) ? 2 : 0) : 1))
#else /* Py_SIZE: the digit count, negative for a negative int */
#define LONG_DIGITS(v) (((PyLongObject *)(v))->ob_digit)
#define LONG_COUNT(v) (Py_SIZE(v) < 0 ? -Py_SIZE(v) : Py_SIZE(v))
#define LONG_NEGATIVE(v) (Py_SIZE(v) < 0)
#define LONG_SET(v, count, negative) Py_SET_SIZE((PyVarObject *)(v), (negative) ? -(Py_ssize_t)(count) : (Py_ssize_t)(count))
#endif
#else
#define DIGITS_DIRECT 0
#endif

/* Byte buffers of the other path up to this size live on the stack (2048-bit integers). */
#define STACK_BYTES 256

static int to_mpz(PyObject *obj, mpz_t out) {
#if DIGITS_DIRECT
    if (PyLong_CheckExact(obj)) {
        Py_ssize_t count = LONG_COUNT(obj);
        if (count == 0) mpz_set_ui(out, 0);
        else mpz_import(out, (size_t)count, -1, sizeof(digit), 0, DIGIT_NAILS, LONG_DIGITS(obj));
        if (LONG_NEGATIVE(obj)) mpz_neg(out, out);
        return 0;
    }
#endif
    PyObject *v = PyLong_CheckExact(obj) ? (Py_INCREF(obj), obj) : PyNumber_Index(obj); /* int, gmpy2 mpz, NumPy */
    if (v == NULL) return -1;
    int overflow = 0;
    long small = PyLong_AsLongAndOverflow(v, &overflow);
    if (!overflow) {
        Py_DECREF(v);
        if (small == -1 && PyErr_Occurred()) return -1;
        mpz_set_si(out, small);
        return 0;
    }
    /* two's complement bytes, little endian; a negative value B = 2^(8 nbytes) + v has
     * ~B = |v| - 1, so its bytes are flipped before the import */
    int negative = _PyLong_Sign(v) < 0;
    size_t nbytes = _PyLong_NumBits(v) / 8 + 1;
    unsigned char stack[STACK_BYTES];
    unsigned char *buf = nbytes <= STACK_BYTES ? stack : (unsigned char *)malloc(nbytes);
    if (buf == NULL) { Py_DECREF(v); PyErr_NoMemory(); return -1; }
#if PY_VERSION_HEX >= 0x030D0000
    int rc = _PyLong_AsByteArray((PyLongObject *)v, buf, nbytes, 1, 1, 1);
#else
    int rc = _PyLong_AsByteArray((PyLongObject *)v, buf, nbytes, 1, 1);
#endif
    Py_DECREF(v);
    if (rc == 0) {
        if (negative)
            for (size_t i = 0; i < nbytes; i++) buf[i] = (unsigned char)~buf[i];
        mpz_import(out, nbytes, -1, 1, 0, 0, buf);
        if (negative) { mpz_add_ui(out, out, 1); mpz_neg(out, out); }
    }
    if (buf != stack) free(buf);
    return rc < 0 ? -1 : 0;
}

static PyObject *from_mpz(const mpz_t z) {
    if (mpz_fits_slong_p(z)) return PyLong_FromLong(mpz_get_si(z));
#if DIGITS_DIRECT
    size_t count = (mpz_sizeinbase(z, 2) + PyLong_SHIFT - 1) / PyLong_SHIFT;
    PyLongObject *out = _PyLong_New((Py_ssize_t)count);
    if (out == NULL) return NULL;
    size_t written = 0;
    mpz_export(LONG_DIGITS(out), &written, -1, sizeof(digit), 0, DIGIT_NAILS, z);
    LONG_SET(out, written, mpz_sgn(z) < 0);
    return (PyObject *)out;
#else
    size_t nbytes = (mpz_sizeinbase(z, 2) + 7) / 8;
    unsigned char stack[STACK_BYTES];
    unsigned char *buf = nbytes <= STACK_BYTES ? stack : (unsigned char *)malloc(nbytes);
    if (buf == NULL) return PyErr_NoMemory();
    size_t count = 0;
    mpz_export(buf, &count, -1, 1, 0, 0, z);
    PyObject *mag = _PyLong_FromByteArray(buf, count, 1, 0);
    if (buf != stack) free(buf);
    if (mag == NULL || mpz_sgn(z) >= 0) return mag;
    PyObject *neg = PyNumber_Negative(mag);
    Py_DECREF(mag);
    return neg;
#endif
}

/* the most limbs of an entry of z[0..len) */
static mp_size_t most_limbs(mpz_t *z, Py_ssize_t len) {
    mp_size_t most = 0;
    for (Py_ssize_t x = 0; x < len; x++)
        if ((mp_size_t)mpz_size(z[x]) > most) most = (mp_size_t)mpz_size(z[x]);
    return most;
}

static mpz_t *new_block(Py_ssize_t size) {
    mpz_t *block = (mpz_t *)PyMem_Malloc(sizeof(mpz_t) * (size_t)(size ? size : 1));
    if (block == NULL) return NULL;
    for (Py_ssize_t i = 0; i < size; i++) mpz_init(block[i]);
    return block;
}

static void free_block(mpz_t *block, Py_ssize_t size) {
    if (block == NULL) return;
    for (Py_ssize_t i = 0; i < size; i++) mpz_clear(block[i]);
    PyMem_Free(block);
}

/* Read a sequence of integers into block[0..len) */
static int read_into(PyObject *values, mpz_t *block, Py_ssize_t len) {
    PyObject *seq = PySequence_Fast(values, "expected a sequence of integers");
    if (seq == NULL) return -1;
    if (PySequence_Fast_GET_SIZE(seq) != len) {
        Py_DECREF(seq);
        PyErr_Format(PyExc_ValueError, "expected %zd values", len);
        return -1;
    }
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < len; i++) {
        if (to_mpz(items[i], block[i]) < 0) { Py_DECREF(seq); return -1; }
    }
    Py_DECREF(seq);
    return 0;
}

static PyObject *to_list(mpz_t *block, Py_ssize_t len) {
    PyObject *out = PyList_New(len);
    if (out == NULL) return NULL;
    for (Py_ssize_t i = 0; i < len; i++) {
        PyObject *v = from_mpz(block[i]);
        if (v == NULL) { Py_DECREF(out); return NULL; }
        PyList_SET_ITEM(out, i, v);
    }
    return out;
}

/* float(x) of Python (round to nearest, ties to even), then ldexp(., -F), for x given as
 * its n limbs and sign */
static double limbs_to_double(const mp_limb_t *d, mp_size_t n, int negative, long F) {
    if (n == 0) return 0.0;
    double v;
#if GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0 && defined(__GNUC__)
    /* the top 64 bits, their last bit or-ed with every bit below (sticky): the hardware's
     * conversion of that word rounds exactly as the whole integer would round (11 bits are
     * dropped, so the sticky bit never stands for the half) */
    mp_limb_t top = d[n - 1];
    if (n == 1) {
        v = (double)top;
    } else {
        int lz = __builtin_clzll(top);
        mp_limb_t hi = lz ? (top << lz) | (d[n - 2] >> (64 - lz)) : top, rest = lz ? d[n - 2] << lz : d[n - 2];
        for (mp_size_t i = n - 3; i >= 0 && !rest; i--) rest |= d[i];
        v = ldexp((double)(hi | (rest != 0)), (int)(64 * (n - 1) - lz));
    }
#else
    mpz_t x, q;
    mpz_roinit_n(x, d, n);
    size_t nb = mpz_sizeinbase(x, 2);
    if (nb <= 53) {
        v = mpz_get_d(x); /* exact */
    } else {
        mpz_init(q);
        mpz_tdiv_q_2exp(q, x, nb - 54);
        unsigned long top = mpz_get_ui(q); /* 54 bits */
        mpz_clear(q);
        int sticky = mpz_scan1(x, 0) < nb - 54;
        unsigned long mant = top >> 1;
        if ((top & 1) && (sticky || (mant & 1))) mant++;
        v = ldexp((double)mant, (int)(nb - 53));
    }
#endif
    return ldexp(negative ? -v : v, (int)-F);
}

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

/* ---- the same sums eight pairs at a time (x86-64 with AVX-512 IFMA) -----------------------
 * Each operand of the sums also kept per pair in lanes: the magnitude's four 52-bit digits
 * and the sign, order after order, eight pairs to a vector (a and r repeated for each pair
 * of their neuron or point).  One vector multiply-add (vpmadd52lo/hi) makes eight digit
 * products: a Cauchy sum of eight pairs in 64 of them per term, into column sums of
 * positive and negative products (masked by the product's sign; each below 2^63 for fewer
 * than 256 terms), whose difference, carried, is the sum exactly.  Scalar three-limb
 * products cost ~10 ns here against ~2.5 ns per product this way (AMD EPYC).  Chosen at
 * run time (CPUID: avx512f, avx512dq, avx512ifma) and switchable (simd()), so tests run
 * both ways on the same data. */
#if defined(__x86_64__) && defined(__GNUC__) && (__GNUC__ >= 8 || defined(__clang__))
#define LANES 1
#include <immintrin.h>
#define DIGIT_MASK ((1ULL << 52) - 1)
#define MAX_TERMS 255 /* terms of one sum: the column sums stay below 2^63 */
#define BIAS 207 /* row_lanes' matrices as digits of M + 2^207 (|M| < 2^192): all positive */
/* d: [row][digit][lane], s: [row][lane]; nd: [row][block] the digits that the eight lanes of
 * a block use at most (0..4: a sum's terms multiply only those) */
typedef struct { Py_ssize_t rows, width, filled; uint64_t *d, *s; unsigned char *nd; } Lanes;
static int simd_ok = 0, simd_on = 1;

/* the four 52-bit digits of a value below 2^208 (limbs l0..l3), at d[0], d[w], d[2w], d[3w] */
static inline void digits_of(uint64_t *d, Py_ssize_t w, mp_limb_t l0, mp_limb_t l1, mp_limb_t l2, mp_limb_t l3) {
    d[0] = l0 & DIGIT_MASK;
    d[w] = ((l0 >> 52) | (l1 << 12)) & DIGIT_MASK;
    d[2 * w] = ((l1 >> 40) | (l2 << 24)) & DIGIT_MASK;
    d[3 * w] = ((l2 >> 28) | (l3 << 36)) & DIGIT_MASK;
}

/* The three lanes of a call in one block, kept from call to call (lanes_sync writes every
 * word a sum reads, padding lanes included): fresh, ~5 MB per call at m = 100, n = 20,
 * order 38 came as new pages each time, whose faults cost as much as the sums. */
static uint64_t *lanes_store = NULL;
static size_t lanes_cap = 0;

/* lanes[0..3) for ``rows`` orders of ``na`` pairs in ``*mem`` (grown as needed; NULL: not kept, the caller frees it) */
static int lanes_new(Lanes *lanes, Py_ssize_t rows, Py_ssize_t na, uint64_t **mem, size_t *cap) {
    Py_ssize_t width = (na + 7) / 8 * 8;
    size_t need = (size_t)(3 * rows * (5 * width + width / 8)) + 1; /* (nd: a byte per block, within width / 8 words) */
    if (need > *cap) {
        PyMem_Free(*mem);
        *mem = (uint64_t *)PyMem_Malloc(need * sizeof(uint64_t));
        *cap = *mem ? need : 0;
        if (*mem == NULL) { PyErr_NoMemory(); return -1; }
    }
    for (int x = 0; x < 3; x++) {
        Lanes *L = lanes + x;
        L->rows = rows;
        L->width = width;
        L->filled = 0;
        L->d = *mem + x * rows * 5 * width;
        L->s = L->d + rows * 4 * width;
        L->nd = (unsigned char *)(*mem + 3 * rows * 5 * width + x * rows * (width / 8));
    }
    return 0;
}

/* D for the entries M[x*sx + l*sl] (x < len, l < cols); nothing (d NULL) when the vector
 * sums cannot take them (no CPU support, an entry of more than three limbs, len > MAX_TERMS) */
static int digits_new(Digits *D, mpz_t *M, Py_ssize_t len, Py_ssize_t cols, Py_ssize_t sx, Py_ssize_t sl) {
    D->d = NULL;
    if (!simd_ok || len > MAX_TERMS) return 0;
    for (Py_ssize_t x = 0; x < len; x++)
        for (Py_ssize_t l = 0; l < cols; l++)
            if (mpz_size(M[x * sx + l * sl]) > 3) return 0;
    Py_ssize_t w = (cols + 7) / 8 * 8;
    uint64_t *d = (uint64_t *)PyMem_Calloc((size_t)(4 * len * w + 1), sizeof(uint64_t));
    if (d == NULL) { PyErr_NoMemory(); return -1; }
    mpz_t biased;
    mpz_init(biased);
    for (Py_ssize_t x = 0; x < len; x++)
        for (Py_ssize_t l = 0; l < cols; l++) {
            mpz_set_ui(biased, 1);
            mpz_mul_2exp(biased, biased, BIAS);
            mpz_add(biased, biased, M[x * sx + l * sl]);
            mp_limb_t limbs[4] = {0, 0, 0, 0};
            mpn_copyi(limbs, mpz_limbs_read(biased), (mp_size_t)mpz_size(biased));
            digits_of(d + x * 4 * w + l, w, limbs[0], limbs[1], limbs[2], limbs[3]);
        }
    mpz_clear(biased);
    D->len = len;
    D->cols = cols;
    D->npad = w;
    D->d = d;
    return 0;
}

/* the lanes' rows up to ``upto`` from the packed operand (entries of at most three limbs;
 * pair i reads column map[i], or i) */
static void lanes_sync(Lanes *L, const Packed *P, const Py_ssize_t *map, Py_ssize_t na, Py_ssize_t upto) {
    Py_ssize_t stride = P->W + 1, w = L->width;
    for (Py_ssize_t t = L->filled; t <= upto; t++) {
        uint64_t *d = L->d + t * 4 * w, *sg = L->s + t * w;
        for (Py_ssize_t i = 0; i < na; i++) {
            const mp_limb_t *slot = P->data + ((map ? map[i] : i) * P->rows + t) * stride;
            digits_of(d + i, w, slot[1], slot[2], slot[3], 0); /* zero-padded */
            sg[i] = (long)slot[0] < 0 ? ~(uint64_t)0 : 0;
        }
        for (Py_ssize_t i = na; i < w; i++) d[i] = d[w + i] = d[2 * w + i] = d[3 * w + i] = sg[i] = 0; /* padding */
        for (Py_ssize_t b = 0; b < w / 8; b++) {
            int used = 0;
            for (int c = 0; c < 4; c++) {
                uint64_t any = 0;
                for (int lane = 0; lane < 8; lane++) any |= d[c * w + 8 * b + lane];
                if (any) used = c + 1;
            }
            L->nd[t * (w / 8) + b] = (unsigned char)used;
        }
    }
    if (upto + 1 > L->filled) L->filled = upto + 1;
}

/* x[lane] = floor((P - N - bias) / 2^F) for column sums of eight lanes (radix 2^52, each
 * below 2^63) and a constant ``bias`` (nine signed digits, the last at 2^416): the
 * difference carried into digits, the floor shift a digit shift (bits dr.. of digits dq+i
 * and dq+i+1, the top one signed), packed into XL limbs of two's complement; F < 364 */
__attribute__((target("avx512f,avx512dq,avx512ifma"))) static void lanes_floor(const __m512i *P, const __m512i *N,
                                                                              const long long *bias, unsigned long F,
                                                                              mp_limb_t x[8][XL]) {
    const __m512i mask = _mm512_set1_epi64((long long)DIGIT_MASK);
    __m512i d[9], carry = _mm512_setzero_si512();
    for (int c = 0; c < 8; c++) {
        __m512i v = _mm512_add_epi64(_mm512_sub_epi64(_mm512_sub_epi64(P[c], N[c]), _mm512_set1_epi64(bias[c])), carry);
        d[c] = _mm512_and_si512(v, mask);
        carry = _mm512_srai_epi64(v, 52);
    }
    d[8] = _mm512_sub_epi64(carry, _mm512_set1_epi64(bias[8])); /* the signed top digit, at 2^416 */
    const int dq = (int)(F / 52), dr = (int)(F % 52), top = 8 - dq;
    uint64_t dig[9][8] __attribute__((aligned(64)));
    for (int i = 0; i < top; i++)
        _mm512_store_si512(dig[i], dr ? _mm512_or_si512(_mm512_srli_epi64(d[dq + i], (unsigned)dr),
                                                        _mm512_and_si512(_mm512_slli_epi64(d[dq + i + 1], (unsigned)(52 - dr)), mask))
                                      : d[dq + i]);
    _mm512_store_si512(dig[top], dr ? _mm512_srai_epi64(d[8], (unsigned)dr) : d[8]);
    const int tl = 52 * top / 64, ts = 52 * top % 64; /* the top digit's limb and bit */
    for (int lane = 0; lane < 8; lane++) {
        mp_limb_t *o = x[lane];
        for (int i = 0; i < XL; i++) o[i] = 0;
        for (int c = 0; c < top; c++) {
            int bit = 52 * c, li = bit / 64, sh = bit % 64;
            o[li] |= dig[c][lane] << sh;
            if (sh > 12) o[li + 1] |= dig[c][lane] >> (64 - sh);
        }
        long t = (long)dig[top][lane]; /* + t 2^(52 top), sign-extended above */
        u128 cur = ((u128)(tl + 1 < XL ? o[tl + 1] : 0) << 64 | o[tl]) + ((u128)(i128)t << ts);
        o[tl] = (mp_limb_t)cur;
        if (tl + 1 < XL) o[tl + 1] = (mp_limb_t)(cur >> 64);
        for (int i = tl + 2; i < XL; i++) o[i] = t < 0 ? ~(mp_limb_t)0 : 0;
    }
}

/* x[lane] = sum_{t <= k} X[t] Y[k - t] for the eight pairs from ``off``, XL limbs of two's
 * complement each.  A term multiplies only the digits its two blocks use (nd): entries
 * below 2^156, as most are at 30 digits (F = 146), need three of the four, 9 products in
 * place of 16; a zero block skips the term.  The same sums: the digits left out are 0. */
__attribute__((target("avx512f,avx512dq,avx512ifma"))) static void lanes_sum(const Lanes *X, const Lanes *Y,
                                                                            Py_ssize_t k, Py_ssize_t off,
                                                                            mp_limb_t x[8][XL]) {
    const Py_ssize_t w = X->width, nb = w / 8, b = off / 8;
    __m512i P[8], N[8];
    for (int c = 0; c < 8; c++) P[c] = N[c] = _mm512_setzero_si512();
    for (Py_ssize_t t = 0; t <= k; t++) {
        int nx = X->nd[t * nb + b], ny = Y->nd[(k - t) * nb + b];
        if (!nx || !ny) continue;
        const uint64_t *xd = X->d + t * 4 * w + off, *yd = Y->d + (k - t) * 4 * w + off;
        __m512i sx = _mm512_loadu_si512(X->s + t * w + off), sy = _mm512_loadu_si512(Y->s + (k - t) * w + off);
        __mmask8 neg = _mm512_movepi64_mask(_mm512_xor_si512(sx, sy)), pos = (__mmask8)~neg;
        __m512i a[4], bb[4];
#define LANES_TERM(ND)                                                                          \
    do {                                                                                        \
        for (int d = 0; d < ND; d++) {                                                          \
            a[d] = _mm512_loadu_si512(xd + d * w);                                              \
            bb[d] = _mm512_loadu_si512(yd + d * w);                                             \
        }                                                                                       \
        for (int d = 0; d < ND; d++)                                                            \
            for (int e = 0; e < ND; e++) {                                                      \
                P[d + e] = _mm512_mask_madd52lo_epu64(P[d + e], pos, a[d], bb[e]);              \
                P[d + e + 1] = _mm512_mask_madd52hi_epu64(P[d + e + 1], pos, a[d], bb[e]);      \
                N[d + e] = _mm512_mask_madd52lo_epu64(N[d + e], neg, a[d], bb[e]);              \
                N[d + e + 1] = _mm512_mask_madd52hi_epu64(N[d + e + 1], neg, a[d], bb[e]);      \
            }                                                                                   \
    } while (0)
        int nd = nx > ny ? nx : ny;
        if (nd == 4) LANES_TERM(4);
        else if (nd == 3) LANES_TERM(3);
        else LANES_TERM(2);
#undef LANES_TERM
    }
    static const long long unbiased[9] = {0};
    lanes_floor(P, N, unbiased, 0, x);
}
#endif

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

/* ---- Gram: (C @ G) >> F for a fixed integer matrix G -------------------------------- */

#if defined(__SIZEOF_INT128__) && GMP_NUMB_BITS == 64 && GMP_NAIL_BITS == 0
#define GRAM3 1
#define GRAM_COLS 6 /* the limb columns of a product of three-limb operands */

/* cols += a * b (AN <= 3 limbs of a, three of b) as sums per limb column, the carries left
 * for later: each partial product's halves go to their columns (sums of 64-bit halves: no
 * u128 overflows before 2^60 products).  Against mac (a carry chain through each product,
 * then one through the accumulator) the columns' additions are independent. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline void column_mac(u128 *cols, const mp_limb_t *a, const int an, const mp_limb_t *b) {
    for (int i = 0; i < an; i++)
        for (int j = 0; j < 3; j++) {
            u128 p = (u128)a[i] * b[j];
            cols[i + j] += (mp_limb_t)p;
            cols[i + j + 1] += (mp_limb_t)(p >> 64); /* i + j + 1 <= 5 */
        }
}

/* the limbs of the column sums, carries propagated: GRAM_COLS + 2 limbs */
static inline void column_limbs(mp_limb_t *out, const u128 *cols) {
    u128 carry = 0;
    for (int c = 0; c < GRAM_COLS; c++) {
        carry += cols[c];
        out[c] = (mp_limb_t)carry;
        carry >>= 64;
    }
    out[GRAM_COLS] = (mp_limb_t)carry;
    out[GRAM_COLS + 1] = (mp_limb_t)(carry >> 64);
}
#endif

typedef struct {
    PyObject_HEAD
    Py_ssize_t n;
    mp_bitcnt_t F;
    mpz_t *G, *row, *out;
    mp_size_t gmax;     /* the most limbs of an entry of G */
    mp_limb_t *G3;      /* gmax <= 3: G's magnitudes as three limbs each (zero-padded), else NULL */
    unsigned char *neg; /* ... their signs */
    double *Gf;         /* G 2^-F as doubles, correctly rounded (tail.to_floats): the float64 tail's */
    void *cols;         /* ... and the column sums of one row's products: 2 n GRAM_COLS u128 */
#ifdef LANES
    Digits D;           /* G for the vector sums (D.d NULL: none) */
#endif
    int ready;          /* initialised */
} Gram;

#ifdef LANES
/* out[l] = (row @ M)[l] >> F, l < cols, eight outputs at a time (the row's entries of at
 * most three limbs): the Gram rows (C @ G) >> F and the sliding projections' products.
 * Every digit is that of M + 2^BIAS, positive: an entry r_x of the row multiplies eight
 * columns with one product sign, its own, and goes whole into the positive or the
 * negative column sums, half the multiply-adds of masking signs apart per lane
 * (lanes_sum).  The bias adds 2^BIAS sum_x r_x to every output, taken off exactly in the
 * column sums, before the floor shift (lanes_floor); F < 364 (entries of three limbs at
 * most).  A row entry multiplies with only the digits it uses (two to four). */
__attribute__((target("avx512f,avx512dq,avx512ifma"))) static void row_lanes(const Digits *M, mpz_t *row, mpz_t *out,
                                                                            mp_bitcnt_t F) {
    const Py_ssize_t n = M->len, w = M->npad;
    uint64_t cd[MAX_TERMS][4];
    Py_ssize_t at[MAX_TERMS], npos = 0, nneg = 0;
    mp_limb_t sum[RL] = {0}, bias[XL]; /* sum_x C_x, then 2^207 times it */
    for (Py_ssize_t x = 0; x < n; x++) { /* the row's non-zero entries: positive ones first, negative ones last */
        mp_size_t size = (mp_size_t)mpz_size(row[x]);
        if (!size) continue;
        const mp_limb_t *l = mpz_limbs_read(row[x]);
        mp_limb_t l0 = l[0], l1 = size > 1 ? l[1] : 0, l2 = size > 2 ? l[2] : 0, v[XL];
        int negative = mpz_sgn(row[x]) < 0;
        Py_ssize_t z = negative ? n - 1 - nneg++ : npos++;
        digits_of(cd[z], 1, l0, l1, l2, 0);
        at[z] = x;
        mp_limb_t mag[XL] = {l0, l1, l2, 0, 0, 0, 0};
        u128 carry = negative; /* C_x in two's complement: -|C| = ~|C| + 1 */
        for (int i = 0; i < XL; i++) {
            carry += negative ? (mp_limb_t)~mag[i] : mag[i];
            v[i] = (mp_limb_t)carry;
            carry >>= 64;
        }
        add_wide(sum, v);
    }
    for (int i = XL - 1; i >= 0; i--) /* bias = sum << BIAS (3 limbs and 15 bits) */
        bias[i] = (i >= 3 ? sum[i - 3] << 15 : 0) | (i >= 4 ? sum[i - 4] >> 49 : 0);
    long long bd[9]; /* ... in nine digits, the last signed (at 2^416) */
    for (int c = 0; c < 9; c++) {
        int bit = 52 * c, li = bit / 64, sh = bit % 64;
        mp_limb_t v = bias[li] >> sh;
        if (sh > 12 && li + 1 < XL) v |= bias[li + 1] << (64 - sh);
        bd[c] = c < 8 ? (long long)(v & DIGIT_MASK) : (long long)(long)(bias[XL - 1]) >> 32;
    }
    mp_limb_t xs[8][XL];
    for (Py_ssize_t v = 0; v < w; v += 8) {
        __m512i P[8], N[8];
        for (int c = 0; c < 8; c++) P[c] = N[c] = _mm512_setzero_si512();
#define GRAM_TERM(ACC, Z, ND)                                                       \
    do {                                                                            \
        const uint64_t *gd = M->d + at[Z] * 4 * w + v;                               \
        __m512i a[4], b[4];                                                         \
        for (int d = 0; d < ND; d++) a[d] = _mm512_set1_epi64((long long)cd[Z][d]); \
        for (int e = 0; e < 4; e++) b[e] = _mm512_loadu_si512(gd + e * w);          \
        for (int d = 0; d < ND; d++)                                                \
            for (int e = 0; e < 4; e++) {                                           \
                ACC[d + e] = _mm512_madd52lo_epu64(ACC[d + e], a[d], b[e]);         \
                ACC[d + e + 1] = _mm512_madd52hi_epu64(ACC[d + e + 1], a[d], b[e]); \
            }                                                                       \
    } while (0)
#define GRAM_TERMS(ACC, Z)                              \
    do {                                                \
        if (cd[Z][3]) GRAM_TERM(ACC, Z, 4);             \
        else if (cd[Z][2]) GRAM_TERM(ACC, Z, 3);        \
        else GRAM_TERM(ACC, Z, 2);                      \
    } while (0)
        for (Py_ssize_t z = 0; z < npos; z++) GRAM_TERMS(P, z);
        for (Py_ssize_t z = n - nneg; z < n; z++) GRAM_TERMS(N, z);
#undef GRAM_TERMS
#undef GRAM_TERM
        lanes_floor(P, N, bd, F, xs);
        for (Py_ssize_t l = v; l < v + 8 && l < M->cols; l++) twos_to_mpz(out[l], xs[l - v], XL);
    }
}
#endif

/* one row of (C @ G) >> F: shared by Gram.times and the recurrence's u = (C @ G) >> F.
 * Entries of at most three limbs (G and the row: 30-digit runs) go by column sums
 * (column_mac) over G's packed limbs, the row entry's size dispatched once for its n
 * products; any other size by row_times.  The same integers either way. */
static int gram_row(Gram *g, mpz_t *row, mpz_t *out, Scratch *sc) {
    Py_ssize_t n = g->n;
#ifdef LANES
    if (g->D.d != NULL && simd_on && g->F < 364 && most_limbs(row, n) <= 3) {
        row_lanes(&g->D, row, out, g->F);
        return 0;
    }
#endif
#ifdef GRAM3
    if (g->G3 != NULL && most_limbs(row, n) <= 3) {
        const mp_size_t width = GRAM_COLS + 2; /* the limbs of one output's column sums */
        if (scratch_fit(sc, width) < 0) return -1;
        u128 *pos = (u128 *)g->cols, *neg = pos + n * GRAM_COLS;
        for (Py_ssize_t x = 0; x < 2 * n * GRAM_COLS; x++) pos[x] = 0;
        for (Py_ssize_t x = 0; x < n; x++) {
            int an = (int)mpz_size(row[x]);
            if (!an) continue;
            const mp_limb_t *ad = mpz_limbs_read(row[x]);
            int sa = mpz_sgn(row[x]) < 0;
            const mp_limb_t *gx = g->G3 + 3 * x * n;
            const unsigned char *nx = g->neg + x * n;
#define GRAM_ROW(AN)                           \
    for (Py_ssize_t l = 0; l < n; l++)         \
        column_mac((sa != nx[l] ? neg : pos) + l * GRAM_COLS, ad, AN, gx + 3 * l)
            switch (an) {
            case 1: GRAM_ROW(1); break;
            case 2: GRAM_ROW(2); break;
            default: GRAM_ROW(3); break;
            }
#undef GRAM_ROW
        }
        for (Py_ssize_t l = 0; l < n; l++) {
            column_limbs(sc->pos, pos + l * GRAM_COLS);
            column_limbs(sc->neg, neg + l * GRAM_COLS);
            floor_difference(out[l], sc->pos, sc->neg, width, g->F, sc->tmp);
        }
        return 0;
    }
#endif
    return row_times(row, n, g->G, n, n, 1, g->gmax, out, g->F, sc);
}

static void Gram_dealloc(Gram *self) {
    free_block(self->G, self->n * self->n);
    free_block(self->row, self->n);
    free_block(self->out, self->n);
    PyMem_Free(self->G3);
    PyMem_Free(self->neg);
    PyMem_Free(self->cols);
    PyMem_Free(self->Gf);
#ifdef LANES
    PyMem_Free(self->D.d);
#endif
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Gram_init(Gram *self, PyObject *args, PyObject *kwds) {
    Py_ssize_t n, F;
    PyObject *values;
    if (self->ready) { PyErr_SetString(PyExc_TypeError, "Gram is initialised once"); return -1; }
    if (!PyArg_ParseTuple(args, "nnO", &n, &F, &values)) return -1;
    if (n < 0 || F < 0) { PyErr_SetString(PyExc_ValueError, "n >= 0, F >= 0"); return -1; }
    self->n = n;
    self->F = (mp_bitcnt_t)F;
    self->ready = 1;
    self->G = new_block(n * n);
    self->row = new_block(n);
    self->out = new_block(n);
    if (!self->G || !self->row || !self->out) { PyErr_NoMemory(); return -1; }
    if (read_into(values, self->G, n * n) < 0) return -1;
    self->gmax = most_limbs(self->G, n * n);
    self->Gf = (double *)PyMem_Malloc(sizeof(double) * (size_t)(n * n + 1));
    if (!self->Gf) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t x = 0; x < n * n; x++)
        self->Gf[x] = limbs_to_double(mpz_limbs_read(self->G[x]), (mp_size_t)mpz_size(self->G[x]), mpz_sgn(self->G[x]) < 0,
                                      (long)F);
#ifdef GRAM3
    if (self->gmax <= 3 && n < ((Py_ssize_t)1 << 40)) {
        self->G3 = (mp_limb_t *)PyMem_Calloc((size_t)(3 * n * n + 1), sizeof(mp_limb_t));
        self->neg = (unsigned char *)PyMem_Calloc((size_t)(n * n + 1), 1);
        self->cols = PyMem_Malloc(sizeof(u128) * (size_t)(2 * n * GRAM_COLS + 1));
        if (!self->G3 || !self->neg || !self->cols) { PyErr_NoMemory(); return -1; }
        for (Py_ssize_t x = 0; x < n * n; x++) {
            mpn_copyi(self->G3 + 3 * x, mpz_limbs_read(self->G[x]), (mp_size_t)mpz_size(self->G[x]));
            self->neg[x] = mpz_sgn(self->G[x]) < 0;
        }
    }
#endif
#ifdef LANES
    if (digits_new(&self->D, self->G, n, n, n, 1) < 0) return -1;
#endif
    return 0;
}

/* times(values): values = one row-major (rows, n) matrix C; returns (C @ G) >> F, flat */
static PyObject *Gram_times(Gram *self, PyObject *args) {
    PyObject *values;
    if (!PyArg_ParseTuple(args, "O", &values)) return NULL;
    PyObject *seq = PySequence_Fast(values, "expected a sequence of integers");
    if (seq == NULL) return NULL;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq), n = self->n;
    if (n == 0 || len % n) { Py_DECREF(seq); PyErr_SetString(PyExc_ValueError, "length not a multiple of n"); return NULL; }
    PyObject **items = PySequence_Fast_ITEMS(seq);
    PyObject *out = PyList_New(len);
    if (out == NULL) { Py_DECREF(seq); return NULL; }
    Scratch sc = {0};
    for (Py_ssize_t r = 0; r < len / n; r++) {
        for (Py_ssize_t l = 0; l < n; l++)
            if (to_mpz(items[r * n + l], self->row[l]) < 0) goto fail;
        if (gram_row(self, self->row, self->out, &sc) < 0) goto fail;
        for (Py_ssize_t k = 0; k < n; k++) {
            PyObject *v = from_mpz(self->out[k]);
            if (v == NULL) goto fail;
            PyList_SET_ITEM(out, r * n + k, v);
        }
    }
    scratch_free(&sc);
    Py_DECREF(seq);
    return out;
fail:
    scratch_free(&sc);
    Py_DECREF(seq);
    Py_DECREF(out);
    return NULL;
}

static PyMethodDef Gram_methods[] = {
    {"times", (PyCFunction)Gram_times, METH_VARARGS, "times(C): (C @ G) >> F for a flat row-major C"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject GramType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "reluflow.integrate._kernel.Gram",
    .tp_doc = "Gram(n, F, G): multiply rows by the fixed n-by-n integer matrix G, floor-shifted by F",
    .tp_basicsize = sizeof(Gram),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Gram_init,
    .tp_dealloc = (destructor)Gram_dealloc,
    .tp_methods = Gram_methods,
};

typedef struct { Py_ssize_t size; mpz_t *z; } Block;

static int block_new(Block *b, Py_ssize_t size) {
    b->size = size;
    b->z = new_block(size);
    if (b->z == NULL) { b->size = 0; PyErr_NoMemory(); return -1; }
    return 0;
}

static void block_free(Block *b) { free_block(b->z, b->size); b->z = NULL; b->size = 0; }

/* One Cauchy operand (a_j, r_k or u_jk): packed while every entry fits, else mpz entries. */
typedef struct { Packed P; Block M; } Operand;

/* packing off: every entry so far into mpz entries (unset ones are 0) */
static int operand_spill(Operand *O) {
    if (!O->P.ok) return 0;
    if (O->M.z == NULL && block_new(&O->M, O->P.rows * O->P.cols) < 0) return -1;
    mpz_t view;
    for (Py_ssize_t row = 0; row < O->P.rows; row++)
        for (Py_ssize_t col = 0; col < O->P.cols; col++)
            mpz_set(O->M.z[row * O->P.cols + col], packed_get(&O->P, row, col, view));
    O->P.ok = 0;
    return 0;
}

/* set entry (row, col) of operand ``which`` of ``all`` (OPERANDS of them, one width); an
 * entry too wide to pack spills them all */
#define OPERANDS 3
static int operand_set(Operand *all, int which, Py_ssize_t row, Py_ssize_t col, mpz_srcptr z) {
    Operand *O = all + which;
    if (O->P.ok && packed_set(&O->P, row, col, z) == 0) return 0;
    for (int x = 0; x < OPERANDS; x++)
        if (operand_spill(all + x) < 0) return -1;
    mpz_set(O->M.z[row * O->P.cols + col], z);
    return 0;
}

/* out = sum_{lo <= i <= hi} X[i, xc] Y[k - i, yc] of two operands (packed or spilled) */
static int operand_cauchy(const Operand *X, Py_ssize_t xc, const Operand *Y, Py_ssize_t yc, Py_ssize_t lo,
                          Py_ssize_t hi, Py_ssize_t k, mpz_ptr out, Scratch *sc) {
    if (X->P.ok && Y->P.ok) return cauchy_packed(&X->P, xc, &Y->P, yc, lo, hi, k, out, sc);
    return cauchy_sum(X->M.z, X->P.cols, xc, Y->M.z, Y->P.cols, yc, lo, hi, k, out, sc);
}

static int read_list(PyObject *values, Block *b, Py_ssize_t len) {
    if (block_new(b, len) < 0) return -1;
    return read_into(values, b->z, len);
}

/* at least ``size`` entries, the existing ones (and their values) kept */
static int block_fit(Block *b, Py_ssize_t size) {
    if (size <= b->size && b->z != NULL) return 0;
    mpz_t *z = (mpz_t *)PyMem_Realloc(b->z, sizeof(mpz_t) * (size_t)(size ? size : 1));
    if (z == NULL) { PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = b->size; i < size; i++) mpz_init(z[i]);
    b->z = z;
    if (size > b->size) b->size = size;
    return 0;
}

static int read_fit(PyObject *values, Block *b, Py_ssize_t len) {
    if (block_fit(b, len) < 0) return -1;
    return read_into(values, b->z, len);
}

/* The recurrence's integers are kept from one call to the next: each entry is written in
 * place (GMP reallocates its limbs only to grow them), where fresh blocks cost a malloc
 * and a free per entry and call.  Every entry a call reads, it has written first.  A
 * call made while the blocks are lent (only possible from Python code run inside a
 * conversion) works on blocks of its own; blocks beyond KEEP_MAX entries in all are
 * freed after the call rather than kept. */
#define KEPT_BLOCKS 16
#define KEEP_MAX (1 << 20) /* about 50 MB of integers at 30 digits */
static Block kept[KEPT_BLOCKS];
static int kept_lent = 0;

static int read_indices(PyObject *values, Py_ssize_t **out, Py_ssize_t *len) {
    PyObject *seq = PySequence_Fast(values, "expected a sequence of indices");
    if (seq == NULL) return -1;
    *len = PySequence_Fast_GET_SIZE(seq);
    *out = (Py_ssize_t *)PyMem_Malloc(sizeof(Py_ssize_t) * (size_t)(*len ? *len : 1));
    if (*out == NULL) { Py_DECREF(seq); PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < *len; i++) {
        (*out)[i] = PyNumber_AsSsize_t(PySequence_Fast_GET_ITEM(seq, i), PyExc_OverflowError);
        if ((*out)[i] == -1 && PyErr_Occurred()) { Py_DECREF(seq); return -1; }
    }
    Py_DECREF(seq);
    return 0;
}

/* ---- Series: one step's jets, kept in GMP memory -------------------------------------
 * Y (orders x m x [a | U | C]) and R (orders x n) of a step.  The solver's hot path reads
 * them here (Horner evaluation, the switch candidates, single columns, norms); Python
 * objects are made only for what it reads, and the whole arrays only on request.
 *
 * Y is packed like the Cauchy operands: each entry its signed limb count and W limbs, in
 * one allocation (an entry wider than W widens every slot).  As ~160,000 separate GMP
 * integers (order 38, m = 100, n = 20) its limbs cost a malloc and a free each, a tenth
 * of a generic run; packed, the step's jets are one block, read through read-only views. */

typedef struct {
    PyObject_HEAD
    Py_ssize_t p, m, n, w, W;
    mp_bitcnt_t F;
    mp_limb_t *Y; /* (p + 1) * m * w slots of W + 1 limbs */
    mpz_t *R;
} Series;

static void Series_dealloc(Series *self) {
    PyMem_Free(self->Y);
    free_block(self->R, self->p * self->n);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyTypeObject SeriesType;

/* a Series of zeros with room for entries of W limbs */
static Series *series_new(Py_ssize_t p, Py_ssize_t m, Py_ssize_t n, Py_ssize_t F, Py_ssize_t W) {
    Series *self = PyObject_New(Series, &SeriesType);
    if (self == NULL) return NULL;
    self->p = p; self->m = m; self->n = n; self->w = 1 + 2 * n; self->F = (mp_bitcnt_t)F; self->W = W;
    self->Y = (mp_limb_t *)PyMem_Calloc((size_t)((p + 1) * m * self->w * (W + 1)), sizeof(mp_limb_t));
    self->R = new_block(p * n);
    if (self->Y == NULL || self->R == NULL) {
        PyMem_Free(self->Y);
        free_block(self->R, self->R ? p * n : 0);
        self->Y = NULL; self->R = NULL; self->p = self->m = self->n = self->w = 0;
        Py_DECREF(self);
        PyErr_NoMemory();
        return NULL;
    }
    return self;
}

/* entry x of Y (flat index) as a read-only mpz */
static inline mpz_srcptr Y_get(const Series *S, Py_ssize_t x, mpz_ptr view) {
    return slot_read(S->Y + x * (S->W + 1), view);
}

/* Y[x] = z, widening every slot first if z has more than W limbs (0, or -1: no memory) */
static int Y_set(Series *S, Py_ssize_t x, mpz_srcptr z) {
    Py_ssize_t size = (Py_ssize_t)mpz_size(z), count = (S->p + 1) * S->m * S->w;
    if (size > S->W) {
        Py_ssize_t W = size;
        mp_limb_t *Y = (mp_limb_t *)PyMem_Calloc((size_t)(count * (W + 1)), sizeof(mp_limb_t));
        if (Y == NULL) { PyErr_NoMemory(); return -1; }
        for (Py_ssize_t i = 0; i < count; i++) {
            const mp_limb_t *from = S->Y + i * (S->W + 1);
            mpn_copyi(Y + i * (W + 1), from, 1 + (mp_size_t)labs((long)from[0]));
        }
        PyMem_Free(S->Y);
        S->Y = Y; S->W = W;
    }
    slot_write(S->Y + x * (S->W + 1), z);
    return 0;
}

/* tolist() -> (Y flat list, R flat list) */
static PyObject *Series_tolist(Series *self, PyObject *Py_UNUSED(ignored)) {
    Py_ssize_t count = (self->p + 1) * self->m * self->w;
    PyObject *Y = PyList_New(count);
    if (Y == NULL) return NULL;
    mpz_t view;
    for (Py_ssize_t x = 0; x < count; x++) {
        PyObject *v = from_mpz(Y_get(self, x, view));
        if (v == NULL) { Py_DECREF(Y); return NULL; }
        PyList_SET_ITEM(Y, x, v);
    }
    PyObject *R = to_list(self->R, self->p * self->n);
    if (R == NULL) { Py_DECREF(Y); return NULL; }
    return Py_BuildValue("(NN)", Y, R);
}

/* residuals() -> R flat list (the solver's sliding checks read R alone: Y is ~40x larger) */
static PyObject *Series_residuals(Series *self, PyObject *Py_UNUSED(ignored)) {
    return to_list(self->R, self->p * self->n);
}

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

/* column(j, c) -> [Y[k, j, c] for k in 0..p] */
static PyObject *Series_column(Series *self, PyObject *args) {
    Py_ssize_t j, c;
    if (!PyArg_ParseTuple(args, "nn", &j, &c)) return NULL;
    if (j < 0 || j >= self->m || c < 0 || c >= self->w) { PyErr_SetString(PyExc_IndexError, "column"); return NULL; }
    PyObject *out = PyList_New(self->p + 1);
    if (out == NULL) return NULL;
    for (Py_ssize_t k = 0; k <= self->p; k++) {
        mpz_t view;
        PyObject *v = from_mpz(Y_get(self, (k * self->m + j) * self->w + c, view));
        if (v == NULL) { Py_DECREF(out); return NULL; }
        PyList_SET_ITEM(out, k, v);
    }
    return out;
}

/* top(k, cols) -> [max_{c < cols} |Y[k, j, c]| for j in range(m)] */
static PyObject *Series_top(Series *self, PyObject *args) {
    Py_ssize_t k, cols;
    if (!PyArg_ParseTuple(args, "nn", &k, &cols)) return NULL;
    if (k < 0 || k > self->p || cols < 1 || cols > self->w) { PyErr_SetString(PyExc_IndexError, "top"); return NULL; }
    PyObject *out = PyList_New(self->m);
    if (out == NULL) return NULL;
    for (Py_ssize_t j = 0; j < self->m; j++) {
        Py_ssize_t row = (k * self->m + j) * self->w, best = 0;
        mpz_t view, best_view;
        for (Py_ssize_t c = 1; c < cols; c++)
            if (mpz_cmpabs(Y_get(self, row + c, view), Y_get(self, row + best, best_view)) > 0) best = c;
        mpz_t a;
        mpz_init(a);
        mpz_abs(a, Y_get(self, row + best, view));
        PyObject *v = from_mpz(a);
        mpz_clear(a);
        if (v == NULL) { Py_DECREF(out); return NULL; }
        PyList_SET_ITEM(out, j, v);
    }
    return out;
}

/* a slot's value times 2^-F, roughly (its top two limbs; relative error below 2^-51) */
static inline double slot_approx(const mp_limb_t *slot, const double *scale) {
    long size = (long)slot[0], n = size < 0 ? -size : size;
    if (!n) return 0.0;
    double v = (double)slot[n] * scale[n] + (n > 1 ? (double)slot[n - 1] * scale[n - 1] : 0.0);
    return size < 0 ? -v : v;
}

/* candidates(active, s_end): events.candidates on the U block, the same pairs in the same order */
static PyObject *Series_candidates(Series *self, PyObject *args) {
    Py_buffer act;
    PyObject *s_obj;
    if (!PyArg_ParseTuple(args, "y*O", &act, &s_obj)) return NULL;
    Py_ssize_t p = self->p, m = self->m, n = self->n, w = self->w;
    PyObject *out = NULL;
    mpz_t s_end, one, *power = NULL, lower, v, t;
    double *scale = NULL; /* scale[i] = 2^(64 (i-1) - F): a limb i's weight */
    mpz_inits(s_end, one, lower, v, t, NULL);
    if (act.len != m * n) { PyErr_SetString(PyExc_ValueError, "active: m*n bytes"); goto end; }
    if (to_mpz(s_obj, s_end) < 0) goto end;
    mpz_set_ui(one, 1);
    mpz_mul_2exp(one, one, self->F);
    int full = mpz_cmp(s_end, one) >= 0;
    power = new_block(p + 1);
    if (power == NULL) { PyErr_NoMemory(); goto end; }
    if (!full) { /* s_end^i rounded up: power = -((-power * s_end) >> F) */
        mpz_set(power[0], one);
        for (Py_ssize_t i = 1; i <= p; i++) {
            mpz_mul(t, power[i - 1], s_end);
            mpz_neg(t, t);
            mpz_fdiv_q_2exp(t, t, self->F);
            mpz_neg(power[i], t);
        }
    }
    const char *a = (const char *)act.buf;
    out = PyList_New(0);
    if (out == NULL) goto end;
    /* a float screen first: the bound in doubles, from the top two limbs of each
     * coefficient and powers of s_end at least the exact bound's (each rounded up by a
     * unit); where it exceeds its rounding (1e-9 of the terms' sum, far above their 2^-51)
     * and the exact bound's floors (a unit per order), the exact bound is positive too and
     * the pair is no candidate; every other pair is bounded exactly, as before */
    scale = (double *)PyMem_Malloc(sizeof(double) * (size_t)(self->W + 2));
    if (scale == NULL) { PyErr_NoMemory(); Py_CLEAR(out); goto end; }
    for (Py_ssize_t i = 0; i <= self->W + 1; i++) scale[i] = ldexp(1.0, (int)(64 * (i - 1) - (long)self->F));
    double sf = full ? 1.0 : ldexp(mpz_get_d(s_end), (int)-self->F), units = (double)(p + 2) * scale[1];
    for (Py_ssize_t j = 0; j < m; j++)
        for (Py_ssize_t l = 0; l < n; l++) {
            int sign = a[j * n + l] ? 1 : -1, moving = 0;
            double lowf = sign * slot_approx(self->Y + (j * w + 1 + l) * (self->W + 1), scale), mag = fabs(lowf), pw = 1;
            for (Py_ssize_t i = 1; i <= p; i++) {
                double c = sign * slot_approx(self->Y + ((i * m + j) * w + 1 + l) * (self->W + 1), scale);
                if (!full) pw = pw * sf + scale[1]; /* at least the exact bound's power, rounded up by a unit each time */
                if (c < 0) {
                    lowf += c * pw;
                    mag -= c * pw;
                }
            }
            if (isfinite(lowf) && isfinite(mag) && lowf > 1e-9 * mag + units) continue;
            mpz_t view;
            mpz_set(lower, Y_get(self, j * w + 1 + l, view));
            if (sign < 0) mpz_neg(lower, lower);
            for (Py_ssize_t i = 1; i <= p; i++) {
                mpz_srcptr c = Y_get(self, (i * m + j) * w + 1 + l, view);
                int sg = mpz_sgn(c) * sign;
                if (sg == 0) continue;
                moving = 1;
                if (sg > 0) continue; /* min(V_i, 0) = 0 */
                if (sign < 0) mpz_neg(v, c); else mpz_set(v, c);
                if (full) {
                    mpz_add(lower, lower, v);
                } else {
                    mpz_mul(t, v, power[i]);
                    mpz_fdiv_q_2exp(t, t, self->F);
                    mpz_add(lower, lower, t);
                }
            }
            if (moving && mpz_sgn(lower) <= 0) {
                PyObject *pair = Py_BuildValue("(nn)", j, l);
                if (pair == NULL || PyList_Append(out, pair) < 0) { Py_XDECREF(pair); Py_CLEAR(out); goto end; }
                Py_DECREF(pair);
            }
        }
end:
    PyMem_Free(scale);
    free_block(power, power ? p + 1 : 0);
    mpz_clears(s_end, one, lower, v, t, NULL);
    PyBuffer_Release(&act);
    return out;
}

/* slot = trunc(v 2^F), the integer of Python's int(ldexp(v, F)) and of mpz_set_d, read
 * straight from the double's bits (the tail's ~45,000 entries of an order-38 step went
 * through ldexp and mpz_set_d: 1.8 ms).  -1 where the general path must take it: an
 * infinity or NaN, a value that ldexp would overflow, or more than W limbs. */
static int slot_from_double(mp_limb_t *slot, Py_ssize_t W, double v, long F) {
#if GMP_NUMB_BITS != 64 || GMP_NAIL_BITS != 0
    return -1;
#endif
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    long ex = (long)((bits >> 52) & 0x7ff);
    uint64_t man = bits & ((UINT64_C(1) << 52) - 1);
    if (ex == 0x7ff || ex + F >= 2047) return -1;
    if (ex == 0) ex = 1; /* subnormal: no hidden bit */
    else man |= UINT64_C(1) << 52;
    long sh = ex - 1075 + F; /* |v| 2^F = man 2^sh */
    mp_size_t size = 0;
    if (sh < 0) {
        man = sh <= -64 ? 0 : man >> -sh;
        if (man) { if (W < 1) return -1; slot[1] = man; size = 1; }
    } else if (man) {
        long limb = sh / 64, bit = sh % 64;
        uint64_t hi = bit ? man >> (64 - bit) : 0;
        size = (mp_size_t)(limb + 1 + (hi != 0));
        if (size > W) return -1;
        for (long x = 0; x < limb; x++) slot[1 + x] = 0;
        slot[1 + limb] = man << bit;
        if (hi) slot[2 + limb] = hi;
    }
    slot[0] = (mp_limb_t)((bits >> 63) ? -(long)size : (long)size);
    return 0;
}

/* Python's int() of a double's value times 2^F: the error it raises where that is no number */
static int scaled_is_finite(double scaled) {
    if (isfinite(scaled)) return 1;
    if (isnan(scaled)) PyErr_SetString(PyExc_ValueError, "cannot convert float NaN to integer");
    else PyErr_SetString(PyExc_OverflowError, "cannot convert float infinity to integer");
    return 0;
}

/* Y[x] = int(ldexp(v, F)), truncated toward 0 as Python truncates (-1: an error is set) */
static int tail_put(Series *S, Py_ssize_t x, double v) {
    if (slot_from_double(S->Y + x * (S->W + 1), S->W, v, (long)S->F) == 0) return 0;
    double scaled = ldexp(v, (int)S->F); /* wider than the slots (Y_set widens them), or no number */
    if (!scaled_is_finite(scaled)) return -1;
    mpz_t z;
    mpz_init(z);
    mpz_set_d(z, scaled);
    int rc = Y_set(S, x, z);
    mpz_clear(z);
    return rc;
}

/* R[x] = int(ldexp(v, F)) (-1: an error is set) */
static int tail_put_r(Series *S, Py_ssize_t x, double v) {
    double scaled = ldexp(v, (int)S->F);
    if (!scaled_is_finite(scaled)) return -1;
    mpz_set_d(S->R[x], scaled);
    return 0;
}

/* order k of a and of the pairs' C and U (pair i at aj[i], ak[i]; all m n pairs, row-major,
 * where aj is NULL) from doubles, and R of order k - 1 */
static int tail_order(Series *S, Py_ssize_t k, const double *a, const double *C, const double *U, const double *r,
                      const Py_ssize_t *aj, const Py_ssize_t *ak, Py_ssize_t na) {
    const Py_ssize_t m = S->m, n = S->n, w = S->w;
    for (Py_ssize_t j = 0; j < m; j++)
        if (tail_put(S, (k * m + j) * w, a[j]) < 0) return -1;
    for (Py_ssize_t i = 0; i < na; i++) {
        Py_ssize_t at = (k * m + (aj ? aj[i] : i / n)) * w + 1 + (aj ? ak[i] : i % n);
        if (tail_put(S, at + n, C[i]) < 0 || tail_put(S, at, U[i]) < 0) return -1;
    }
    for (Py_ssize_t l = 0; l < n; l++)
        if (tail_put_r(S, (k - 1) * n + l, r[l]) < 0) return -1;
    return 0;
}

/* set_tail(k0, F, tail, aj, ak): a float64 tail as integers, per order k0+1..p one row [a
 * (m) | C per pair | U per pair | R of the order before (n)] of doubles (values 2^-F), as
 * tail.float_tail returns it (the recurrence writes its own tail through tail_order: this
 * is for the tests of that conversion) */
static PyObject *Series_set_tail(Series *self, PyObject *args) {
    Py_ssize_t k0, F;
    Py_buffer buf;
    PyObject *aj_obj, *ak_obj;
    if (!PyArg_ParseTuple(args, "nny*OO", &k0, &F, &buf, &aj_obj, &ak_obj)) return NULL;
    Py_ssize_t *aj = NULL, *ak = NULL, na = 0, na2 = 0, m = self->m, n = self->n, rows = self->p - k0;
    PyObject *result = NULL;
    if (k0 < 0 || k0 >= self->p) { PyErr_SetString(PyExc_IndexError, "k0"); goto end; }
    if (F != (Py_ssize_t)self->F) { PyErr_SetString(PyExc_ValueError, "F: the Series' own"); goto end; }
    if (read_indices(aj_obj, &aj, &na) < 0 || read_indices(ak_obj, &ak, &na2) < 0) goto end;
    if (na != na2) { PyErr_SetString(PyExc_ValueError, "aj, ak"); goto end; }
    for (Py_ssize_t i = 0; i < na; i++)
        if (aj[i] < 0 || aj[i] >= m || ak[i] < 0 || ak[i] >= n) { PyErr_SetString(PyExc_IndexError, "pair"); goto end; }
    Py_ssize_t cols = m + 2 * na + n;
    if (buf.len != (Py_ssize_t)sizeof(double) * rows * cols) { PyErr_SetString(PyExc_ValueError, "tail size"); goto end; }
    const double *v = (const double *)buf.buf;
    for (Py_ssize_t x = 0; x < rows; x++) {
        const double *row = v + x * cols;
        if (tail_order(self, k0 + 1 + x, row, row + m, row + m + na, row + m + 2 * na, aj, ak, na) < 0) goto end;
    }
    result = Py_None;
    Py_INCREF(result);
end:
    PyMem_Free(aj); PyMem_Free(ak);
    PyBuffer_Release(&buf);
    return result;
}

static PyObject *Series_shape(Series *self, void *Py_UNUSED(closure)) {
    return Py_BuildValue("(nnn)", self->p, self->m, self->n);
}

static PyMethodDef Series_methods[] = {
    {"tolist", (PyCFunction)Series_tolist, METH_NOARGS, "(Y, R) as flat lists"},
    {"residuals", (PyCFunction)Series_residuals, METH_NOARGS, "R as a flat list"},
    {"horner", (PyCFunction)Series_horner, METH_VARARGS, "horner(which, s): Y (0) or R (1) at the scaled time s"},
    {"column", (PyCFunction)Series_column, METH_VARARGS, "column(j, c): Y[:, j, c]"},
    {"top", (PyCFunction)Series_top, METH_VARARGS, "top(k, cols): per neuron max |Y[k, j, :cols]|"},
    {"candidates", (PyCFunction)Series_candidates, METH_VARARGS, "candidates(active, s_end): events.candidates"},
    {"set_tail", (PyCFunction)Series_set_tail, METH_VARARGS, "set_tail(k0, F, tail, aj, ak): the float64 tail"},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Series_getset[] = {
    {"shape", (getter)Series_shape, NULL, "(order p, m, n)", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject SeriesType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "reluflow.integrate._kernel.Series",
    .tp_doc = "one step's Taylor jets in GMP memory (made by recurrence)",
    .tp_basicsize = sizeof(Series),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_dealloc = (destructor)Series_dealloc,
    .tp_methods = Series_methods,
    .tp_getset = Series_getset,
};

/* ---- the float64 tail (tail.float_tail), operation for operation --------------------
 *
 * Orders k0+1..p of a step's jets in doubles (values 2^-F), written into its Series as
 * Python truncates them.  tail.float_tail uses only elementwise operations and sums in
 * index order from +0, each operation rounded once; the same operations in the same order
 * here give the same doubles, provided that none is fused into a multiply-add (which
 * rounds once for two: contraction off) and none runs in excess precision.  A term known
 * to be 0 (an inactive pair's C) is left out of a sum: adding a zero changes at most the
 * sign of a zero sum, and the sign of a zero reaches no integer. */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "the float64 tail needs double arithmetic without excess precision (FLT_EVAL_METHOD 0)"
#endif

typedef struct {
    Py_ssize_t count;      /* sliding neurons */
    Py_ssize_t *js;        /* ... which */
    const double *Pc, *Pu; /* ... their maps, count x n x n each (tail._sliding_maps) */
} TailMaps;

/* out[j] (+)= x[j] @ M over ``rows`` rows of n (M: n x n), the products added in index order */
static void tail_times(double *out, const double *x, const double *M, Py_ssize_t n, Py_ssize_t rows, int skip_zeros) {
#ifdef __clang__
#pragma clang fp contract(off)
#endif
    for (Py_ssize_t j = 0; j < rows; j++) {
        double *o = out + j * n;
        for (Py_ssize_t l = 0; l < n; l++) o[l] = 0.0;
        for (Py_ssize_t l = 0; l < n; l++) {
            double v = x[j * n + l];
            if (skip_zeros && v == 0.0) continue;
            for (Py_ssize_t c = 0; c < n; c++) o[c] += v * M[l * n + c];
        }
    }
}

/* the tail of a step whose orders 0..k0 are exact: lf, rf ((p + 1) x 3 na, zero past row
 * k0) hold those rows' Cauchy columns as tail.float_tail's lf0, rf0; Gf NULL on orthogonal
 * inputs (then gf: G_kk per pair); hsh: the pairs' shifts F - 2 e_j.  -1: an error is set */
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("fp-contract=off")))
#endif
static int float_tail(Series *S, Py_ssize_t k0, const Py_ssize_t *aj, const Py_ssize_t *ak, Py_ssize_t na,
                      const unsigned long *hsh, double Hf, const double *Gf, const double *gf, const TailMaps *maps,
                      double *lf, double *rf) {
#ifdef __clang__
#pragma clang fp contract(off)
#endif
    const Py_ssize_t p = S->p, m = S->m, n = S->n, cols = 3 * na, mv = Gf ? m * n : na;
    double *mem = (double *)PyMem_Malloc(sizeof(double) * (size_t)(cols + 2 * na + m + 2 * n + 3 * mv + 1));
    if (mem == NULL) { PyErr_NoMemory(); return -1; }
    double *acc = mem, *ps = acc + cols, *q = ps + na, *a1 = q + na, *r = a1 + m, *us = r + n, *Ck = us + n,
           *Uk = Ck + mv, *dc = Uk + mv; /* dc: n (a sliding row's C increment) */
    const double *a0 = lf, *u0 = rf; /* row 0: a_j and u_jk per pair */
    int rc = -1;
    for (Py_ssize_t i = 0; i < na; i++) ps[i] = ldexp(1.0, (int)((long)S->F - (long)hsh[i])); /* 2^(2 e_j) */
    for (Py_ssize_t k = k0; k < p; k++) {
        for (Py_ssize_t x = 0; x < cols; x++) acc[x] = 0.0;
        for (Py_ssize_t t = 0; t <= k; t++) {
            const double *x = lf + t * cols, *y = rf + (k - t) * cols;
            for (Py_ssize_t c = 0; c < cols; c++) acc[c] += x[c] * y[c];
        }
        for (Py_ssize_t l = 0; l < n; l++) r[l] = 0.0;
        for (Py_ssize_t i = 0; i < na; i++) r[ak[i]] += acc[i] * ps[i];
        for (Py_ssize_t l = 0; l < n; l++) r[l] = -r[l];
        double c = Hf / (double)(n * (k + 1));
        for (Py_ssize_t j = 0; j < m; j++) a1[j] = 0.0;
        for (Py_ssize_t i = 0; i < na; i++) a1[aj[i]] += acc[2 * na + i] + r[ak[i]] * u0[i];
        for (Py_ssize_t j = 0; j < m; j++) a1[j] *= c;
        for (Py_ssize_t i = 0; i < na; i++) q[i] = (acc[na + i] + a0[i] * r[ak[i]]) * c;
        if (Gf == NULL) {
            for (Py_ssize_t i = 0; i < na; i++) { Ck[i] = q[i]; Uk[i] = q[i] * gf[i]; }
        } else {
            for (Py_ssize_t x = 0; x < m * n; x++) Ck[x] = 0.0;
            for (Py_ssize_t i = 0; i < na; i++) Ck[aj[i] * n + ak[i]] = q[i];
            tail_times(Uk, Ck, Gf, n, m, 1);
            for (Py_ssize_t s = 0; maps != NULL && s < maps->count; s++) {
                Py_ssize_t j = maps->js[s];
                for (Py_ssize_t l = 0; l < n; l++) us[l] = Uk[j * n + l];
                tail_times(dc, us, maps->Pc + s * n * n, n, 1, 0);
                for (Py_ssize_t l = 0; l < n; l++) Ck[j * n + l] += dc[l];
                tail_times(Uk + j * n, us, maps->Pu + s * n * n, n, 1, 0);
            }
        }
        if (tail_order(S, k + 1, a1, Ck, Uk, r, Gf ? NULL : aj, Gf ? NULL : ak, mv) < 0) goto done;
        double *lk = lf + k * cols, *rk = rf + k * cols, *ln = lk + cols, *rn = rk + cols;
        for (Py_ssize_t i = 0; i < na; i++) {
            double ri = r[ak[i]], ai = a1[aj[i]], ui = Gf ? Uk[aj[i] * n + ak[i]] : Uk[i];
            rk[na + i] = lk[2 * na + i] = ri;
            ln[i] = ln[na + i] = ai;
            rn[i] = rn[2 * na + i] = ui;
        }
    }
    rc = 0;
done:
    PyMem_Free(mem);
    return rc;
}

/* ---- the whole recurrence of one step (taylor.jets) ----------------------------------
 *
 * The same integers as the reference loop in taylor.jets, statement by statement (the
 * comments name its variables); orders below 2**float_below units are handed back to
 * the shared float64 tail of tail.py, as correctly rounded doubles (like NumPy's
 * int -> float conversion).
 */

/* entry (row, col) of a Cauchy operand as limbs_to_double converts it */
static inline double operand_double(Operand *O, Py_ssize_t row, Py_ssize_t col, long F) {
    if (O->P.ok) {
        const mp_limb_t *slot = O->P.data + (col * O->P.rows + row) * (O->P.W + 1);
        long size = (long)slot[0];
        return limbs_to_double(slot + 1, size < 0 ? -size : size, size < 0, F);
    }
    mpz_srcptr z = O->M.z[row * O->P.cols + col];
    return limbs_to_double(mpz_limbs_read(z), (mp_size_t)mpz_size(z), mpz_sgn(z) < 0, F);
}

static int bit_length(const mpz_t x) { return mpz_sgn(x) ? (int)mpz_sizeinbase(x, 2) : 0; }

/* ---- Projector: the sliding projection of one sliding set (sliding.project) ----------
 * Made once per sliding set S (sliding.compiled_projector caches it), read by every jets
 * call of a run: its matrices were ~3,700 Python ints converted to GMP per call (half a
 * millisecond, a sixth of a decision's prefix jets).  S, the basis B, G_BB^-1 and G_B. */
typedef struct {
    PyObject_HEAD
    Py_ssize_t n, nS, nB, *S, *B;
    Block ginv, gb;         /* (nB, nB) and (nB, n), F-bit fixed point */
    mp_size_t ginvmax, gbmax; /* the most limbs of an entry of each */
    Digits Dginv, Dgb;        /* the same for the vector sums: ginv transposed, gb (d NULL: none) */
    int ready;                /* initialised, every field checked */
} Projector;

static void Projector_dealloc(Projector *self) {
    PyMem_Free(self->S);
    PyMem_Free(self->B);
    block_free(&self->ginv);
    block_free(&self->gb);
    PyMem_Free(self->Dginv.d);
    PyMem_Free(self->Dgb.d);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Projector_init(Projector *self, PyObject *args, PyObject *kwds) {
    PyObject *So, *Bo, *go, *bo;
    Py_ssize_t n;
    if (self->S != NULL || self->B != NULL) {
        PyErr_SetString(PyExc_TypeError, "Projector is initialised once");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "nOOOO", &n, &So, &Bo, &go, &bo)) return -1;
    self->n = n;
    if (read_indices(So, &self->S, &self->nS) < 0 || read_indices(Bo, &self->B, &self->nB) < 0) return -1;
    int bad = n < 0;
    for (Py_ssize_t x = 0; x < self->nS; x++) bad |= self->S[x] < 0 || self->S[x] >= n;
    for (Py_ssize_t x = 0; x < self->nB; x++) bad |= self->B[x] < 0 || self->B[x] >= n;
    if (bad) { PyErr_SetString(PyExc_IndexError, "projector index"); return -1; }
    if (read_list(go, &self->ginv, self->nB * self->nB) < 0 || read_list(bo, &self->gb, self->nB * n) < 0) return -1;
    self->ginvmax = most_limbs(self->ginv.z, self->ginv.size);
    self->gbmax = most_limbs(self->gb.z, self->gb.size);
#ifdef LANES
    if (digits_new(&self->Dginv, self->ginv.z, self->nB, self->nB, 1, self->nB) < 0 ||
        digits_new(&self->Dgb, self->gb.z, self->nB, n, n, 1) < 0)
        return -1;
#endif
    self->ready = 1;
    return 0;
}

static PyTypeObject ProjectorType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "reluflow.integrate._kernel.Projector",
    .tp_doc = "Projector(n, S, B, ginv, gb): the sliding projection of one sliding set, for recurrence",
    .tp_basicsize = sizeof(Projector),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Projector_init,
    .tp_dealloc = (destructor)Projector_dealloc,
};

/* The projections of one call: (neuron j, its set's Projector), borrowed from the arguments. */
typedef struct { Py_ssize_t j; Projector *P; } Proj;

/* projectors: [(j, Projector), ...] */
static int projs_read(PyObject *obj, Py_ssize_t n, Py_ssize_t m, Proj **out, Py_ssize_t *count, Py_ssize_t *nBmax) {
    PyObject *seq = PySequence_Fast(obj, "projectors: expected a sequence");
    if (seq == NULL) return -1;
    *count = PySequence_Fast_GET_SIZE(seq);
    *nBmax = 0;
    *out = (Proj *)PyMem_Calloc((size_t)(*count ? *count : 1), sizeof(Proj));
    if (*out == NULL) { Py_DECREF(seq); PyErr_NoMemory(); return -1; }
    for (Py_ssize_t i = 0; i < *count; i++) {
        PyObject *jo, *po;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "OO", &jo, &po)) goto fail;
        if (!PyObject_TypeCheck(po, &ProjectorType) || !((Projector *)po)->ready) {
            PyErr_SetString(PyExc_TypeError, "projectors: (j, Projector) pairs");
            goto fail;
        }
        Proj *P = *out + i;
        P->P = (Projector *)po;
        P->j = PyNumber_AsSsize_t(jo, PyExc_OverflowError);
        if (P->j == -1 && PyErr_Occurred()) goto fail;
        if (P->j < 0 || P->j >= m || P->P->n != n) { PyErr_SetString(PyExc_IndexError, "projector"); goto fail; }
        if (P->P->nB > *nBmax) *nBmax = P->P->nB;
    }
    Py_DECREF(seq);
    return 0;
fail:
    Py_DECREF(seq);
    return -1;
}

/* out[l] = (sum_{x < len} row[x] M[x*sx + l*sl]) >> F for l < cols: by the vector sums
 * over D (M's digits) where they can take the row, else by row_times; the same integers */
static int product_floor(const Digits *D, mpz_t *row, Py_ssize_t len, mpz_t *M, Py_ssize_t cols, Py_ssize_t sx,
                         Py_ssize_t sl, mp_size_t mmax, mpz_t *out, mp_bitcnt_t F, Scratch *sc) {
#ifdef LANES
    if (D->d != NULL && simd_on && F < 364 && most_limbs(row, len) <= 3) {
        row_lanes(D, row, out, F);
        return 0;
    }
#endif
    return row_times(row, len, M, cols, sx, sl, mmax, out, F, sc);
}

/* The sliding projection of one order (sliding.project): delta = -((ginv @ U_jB) >> F),
 * C_jB += delta, U_j += (delta @ gb) >> F, U_jS = 0; both products by row_times (exact
 * sums, then the floor shift: the integers of the reference's object-array dots).
 * ``row``: nBmax read-only views; ``delta``, ``sum``: nBmax and n entries. */
static int project_order(Proj *projs, Py_ssize_t count, mpz_t *Ck, mpz_t *Uk, Py_ssize_t n, Py_ssize_t F, mpz_t *row,
                         mpz_t *delta, mpz_t *sum, Scratch *sc) {
    for (Py_ssize_t p = 0; p < count; p++) {
        Projector *P = projs[p].P;
        mpz_t *Cj = Ck + projs[p].j * n, *Uj = Uk + projs[p].j * n;
        Py_ssize_t nB = P->nB;
        if (nB) {
            for (Py_ssize_t b = 0; b < nB; b++) row[b][0] = Uj[P->B[b]][0]; /* U_jB: views, never written */
            if (product_floor(&P->Dginv, row, nB, P->ginv.z, nB, 1, nB, P->ginvmax, delta, (mp_bitcnt_t)F, sc) < 0)
                return -1;
            for (Py_ssize_t a = 0; a < nB; a++) {
                mpz_neg(delta[a], delta[a]);
                mpz_add(Cj[P->B[a]], Cj[P->B[a]], delta[a]);
            }
            if (product_floor(&P->Dgb, delta, nB, P->gb.z, n, n, 1, P->gbmax, sum, (mp_bitcnt_t)F, sc) < 0) return -1;
            for (Py_ssize_t l = 0; l < n; l++) mpz_add(Uj[l], Uj[l], sum[l]);
        }
        for (Py_ssize_t x = 0; x < P->nS; x++) mpz_set_ui(Uj[P->S[x]], 0);
    }
    return 0;
}

/* ---- exits: the sliding groups' exit quantities (sliding.exit_jets) -------------------
 * exits(series, projs, active, signs, single, pins, low, reached, short).  Per basis pair b
 * of each sliding set (projs: [(j, Projector)], the sets with a basis, in order; signs:
 * sign a_j per set; active: m*n bytes) the multiplier term mu_b = -((G_BB^-1 V) >> F),
 * V = (G_BA r_A) >> F, on the residual jets in GMP memory.  For a single group (single[x]:
 * no other surface input is a multiple of x_b) its quantities as sliding._single_exits
 * makes them, (tol, low, high, attract); for another group mu_b itself (sliding._group_exit
 * takes it from there).  pins[x]: bit 0 the value of r_b is noise (pinned member0 or
 * attract), bits 1-3 low, high, attract at their bound (value 0).  ``low``: the orders
 * that size a group's shift; ``reached``: the noise level before it.  Returns None when a
 * prefix (``short``) cannot tell the sign of some r_b: the caller raises events.Short.
 * Half of a generic run's sliding checks were these ~150 groups on object arrays. */

/* out = v >> sh (floor) for sh > 0, else v << -sh (sliding._scaled) */
static void scaled(mpz_ptr out, mpz_srcptr v, long sh) {
    if (sh > 0) mpz_fdiv_q_2exp(out, v, (mp_bitcnt_t)sh);
    else mpz_mul_2exp(out, v, (mp_bitcnt_t)(-sh));
}

/* (tol, low, high, attract) of the single group of basis point b (jets rb, mu: p entries) */
static PyObject *single_exit(mpz_t *R, Py_ssize_t n, Py_ssize_t p, Py_ssize_t b, mpz_t *mu, long sign_a, long pin,
                             Py_ssize_t low, mpz_srcptr reached, mp_bitcnt_t F, int shortp, mpz_t *q, mpz_ptr tol) {
    long bits = 0;
    for (Py_ssize_t k = 0; k < low; k++) {
        long rb = bit_length(R[k * n + b]), mb = bit_length(mu[k]);
        if (rb > bits) bits = rb;
        if (mb > bits) bits = mb;
    }
    long sh = bits - (long)(F + 8);
    scaled(tol, reached, sh);
    if (mpz_cmp(tol, reached) < 0) mpz_set(tol, reached);
    int sign = 0; /* the lead of r_b scaled: order 0 beyond tol, else its first non-zero order */
    scaled(q[0], R[b], sh);
    if (!(pin & 1) && mpz_cmpabs(q[0], tol) > 0) sign = mpz_sgn(q[0]);
    for (Py_ssize_t k = 1; k < p && !sign; k++) { /* a floor shift may round a small value to 0 */
        scaled(q[k], R[k * n + b], sh);
        sign = mpz_sgn(q[k]);
    }
    if (!sign && shortp) return Py_None; /* borrowed: "cannot tell" */
    PyObject *rows[3] = {NULL, NULL, NULL};
    for (int which = 0; which < 3; which++) {
        for (Py_ssize_t k = 0; k < p; k++) {
            mpz_srcptr rb = R[k * n + b];
            mpz_ptr v = q[k];
            if (which == 0) { if (sign < 0) mpz_sub(v, mu[k], rb); else mpz_set(v, mu[k]); }
            else if (which == 1) { if (sign > 0) mpz_sub(v, rb, mu[k]); else mpz_neg(v, mu[k]); }
            else if (sign_a > 0) mpz_neg(v, rb);
            else mpz_set(v, rb);
            scaled(v, v, sh);
        }
        if (pin & (2 << which)) mpz_set_ui(q[0], 0);
        rows[which] = to_list(q, p);
        if (rows[which] == NULL) break;
    }
    PyObject *t = rows[2] ? from_mpz(tol) : NULL;
    if (t == NULL) { Py_XDECREF(rows[0]); Py_XDECREF(rows[1]); Py_XDECREF(rows[2]); return NULL; }
    return Py_BuildValue("(NNNN)", t, rows[0], rows[1], rows[2]);
}

static PyObject *exits(PyObject *module, PyObject *args) {
    PyObject *series_o, *projs_o, *signs_o, *single_o, *pins_o, *reached_o;
    Py_buffer act;
    Py_ssize_t low;
    int shortp;
    if (!PyArg_ParseTuple(args, "O!Oy*OOOnOp", &SeriesType, &series_o, &projs_o, &act, &signs_o, &single_o, &pins_o,
                          &low, &reached_o, &shortp))
        return NULL;
    Series *S = (Series *)series_o;
    Py_ssize_t p = S->p, n = S->n, m = S->m, count = 0, nB_max = 0, nsigns = 0, nsingle = 0, npins = 0, total = 0;
    Proj *projs = NULL;
    Py_ssize_t *signs = NULL, *single = NULL, *pins = NULL;
    PyObject *out = NULL, *result = NULL;
    Block V = {0}, mu = {0}, q = {0};
    mpz_t *row = NULL, reached, tol, zero;
    Scratch sc = {0};
    mpz_inits(reached, tol, zero, NULL);
    if (act.len != m * n) { PyErr_SetString(PyExc_ValueError, "active: m*n bytes"); goto end; }
    if (p < 1 || low < 0 || low > p) { PyErr_SetString(PyExc_ValueError, "exits: 0 <= low <= p, p >= 1"); goto end; }
    if (projs_read(projs_o, n, m, &projs, &count, &nB_max) < 0 || read_indices(signs_o, &signs, &nsigns) < 0 ||
        read_indices(single_o, &single, &nsingle) < 0 || read_indices(pins_o, &pins, &npins) < 0 ||
        to_mpz(reached_o, reached) < 0)
        goto end;
    for (Py_ssize_t s = 0; s < count; s++) total += projs[s].P->nB;
    if (nsigns != count || nsingle != total || npins != total) {
        PyErr_SetString(PyExc_ValueError, "exits: one sign per set, one single flag and one pin per basis pair");
        goto end;
    }
    if (block_new(&V, nB_max * p) < 0 || block_new(&mu, nB_max * p) < 0 || block_new(&q, p) < 0) goto end;
    row = (mpz_t *)PyMem_Malloc(sizeof(mpz_t) * (size_t)(n ? n : 1));
    out = row == NULL ? PyErr_NoMemory() : PyList_New(total);
    if (out == NULL) goto end;
    mp_size_t rmax = most_limbs(S->R, p * n);
    const unsigned char *a = (const unsigned char *)act.buf;
    for (Py_ssize_t s = 0, x = 0; s < count; s++) {
        Projector *P = projs[s].P;
        Py_ssize_t nB = P->nB, j = projs[s].j;
        for (Py_ssize_t c = 0; c < nB; c++) { /* V_c = (G_bA r_A) >> F: G_b. on the active points (views) */
            for (Py_ssize_t l = 0; l < n; l++) row[l][0] = a[j * n + l] ? P->gb.z[c * n + l][0] : zero[0];
            if (row_times(row, n, S->R, p, 1, n, rmax, V.z + c * p, S->F, &sc) < 0) goto end;
        }
        mp_size_t vmax = most_limbs(V.z, nB * p);
        for (Py_ssize_t i = 0; i < nB; i++) { /* mu_i = -((ginv_i. V) >> F) */
            if (row_times(P->ginv.z + i * nB, nB, V.z, p, p, 1, vmax, mu.z + i * p, S->F, &sc) < 0) goto end;
            for (Py_ssize_t k = 0; k < p; k++) mpz_neg(mu.z[i * p + k], mu.z[i * p + k]);
        }
        for (Py_ssize_t i = 0; i < nB; i++, x++) {
            PyObject *item = single[x] ? single_exit(S->R, n, p, P->B[i], mu.z + i * p, (long)signs[s], (long)pins[x], low,
                                                     reached, S->F, shortp, q.z, tol)
                                       : to_list(mu.z + i * p, p);
            if (item == NULL) goto end;
            if (item == Py_None) { result = Py_None; Py_INCREF(result); goto end; }
            PyList_SET_ITEM(out, x, item);
        }
    }
    result = out;
    out = NULL;
end:
    Py_XDECREF(out);
    PyMem_Free(row);
    PyMem_Free(projs);
    PyMem_Free(signs); PyMem_Free(single); PyMem_Free(pins);
    block_free(&V); block_free(&mu); block_free(&q);
    scratch_free(&sc);
    mpz_clears(reached, tol, zero, NULL);
    PyBuffer_Release(&act);
    return result;
}

/* the float64 tail's sliding maps: None, or (js, Pc, Pu) with Pc and Pu bytes of len(js)
 * n x n doubles each (tail.tail_maps); the bytes stay with the caller's argument */
static int maps_read(PyObject *obj, Py_ssize_t m, Py_ssize_t n, TailMaps *maps) {
    maps->count = 0;
    if (obj == Py_None) return 0;
    PyObject *js_obj, *pc, *pu;
    if (!PyArg_ParseTuple(obj, "OSS", &js_obj, &pc, &pu)) return -1;
    if (read_indices(js_obj, &maps->js, &maps->count) < 0) return -1;
    for (Py_ssize_t s = 0; s < maps->count; s++)
        if (maps->js[s] < 0 || maps->js[s] >= m) { PyErr_SetString(PyExc_IndexError, "maps: neuron"); return -1; }
    Py_ssize_t size = (Py_ssize_t)sizeof(double) * maps->count * n * n;
    if (PyBytes_GET_SIZE(pc) != size || PyBytes_GET_SIZE(pu) != size) {
        PyErr_SetString(PyExc_ValueError, "maps: n x n doubles per sliding neuron");
        return -1;
    }
    maps->Pc = (const double *)PyBytes_AS_STRING(pc);
    maps->Pu = (const double *)PyBytes_AS_STRING(pu);
    return 0;
}

static PyObject *recurrence(PyObject *module, PyObject *args) {
    Py_ssize_t F, p, m, n, float_from, float_below;
    int packing = 1; /* 0: products from the mpz entries only (the packed path's reference) */
    PyObject *H_obj, *aj_obj, *ak_obj, *hshift_obj, *y_obj, *g_obj, *gram_obj, *a_obj, *U_obj, *C_obj, *proj_obj,
        *pins_obj, *maps_obj, *start_obj = Py_None;
    if (!PyArg_ParseTuple(args, "nnOnnOOOOOOOOOnnOOO|pO", &F, &p, &H_obj, &m, &n, &aj_obj, &ak_obj, &hshift_obj, &y_obj,
                          &g_obj, &gram_obj, &a_obj, &U_obj, &C_obj, &float_from, &float_below, &proj_obj, &pins_obj,
                          &maps_obj, &packing, &start_obj))
        return NULL;
    int ortho = g_obj != Py_None;
    if (float_from == 0 || float_from < -1) { /* the tail's test reads orders the loop made (k >= 1) */
        PyErr_SetString(PyExc_ValueError, "float_from: -1 (no float64 tail) or an order >= 1");
        return NULL;
    }
    if (!ortho && !PyObject_TypeCheck(gram_obj, &GramType)) {
        PyErr_SetString(PyExc_TypeError, "general inputs need the Gram kernel");
        return NULL;
    }
    Gram *gram = ortho ? NULL : (Gram *)gram_obj;
    if (gram != NULL && gram->n != n) {
        PyErr_SetString(PyExc_ValueError, "the Gram kernel's size is not n");
        return NULL;
    }
    PyObject *result = NULL;
    Py_ssize_t *aj = NULL, *ak = NULL, na = 0, na2 = 0, *pins = NULL, npins = 0;
    unsigned long *hsh = NULL; /* hshift per pair */
    mp_limb_t *wide = NULL;    /* the fixed-width path's sums per point or neuron */
#ifdef LANES
    Lanes lanes[3] = {{0}}; /* a, r, u per pair, when the vector sums are on */
    uint64_t *lanes_own = NULL; /* their memory in a nested call (the kept store is lent) */
    size_t lanes_own_cap = 0;
#endif
    Block H = {0}, hshift = {0}, y = {0}, g = {0}, a0s = {0}, U0 = {0}, C0 = {0}, A = {0}, Cs = {0}, Us = {0}, R = {0},
          acc = {0}, rk = {0}, q = {0}, tmp = {0}, sums = {0};
    Block *mine[KEPT_BLOCKS] = {&H, &hshift, &y, &g, &a0s, &U0, &C0, &A, &Cs, &Us, &R, &acc, &rk, &q, &tmp, &sums};
    int borrowed = !kept_lent;
    if (borrowed) {
        for (int i = 0; i < KEPT_BLOCKS; i++) { *mine[i] = kept[i]; kept[i] = (Block){0}; }
        kept_lent = 1;
    }
    double *lf = NULL, *rf = NULL;
    Py_ssize_t k0 = -1, w = 1 + 2 * n, nprojs = 0, nBmax = 0;
    Proj *projs = NULL;
    TailMaps maps = {0};
    mpz_t *pview = NULL; /* the projections' read-only views of U_jB */
    Block pdelta = {0}, psum = {0};
    Scratch sc = {0};
    /* the Cauchy operands, each series once: a_j per neuron, r_k per point, u_jk per active
     * pair (the reference's columns [a_j | a_j | r_k] and [u_jk | r_k | u_jk] held each a_j
     * and r_k once per pair: three times the memory that every order streams through) */
    Operand ops[OPERANDS] = {{{0}}};
    enum { OA, OR, OU };

    if (read_indices(aj_obj, &aj, &na) < 0 || read_indices(ak_obj, &ak, &na2) < 0) goto done;
    if (na != na2 || na == 0) { PyErr_SetString(PyExc_ValueError, "aj, ak: one non-empty list of pairs"); goto done; }
    for (Py_ssize_t i = 0; i < na; i++)
        if (aj[i] < 0 || aj[i] >= m || ak[i] < 0 || ak[i] >= n) { PyErr_SetString(PyExc_IndexError, "pair"); goto done; }
    PyObject *H_seq = PyTuple_Pack(1, H_obj);
    if (H_seq == NULL) goto done;
    int H_rc = read_fit(H_seq, &H, 1);
    Py_DECREF(H_seq);
    if (H_rc < 0) goto done;
    if (read_fit(hshift_obj, &hshift, na) < 0 || read_fit(y_obj, &y, n) < 0 || read_fit(a_obj, &a0s, m) < 0 ||
        read_fit(U_obj, &U0, m * n) < 0 || read_fit(C_obj, &C0, m * n) < 0)
        goto done;
    if (ortho && read_fit(g_obj, &g, na) < 0) goto done;
    hsh = (unsigned long *)PyMem_Malloc(sizeof(unsigned long) * (size_t)na);
    wide = (mp_limb_t *)PyMem_Malloc(sizeof(mp_limb_t) * (size_t)((n > m ? n : m) * 8 + 1));
    if (hsh == NULL || wide == NULL) { PyErr_NoMemory(); goto done; }
#ifdef LANES
    int keep_lanes = borrowed && 15 * (p + 1) * (na + 8) <= KEEP_MAX * 8; /* at most 64 MB kept */
    if (simd_ok && simd_on && packing &&
        lanes_new(lanes, p + 1, na, keep_lanes ? &lanes_store : &lanes_own, keep_lanes ? &lanes_cap : &lanes_own_cap) < 0)
        goto done;
#endif
    for (Py_ssize_t i = 0; i < na; i++) {
        if (mpz_sgn(hshift.z[i]) < 0 || !mpz_fits_ulong_p(hshift.z[i])) {
            PyErr_SetString(PyExc_ValueError, "hshift: shifts of at least 0"); goto done;
        }
        hsh[i] = mpz_get_ui(hshift.z[i]);
    }
    if (read_indices(pins_obj, &pins, &npins) < 0) goto done;
    if (projs_read(proj_obj, n, m, &projs, &nprojs, &nBmax) < 0) goto done;
    if (maps_read(maps_obj, m, n, &maps) < 0) goto done;
    pview = (mpz_t *)PyMem_Malloc(sizeof(mpz_t) * (size_t)(nBmax ? nBmax : 1));
    if (pview == NULL) { PyErr_NoMemory(); goto done; }
    if (block_new(&pdelta, nBmax) < 0 || block_new(&psum, n) < 0) goto done;
    for (Py_ssize_t i = 0; i + 1 < npins; i += 2)
        if (pins[i] < 0 || pins[i] >= m || pins[i + 1] < 0 || pins[i + 1] >= n) {
            PyErr_SetString(PyExc_IndexError, "pin"); goto done;
        }
    Py_ssize_t cols = 3 * na, mv = ortho ? na : m * n; /* moving entries of C and U per order */
    if (block_fit(&A, (p + 1) * m) < 0 || block_fit(&Cs, (p + 1) * mv) < 0 || block_fit(&Us, (p + 1) * mv) < 0 ||
        block_fit(&R, p * n) < 0 || block_fit(&acc, cols) < 0 || block_fit(&rk, na) < 0 || block_fit(&q, na) < 0 ||
        block_fit(&tmp, 2) < 0 || block_fit(&sums, n > m ? n : m) < 0)
        goto done;
    mpz_ptr t0 = tmp.z[0], c = tmp.z[1];
    /* packing width: the widest state entry or label, plus one limb of headroom */
    size_t widest = 1;
    for (Py_ssize_t j = 0; j < m; j++) if (mpz_size(a0s.z[j]) > widest) widest = mpz_size(a0s.z[j]);
    for (Py_ssize_t x = 0; x < m * n; x++) if (mpz_size(U0.z[x]) > widest) widest = mpz_size(U0.z[x]);
    for (Py_ssize_t l = 0; l < n; l++) if (mpz_size(y.z[l]) > widest) widest = mpz_size(y.z[l]);
    if (packed_new(&ops[OA].P, (Py_ssize_t)widest + 1, p + 1, m) < 0 ||
        packed_new(&ops[OR].P, (Py_ssize_t)widest + 1, p + 1, n) < 0 ||
        packed_new(&ops[OU].P, (Py_ssize_t)widest + 1, p + 1, na) < 0)
        goto done;
    if (!packing)
        for (int x = 0; x < OPERANDS; x++)
            if (operand_spill(ops + x) < 0) goto done;
#define SET(which, row, col, val) do { if (operand_set(ops, which, row, col, val) < 0) goto done; } while (0)
    /* order 0: a_j and u_jk (r_k is set once known: the Cauchy sums of order k stop short of it) */
    for (Py_ssize_t j = 0; j < m; j++) SET(OA, 0, j, a0s.z[j]);
    for (Py_ssize_t i = 0; i < na; i++) SET(OU, 0, i, U0.z[aj[i] * n + ak[i]]);
    /* (order 0 of a, U and C stays in a0s, U0 and C0: A, Us and Cs are read from order 1 on) */
    /* resume: orders 1..k1, and r of the orders below k1, from ``start``: prefix jets (no
     * float64 tail) of this very state, pattern and step, whose orders are exactly what the
     * loop below would make first (the caller checks that they belong to this step) */
    Py_ssize_t k1 = 0;
    if (start_obj != Py_None) {
        if (!PyObject_TypeCheck(start_obj, &SeriesType)) {
            PyErr_SetString(PyExc_TypeError, "start: a Series (prefix jets) or None"); goto done;
        }
        const Series *S0 = (const Series *)start_obj;
        if (S0->m != m || S0->n != n || (Py_ssize_t)S0->F != F || S0->p < 1 || S0->p >= p) {
            PyErr_SetString(PyExc_ValueError, "start: prefix jets of this step's m, n and F, of an order 1..p-1");
            goto done;
        }
        k1 = S0->p;
        mpz_t view;
        for (Py_ssize_t k = 1; k <= k1; k++) {
            for (Py_ssize_t j = 0; j < m; j++) {
                mpz_set(A.z[k * m + j], Y_get(S0, (k * m + j) * w, view));
                SET(OA, k, j, A.z[k * m + j]);
            }
            mpz_t *Ck = Cs.z + k * mv, *Uk = Us.z + k * mv;
            if (ortho)
                for (Py_ssize_t i = 0; i < na; i++) {
                    mpz_set(Uk[i], Y_get(S0, (k * m + aj[i]) * w + 1 + ak[i], view));
                    mpz_set(Ck[i], Y_get(S0, (k * m + aj[i]) * w + 1 + n + ak[i], view));
                }
            else
                for (Py_ssize_t j = 0; j < m; j++)
                    for (Py_ssize_t l = 0; l < n; l++) {
                        mpz_set(Uk[j * n + l], Y_get(S0, (k * m + j) * w + 1 + l, view));
                        mpz_set(Ck[j * n + l], Y_get(S0, (k * m + j) * w + 1 + n + l, view));
                    }
            for (Py_ssize_t i = 0; i < na; i++) SET(OU, k, i, ortho ? Uk[i] : Uk[aj[i] * n + ak[i]]);
        }
        for (Py_ssize_t x = 0; x < k1 * n; x++) mpz_set(R.z[x], S0->R[x]);
        for (Py_ssize_t k = 0; k < k1; k++)
            for (Py_ssize_t l = 0; l < n; l++) SET(OR, k, l, R.z[k * n + l]);
    }
    for (Py_ssize_t k = k1; k < p; k++) {
        if (float_from >= 0 && k >= float_from) { /* the float64 tail from here on? */
            int top = 0;
            if (ortho) /* a, u of the order's active pairs */
                for (Py_ssize_t i = 0; i < na; i++) {
                    int b1 = bit_length(A.z[k * m + aj[i]]), b2 = bit_length(Us.z[k * mv + i]);
                    if (b1 > top) top = b1;
                    if (b2 > top) top = b2;
                }
            else { /* every a, u and C of the order */
                for (Py_ssize_t j = 0; j < m; j++) { int b = bit_length(A.z[k * m + j]); if (b > top) top = b; }
                for (Py_ssize_t x = 0; x < mv; x++) {
                    int b1 = bit_length(Us.z[k * mv + x]), b2 = bit_length(Cs.z[k * mv + x]);
                    if (b1 > top) top = b1;
                    if (b2 > top) top = b2;
                }
            }
            /* and r of the last order */
            for (Py_ssize_t l = 0; l < n; l++) { int b = bit_length(R.z[(k - 1) * n + l]); if (b > top) top = b; }
            if (top <= float_below) { k0 = k; break; }
        }
        mpz_t *Cn = Cs.z + (k + 1) * mv, *Un = Us.z + (k + 1) * mv;
        if (!ortho)
            for (Py_ssize_t x = 0; x < m * n; x++) mpz_set_ui(Cn[x], 0); /* inactive entries: 0 */
        mpz_fdiv_q_ui(c, H.z[0], (unsigned long)(n * (k + 1)));
        /* r_k, a_{k+1} and C_{k+1}: in fixed width while the operands have at most three limbs */
        int have_r = 0, have_next = 0;
#ifdef FIXED3
        if (ops[OA].P.ok && ops[OR].P.ok && ops[OU].P.ok && ops[OA].P.W >= 3 && ops[OA].P.most <= 3 &&
            ops[OR].P.most <= 3 && ops[OU].P.most <= 3) {
            Sums S = {&ops[OA].P, &ops[OR].P, &ops[OU].P, aj, ak, na};
#ifdef LANES
            S.lanes = lanes[0].d != NULL && k < MAX_TERMS ? lanes : NULL;
            if (S.lanes) {
                lanes_sync(lanes, S.A, aj, na, k);
                lanes_sync(lanes + 2, S.U, NULL, na, k);
            }
#endif
            fixed_residual(&S, hsh, n, k, R.z + k * n, y.z, wide);
            have_r = 1;
            for (Py_ssize_t l = 0; l < n; l++) SET(OR, k, l, R.z[k * n + l]);
            if (ops[OR].P.ok && ops[OR].P.most <= 3) { /* r_k is an operand of the next sums */
#ifdef LANES
                if (S.lanes) lanes_sync(lanes + 1, S.R, ak, na, k);
#endif
                if (fixed_next(&S, m, n, k, c, (mp_bitcnt_t)(2 * F), A.z + (k + 1) * m, Cn, ortho, wide, &sc) < 0)
                    goto done;
                have_next = 1;
            }
        }
#endif
        if (!have_next) {
            /* acc = Cauchy products of order k: [(a u)_k | (a r)_k | (r u)_k] per pair, without
             * the terms of the unknown r_k (a_0 r_k and r_k u_0, added below) */
            for (Py_ssize_t i = 0; i < na; i++)
                if ((!have_r && operand_cauchy(ops + OA, aj[i], ops + OU, i, 0, k, k, acc.z[i], &sc) < 0) ||
                    operand_cauchy(ops + OA, aj[i], ops + OR, ak[i], 1, k, k, acc.z[na + i], &sc) < 0 ||
                    operand_cauchy(ops + OR, ak[i], ops + OU, i, 0, k - 1, k, acc.z[2 * na + i], &sc) < 0)
                    goto done;
            if (!have_r) { /* r = -(sum per point of acc[:na] >> hshift) (+ y at k = 0) */
                for (Py_ssize_t l = 0; l < n; l++) mpz_set_ui(sums.z[l], 0);
                for (Py_ssize_t i = 0; i < na; i++) {
                    mpz_fdiv_q_2exp(t0, acc.z[i], hsh[i]);
                    mpz_add(sums.z[ak[i]], sums.z[ak[i]], t0);
                }
                for (Py_ssize_t l = 0; l < n; l++) {
                    mpz_ptr r = R.z[k * n + l];
                    mpz_neg(r, sums.z[l]);
                    if (k == 0) mpz_add(r, r, y.z[l]);
                }
                for (Py_ssize_t l = 0; l < n; l++) SET(OR, k, l, R.z[k * n + l]);
            }
            for (Py_ssize_t i = 0; i < na; i++) mpz_set(rk.z[i], R.z[k * n + ak[i]]);
            /* ak1 = (sum per neuron of acc[2na:] + rk * u0) * c >> 2F */
            for (Py_ssize_t j = 0; j < m; j++) mpz_set_ui(sums.z[j], 0);
            for (Py_ssize_t i = 0; i < na; i++) {
                mpz_mul(t0, rk.z[i], U0.z[aj[i] * n + ak[i]]); /* r_k u_0 */
                mpz_add(t0, t0, acc.z[2 * na + i]);
                mpz_add(sums.z[aj[i]], sums.z[aj[i]], t0);
            }
            for (Py_ssize_t j = 0; j < m; j++) {
                mpz_mul(t0, sums.z[j], c);
                mpz_fdiv_q_2exp(A.z[(k + 1) * m + j], t0, 2 * F);
            }
            /* C = (acc[na:2na] + a0 * rk) * c >> 2F */
            for (Py_ssize_t i = 0; i < na; i++) {
                mpz_mul(q.z[i], a0s.z[aj[i]], rk.z[i]); /* a_0 r_k */
                mpz_add(q.z[i], q.z[i], acc.z[na + i]);
                mpz_mul(t0, q.z[i], c);
                mpz_fdiv_q_2exp(ortho ? Cn[i] : Cn[aj[i] * n + ak[i]], t0, 2 * F);
            }
        }
        if (ortho) {
            for (Py_ssize_t i = 0; i < na; i++) {
                mpz_mul(t0, Cn[i], g.z[i]);
                mpz_fdiv_q_2exp(Un[i], t0, F);
            }
        } else {
            for (Py_ssize_t j = 0; j < m; j++) /* Uk = (Ck @ G) >> F */
                if (gram_row(gram, Cn + j * n, Un + j * n, &sc) < 0) goto done;
            if (project_order(projs, nprojs, Cn, Un, n, F, pview, pdelta.z, psum.z, &sc) < 0) goto done;
            if (k == 0)
                for (Py_ssize_t i = 0; i + 1 < npins; i += 2) {
                    mpz_ptr v = Un[pins[i] * n + pins[i + 1]];
                    mpz_abs(t0, v);
                    mpz_fdiv_q_2exp(t0, t0, (mp_bitcnt_t)(F / 2));
                    if (mpz_sgn(t0) == 0) mpz_set_ui(v, 0);
                }
        }
        /* the operands' next entries: a_{k+1}, u_{k+1} (r_k is set above) */
        for (Py_ssize_t j = 0; j < m; j++) SET(OA, k + 1, j, A.z[(k + 1) * m + j]);
        for (Py_ssize_t i = 0; i < na; i++) SET(OU, k + 1, i, ortho ? Un[i] : Un[aj[i] * n + ak[i]]);
#undef SET
    }
    /* results: the step's Series (zeros past k0, filled by set_tail) and the float prefixes */
    Py_ssize_t last = k0 < 0 ? p : k0; /* orders 0..last are exact */
    size_t W = 1; /* the widest exact entry: the Series' slot width */
#define WIDEN(z) do { if (mpz_size(z) > W) W = mpz_size(z); } while (0)
    for (Py_ssize_t j = 0; j < m; j++) WIDEN(a0s.z[j]);
    for (Py_ssize_t x = 0; x < m * n; x++) { WIDEN(U0.z[x]); WIDEN(C0.z[x]); }
    for (Py_ssize_t x = m; x < (last + 1) * m; x++) WIDEN(A.z[x]);
    for (Py_ssize_t x = mv; x < (last + 1) * mv; x++) { WIDEN(Us.z[x]); WIDEN(Cs.z[x]); }
#undef WIDEN
    Series *S = series_new(p, m, n, F, (Py_ssize_t)W);
    if (S == NULL) goto done;
    /* (no entry is wider than W: Y_set cannot fail here) */
    for (Py_ssize_t j = 0; j < m; j++) {
        Y_set(S, j * w, a0s.z[j]);
        for (Py_ssize_t l = 0; l < n; l++) {
            Y_set(S, j * w + 1 + l, U0.z[j * n + l]);
            Y_set(S, j * w + 1 + n + l, C0.z[j * n + l]);
        }
    }
    for (Py_ssize_t k = 1; k <= last; k++) {
        for (Py_ssize_t j = 0; j < m; j++) Y_set(S, (k * m + j) * w, A.z[k * m + j]);
        if (ortho) {
            for (Py_ssize_t i = 0; i < na; i++) {
                Y_set(S, (k * m + aj[i]) * w + 1 + ak[i], Us.z[k * mv + i]);
                Y_set(S, (k * m + aj[i]) * w + 1 + n + ak[i], Cs.z[k * mv + i]);
            }
        } else {
            for (Py_ssize_t j = 0; j < m; j++)
                for (Py_ssize_t l = 0; l < n; l++) {
                    Y_set(S, (k * m + j) * w + 1 + l, Us.z[k * mv + j * n + l]);
                    Y_set(S, (k * m + j) * w + 1 + n + l, Cs.z[k * mv + j * n + l]);
                }
        }
    }
    for (Py_ssize_t x = 0; x < last * n; x++) mpz_swap(S->R[x], R.z[x]);
    if (k0 >= 0) { /* orders k0+1..p in float64 */
        lf = (double *)PyMem_Calloc((size_t)((p + 1) * cols + m + n + na + 1), sizeof(double));
        rf = (double *)PyMem_Calloc((size_t)((p + 1) * cols + 1), sizeof(double));
        if (lf == NULL || rf == NULL) { Py_DECREF(S); PyErr_NoMemory(); goto done; }
        double *ad = lf + (p + 1) * cols, *rd = ad + m, *gf = rd + n; /* a row's a_j, r_l as doubles; G_kk per pair */
        /* rows 0..k0 in the reference's columns [a_j | a_j | r_k] and [u_jk | r_k | u_jk] (r_k0 is 0: not known) */
        for (Py_ssize_t row = 0; row <= k0; row++) {
            double *lr = lf + row * cols, *rr = rf + row * cols;
            for (Py_ssize_t j = 0; j < m; j++) ad[j] = operand_double(ops + OA, row, j, (long)F);
            for (Py_ssize_t l = 0; l < n; l++) rd[l] = operand_double(ops + OR, row, l, (long)F);
            for (Py_ssize_t i = 0; i < na; i++) {
                double u = operand_double(ops + OU, row, i, (long)F);
                lr[i] = lr[na + i] = ad[aj[i]];
                lr[2 * na + i] = rr[na + i] = rd[ak[i]];
                rr[i] = rr[2 * na + i] = u;
            }
        }
        if (ortho)
            for (Py_ssize_t i = 0; i < na; i++)
                gf[i] = limbs_to_double(mpz_limbs_read(g.z[i]), (mp_size_t)mpz_size(g.z[i]), mpz_sgn(g.z[i]) < 0, (long)F);
        double Hf = limbs_to_double(mpz_limbs_read(H.z[0]), (mp_size_t)mpz_size(H.z[0]), 0, (long)F);
        if (float_tail(S, k0, aj, ak, na, hsh, Hf, ortho ? NULL : gram->Gf, gf, &maps, lf, rf) < 0) {
            Py_DECREF(S);
            goto done;
        }
    }
    result = Py_BuildValue("(Nn)", (PyObject *)S, k0);
done:
    PyMem_Free(aj); PyMem_Free(ak); PyMem_Free(pins); PyMem_Free(lf); PyMem_Free(rf);
    PyMem_Free(hsh); PyMem_Free(wide);
#ifdef LANES
    PyMem_Free(lanes_own);
#endif
    PyMem_Free(projs);
    PyMem_Free(maps.js);
    PyMem_Free(pview);
    block_free(&pdelta);
    block_free(&psum);
    scratch_free(&sc);
    for (int x = 0; x < OPERANDS; x++) {
        PyMem_Free(ops[x].P.data);
        block_free(&ops[x].M);
    }
    Py_ssize_t entries = 0;
    for (int i = 0; i < KEPT_BLOCKS; i++) entries += mine[i]->size;
    for (int i = 0; i < KEPT_BLOCKS; i++) {
        if (borrowed && entries <= KEEP_MAX) kept[i] = *mine[i];
        else block_free(mine[i]);
    }
    if (borrowed) kept_lent = 0;
    return result;
}

/* to_double(values, F) -> [ldexp(float(x), -F) for x in values], as the recurrence hands
 * its exact orders to the float64 tail (for tests: the rounding of every case) */
static PyObject *to_double(PyObject *module, PyObject *args) {
    PyObject *values;
    Py_ssize_t F;
    if (!PyArg_ParseTuple(args, "On", &values, &F)) return NULL;
    PyObject *seq = PySequence_Fast(values, "expected a sequence of integers");
    if (seq == NULL) return NULL;
    Py_ssize_t len = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(len);
    mpz_t z;
    mpz_init(z);
    for (Py_ssize_t i = 0; out != NULL && i < len; i++) {
        PyObject *v = NULL;
        if (to_mpz(PySequence_Fast_GET_ITEM(seq, i), z) == 0)
            v = PyFloat_FromDouble(limbs_to_double(mpz_limbs_read(z), (mp_size_t)mpz_size(z), mpz_sgn(z) < 0, (long)F));
        if (v == NULL) Py_CLEAR(out);
        else PyList_SET_ITEM(out, i, v);
    }
    mpz_clear(z);
    Py_DECREF(seq);
    return out;
}

/* simd() -> whether the vector sums run; simd(flag) switches them (on only where the CPU has them) */
static PyObject *simd(PyObject *module, PyObject *args) {
    int flag = -1;
    if (!PyArg_ParseTuple(args, "|p", &flag)) return NULL;
#ifdef LANES
    if (flag >= 0) simd_on = flag;
    return PyBool_FromLong(simd_ok && simd_on);
#else
    return PyBool_FromLong(0);
#endif
}

static PyMethodDef module_methods[] = {
    {"simd", simd, METH_VARARGS, "simd([flag]): whether the recurrence's Cauchy sums run eight pairs at a time (AVX-512 IFMA)"},
    {"recurrence", recurrence, METH_VARARGS, "the Taylor recurrence of one step (see taylor.jets)"},
    {"exits", exits, METH_VARARGS, "the sliding groups' exit quantities (see sliding.exit_jets)"},
    {"to_double", to_double, METH_VARARGS, "to_double(values, F): ldexp(float(x), -F) each, as the tail gets them"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef kernel_module = {
    PyModuleDef_HEAD_INIT, "_kernel", "GMP kernels for reluflow's Taylor recurrence", -1, module_methods,
};

PyMODINIT_FUNC PyInit__kernel(void) {
    if (PyType_Ready(&GramType) < 0 || PyType_Ready(&SeriesType) < 0 || PyType_Ready(&ProjectorType) < 0) return NULL;
    PyObject *m = PyModule_Create(&kernel_module);
    if (m == NULL) return NULL;
#ifdef LANES
    __builtin_cpu_init();
    simd_ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
              __builtin_cpu_supports("avx512ifma");
#endif
    Py_INCREF(&GramType);
    Py_INCREF(&ProjectorType);
    if (PyModule_AddObject(m, "Gram", (PyObject *)&GramType) < 0 ||
        PyModule_AddObject(m, "Projector", (PyObject *)&ProjectorType) < 0 ||
        PyModule_AddStringConstant(m, "GMP_VERSION", gmp_version) < 0 ||
        PyModule_AddIntConstant(m, "API", KERNEL_API) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
