/* numbers.c: Python integers, GMP integers and doubles
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

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

/* bit length of |x| (0 for 0) */
static int bit_length(const mpz_t x) { return mpz_sgn(x) ? (int)mpz_sizeinbase(x, 2) : 0; }
