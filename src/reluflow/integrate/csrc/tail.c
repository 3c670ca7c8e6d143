/* tail.c: the float64 tail of high orders, and its conversion into the Series
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

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
#if defined(__GNUC__) && !defined(__clang__)
#define UNFUSED __attribute__((optimize("fp-contract=off"))) /* GCC; clang: the pragma in each body */
#else
#define UNFUSED
#endif

typedef struct {
    Py_ssize_t count;      /* sliding neurons */
    Py_ssize_t *js;        /* ... which */
    const double *Pc, *Pu; /* ... their maps, count x n x n each (tail._sliding_maps) */
} TailMaps;

/* out[j] = x[j] @ M over ``rows`` rows of n (M: n x n), the products added in index order */
UNFUSED static void tail_times(double *out, const double *x, const double *M, Py_ssize_t n, Py_ssize_t rows, int skip_zeros) {
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
UNFUSED static int float_tail(Series *S, Py_ssize_t k0, const Py_ssize_t *aj, const Py_ssize_t *ak, Py_ssize_t na,
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
