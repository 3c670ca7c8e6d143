/* series.c: a step's jets in GMP memory (the Series type)
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

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

/* the methods defined in horner.c, candidates.c and tail.c */
static PyObject *Series_horner(Series *self, PyObject *args);
static PyObject *Series_candidates(Series *self, PyObject *args);
static PyObject *Series_set_tail(Series *self, PyObject *args);

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
