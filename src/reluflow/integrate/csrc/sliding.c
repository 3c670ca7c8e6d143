/* sliding.c: sliding projections and exit quantities
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

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
    Digits DR = {0}; /* d NULL: none (no vector sums, or an entry of R wider than three limbs) */
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
#ifdef LANES
    if (count && digits_new(&DR, S->R, n, p, 1, n) < 0) goto end; /* R's digits, for the vector products */
#endif
    const unsigned char *a = (const unsigned char *)act.buf;
    for (Py_ssize_t s = 0, x = 0; s < count; s++) {
        Projector *P = projs[s].P;
        Py_ssize_t nB = P->nB, j = projs[s].j;
        for (Py_ssize_t c = 0; c < nB; c++) { /* V_c = (G_bA r_A) >> F: G_b. on the active points (views) */
            for (Py_ssize_t l = 0; l < n; l++) row[l][0] = a[j * n + l] ? P->gb.z[c * n + l][0] : zero[0];
            if (product_floor(&DR, row, n, S->R, p, 1, n, rmax, V.z + c * p, S->F, &sc) < 0) goto end;
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
    PyMem_Free(DR.d);
    scratch_free(&sc);
    mpz_clears(reached, tol, zero, NULL);
    PyBuffer_Release(&act);
    return result;
}
