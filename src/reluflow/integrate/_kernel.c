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
 *
 * One translation unit in parts (csrc/, included below in order; every function static,
 * so the compiler sees and inlines across all of them as in one file):
 *   numbers.c     Python integers <-> mpz, correctly rounded doubles
 *   limbs.c       sums of products at the limb level, packed operands
 *   fixed.c       an order's sums in fixed-width two's complement (three-limb entries)
 *   lanes.c       the same sums eight at a time in 52-bit digits (AVX-512 IFMA)
 *   sums.c        one order's Cauchy sums and their consumers, scalar or in lanes
 *   gram.c        the Gram type
 *   blocks.c      the recurrence's GMP blocks, kept from call to call
 *   series.c      the Series type; horner.c, candidates.c its end state and switch screen
 *   tail.c        the float64 tail of high orders
 *   sliding.c     the sliding projections (Projector) and exit quantities (exits)
 *   recurrence.c  the recurrence of one step
 */
#define PY_SSIZE_T_CLEAN
#define KERNEL_API 8 /* bump with every change of the interface; kernel.py refuses another */
#include <Python.h>
#include <gmp.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>
#include <stdint.h>

#include "csrc/numbers.c"
#include "csrc/limbs.c"
#include "csrc/fixed.c"
#include "csrc/lanes.c"
#include "csrc/sums.c"
#include "csrc/gram.c"
#include "csrc/blocks.c"
#include "csrc/series.c"
#include "csrc/horner.c"
#include "csrc/candidates.c"
#include "csrc/tail.c"
#include "csrc/sliding.c"
#include "csrc/recurrence.c"

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
