/* Compiled big-integer arithmetic for the Taylor recurrence (reluflow.integrate.taylor).
 *
 * The recurrence itself stays in Python (one code path, readable, shared with the pure
 * reference); this module only replaces its two big-integer hot spots, with GMP:
 *
 *   Cauchy   the Cauchy products of one order, acc_j = sum_{i<=k} L[i][j] * R[k-i][j],
 *            over rows kept in GMP memory between orders (NumPy object arrays pay a
 *            Python call per product);
 *   Gram     (C @ G) >> F for the fixed Gram matrix G.
 *
 * Integer arithmetic is exact and >> is a floor shift in both Python and GMP
 * (mpz_fdiv_q_2exp), so the results are the same integers as the pure path's: the
 * trajectories are byte-identical (tests/test_kernel.py).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <gmp.h>
#include <stdlib.h>
#include <string.h>

/* ---- conversions between Python integers and mpz_t -------------------------------- */

static int to_mpz(PyObject *obj, mpz_t out) {
    PyObject *v = PyNumber_Index(obj); /* Python int, gmpy2 mpz, NumPy integer */
    if (v == NULL) return -1;
    int overflow = 0;
    long small = PyLong_AsLongAndOverflow(v, &overflow);
    if (!overflow) {
        Py_DECREF(v);
        if (small == -1 && PyErr_Occurred()) return -1;
        mpz_set_si(out, small);
        return 0;
    }
    int negative = _PyLong_Sign(v) < 0;
    PyObject *mag = negative ? PyNumber_Absolute(v) : (Py_INCREF(v), v);
    Py_DECREF(v);
    if (mag == NULL) return -1;
    size_t bits = _PyLong_NumBits(mag);
    size_t nbytes = bits / 8 + 1;
    unsigned char *buf = (unsigned char *)malloc(nbytes);
    if (buf == NULL) { Py_DECREF(mag); PyErr_NoMemory(); return -1; }
#if PY_VERSION_HEX >= 0x030D0000
    int rc = _PyLong_AsByteArray((PyLongObject *)mag, buf, nbytes, 1, 0, 1);
#else
    int rc = _PyLong_AsByteArray((PyLongObject *)mag, buf, nbytes, 1, 0);
#endif
    Py_DECREF(mag);
    if (rc < 0) { free(buf); return -1; }
    mpz_import(out, nbytes, -1, 1, 0, 0, buf);
    free(buf);
    if (negative) mpz_neg(out, out);
    return 0;
}

static PyObject *from_mpz(const mpz_t z) {
    if (mpz_fits_slong_p(z)) return PyLong_FromLong(mpz_get_si(z));
    size_t nbytes = (mpz_sizeinbase(z, 2) + 7) / 8;
    unsigned char *buf = (unsigned char *)malloc(nbytes);
    if (buf == NULL) return PyErr_NoMemory();
    size_t count = 0;
    mpz_export(buf, &count, -1, 1, 0, 0, z);
    PyObject *mag = _PyLong_FromByteArray(buf, count, 1, 0);
    free(buf);
    if (mag == NULL || mpz_sgn(z) >= 0) return mag;
    PyObject *neg = PyNumber_Negative(mag);
    Py_DECREF(mag);
    return neg;
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

/* ---- Cauchy: rows of two series, products of one order ----------------------------- */

typedef struct {
    PyObject_HEAD
    Py_ssize_t rows, cols;
    mpz_t *L, *R, *acc;
} Cauchy;

static void Cauchy_dealloc(Cauchy *self) {
    free_block(self->L, self->rows * self->cols);
    free_block(self->R, self->rows * self->cols);
    free_block(self->acc, self->cols);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int Cauchy_init(Cauchy *self, PyObject *args, PyObject *kwds) {
    Py_ssize_t rows, cols;
    if (self->L) { PyErr_SetString(PyExc_TypeError, "Cauchy is initialised once"); return -1; }
    if (!PyArg_ParseTuple(args, "nn", &rows, &cols)) return -1;
    if (rows < 1 || cols < 0) { PyErr_SetString(PyExc_ValueError, "rows >= 1, cols >= 0"); return -1; }
    self->rows = rows;
    self->cols = cols;
    self->L = new_block(rows * cols);
    self->R = new_block(rows * cols);
    self->acc = new_block(cols);
    if (!self->L || !self->R || !self->acc) { PyErr_NoMemory(); return -1; }
    return 0;
}

/* put(side, row, start, values): side 0 = left, 1 = right; values go to [start, start+len) */
static PyObject *Cauchy_put(Cauchy *self, PyObject *args) {
    int side;
    Py_ssize_t row, start;
    PyObject *values;
    if (!PyArg_ParseTuple(args, "innO", &side, &row, &start, &values)) return NULL;
    Py_ssize_t len = PySequence_Size(values);
    if (len < 0) return NULL;
    if (row < 0 || row >= self->rows || start < 0 || start + len > self->cols) {
        PyErr_SetString(PyExc_IndexError, "put outside the series");
        return NULL;
    }
    mpz_t *base = (side ? self->R : self->L) + row * self->cols + start;
    if (read_into(values, base, len) < 0) return NULL;
    Py_RETURN_NONE;
}

/* order(k): [sum_{i<=k} L[i][j] R[k-i][j] for j in range(cols)] */
static PyObject *Cauchy_order(Cauchy *self, PyObject *args) {
    Py_ssize_t k;
    if (!PyArg_ParseTuple(args, "n", &k)) return NULL;
    if (k < 0 || k >= self->rows) { PyErr_SetString(PyExc_IndexError, "order outside the series"); return NULL; }
    Py_ssize_t c = self->cols;
    for (Py_ssize_t j = 0; j < c; j++) {
        mpz_set_ui(self->acc[j], 0);
        for (Py_ssize_t i = 0; i <= k; i++) {
            mpz_srcptr a = self->L[i * c + j], b = self->R[(k - i) * c + j];
            if (mpz_sgn(a) && mpz_sgn(b)) mpz_addmul(self->acc[j], a, b);
        }
    }
    return to_list(self->acc, c);
}

static PyMethodDef Cauchy_methods[] = {
    {"put", (PyCFunction)Cauchy_put, METH_VARARGS, "put(side, row, start, values): set entries of one row"},
    {"order", (PyCFunction)Cauchy_order, METH_VARARGS, "order(k): the Cauchy products of order k, per column"},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject CauchyType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "reluflow.integrate._kernel.Cauchy",
    .tp_doc = "Cauchy(rows, cols): two series of integer rows and their order-k products",
    .tp_basicsize = sizeof(Cauchy),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Cauchy_init,
    .tp_dealloc = (destructor)Cauchy_dealloc,
    .tp_methods = Cauchy_methods,
};

/* ---- Gram: (C @ G) >> F for a fixed integer matrix G -------------------------------- */

typedef struct {
    PyObject_HEAD
    Py_ssize_t n;
    mp_bitcnt_t F;
    mpz_t *G, *row, *out, acc;
    int ready; /* acc initialised */
} Gram;

static void Gram_dealloc(Gram *self) {
    free_block(self->G, self->n * self->n);
    free_block(self->row, self->n);
    free_block(self->out, self->n);
    if (self->ready) mpz_clear(self->acc);
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
    mpz_init(self->acc);
    self->ready = 1;
    self->G = new_block(n * n);
    self->row = new_block(n);
    self->out = new_block(n);
    if (!self->G || !self->row || !self->out) { PyErr_NoMemory(); return -1; }
    return read_into(values, self->G, n * n);
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
    for (Py_ssize_t r = 0; r < len / n; r++) {
        int any = 0;
        for (Py_ssize_t l = 0; l < n; l++) {
            if (to_mpz(items[r * n + l], self->row[l]) < 0) { Py_DECREF(seq); Py_DECREF(out); return NULL; }
            any |= mpz_sgn(self->row[l]) != 0;
        }
        for (Py_ssize_t k = 0; k < n; k++) {
            mpz_set_ui(self->acc, 0);
            if (any)
                for (Py_ssize_t l = 0; l < n; l++)
                    if (mpz_sgn(self->row[l])) mpz_addmul(self->acc, self->row[l], self->G[l * n + k]);
            mpz_fdiv_q_2exp(self->out[k], self->acc, self->F);
            PyObject *v = from_mpz(self->out[k]);
            if (v == NULL) { Py_DECREF(seq); Py_DECREF(out); return NULL; }
            PyList_SET_ITEM(out, r * n + k, v);
        }
    }
    Py_DECREF(seq);
    return out;
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

static struct PyModuleDef kernel_module = {
    PyModuleDef_HEAD_INIT, "_kernel", "GMP kernels for reluflow's Taylor recurrence", -1, NULL,
};

PyMODINIT_FUNC PyInit__kernel(void) {
    if (PyType_Ready(&CauchyType) < 0 || PyType_Ready(&GramType) < 0) return NULL;
    PyObject *m = PyModule_Create(&kernel_module);
    if (m == NULL) return NULL;
    Py_INCREF(&CauchyType);
    Py_INCREF(&GramType);
    if (PyModule_AddObject(m, "Cauchy", (PyObject *)&CauchyType) < 0 ||
        PyModule_AddObject(m, "Gram", (PyObject *)&GramType) < 0 ||
        PyModule_AddStringConstant(m, "GMP_VERSION", gmp_version) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
