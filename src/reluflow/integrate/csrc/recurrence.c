/* recurrence.c: the Taylor recurrence of one step
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

/* ---- the whole recurrence of one step (taylor.jets) ----------------------------------
 *
 * The same integers as the reference loop in taylor.jets, statement by statement (the
 * comments name its variables); orders below 2**float_below units go to the float64 tail
 * (tail.c) from correctly rounded doubles of the exact orders (like NumPy's int -> float
 * conversion).
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
