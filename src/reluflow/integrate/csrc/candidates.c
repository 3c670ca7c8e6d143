/* candidates.c: the switch candidates of a step (events.candidates)
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

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
