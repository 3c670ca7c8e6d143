/* blocks.c: the recurrence's blocks of GMP integers, kept from call to call
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

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
