/* gram.c: the Gram product (C @ G) >> F
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

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
