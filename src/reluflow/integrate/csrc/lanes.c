/* lanes.c: the sums eight at a time in 52-bit digits (AVX-512 IFMA)
 * (part of _kernel.c: a unity build, every part included in order, every function static) */

#ifdef FIXED3
/* ---- the same sums eight pairs at a time (x86-64 with AVX-512 IFMA) -----------------------
 * Each operand of the sums also kept per pair in lanes: the magnitude's four 52-bit digits
 * and the sign, order after order, eight pairs to a vector (a and r repeated for each pair
 * of their neuron or point).  One vector multiply-add (vpmadd52lo/hi) makes eight digit
 * products: a Cauchy sum of eight pairs in 64 of them per term, into column sums of
 * positive and negative products (masked by the product's sign; each below 2^63 for fewer
 * than 256 terms), whose difference, carried, is the sum exactly.  Scalar three-limb
 * products cost ~10 ns here against ~2.5 ns per product this way (AMD EPYC).  Chosen at
 * run time (CPUID: avx512f, avx512dq, avx512ifma) and switchable (simd()), so tests run
 * both ways on the same data. */
#if defined(__x86_64__) && defined(__GNUC__) && (__GNUC__ >= 8 || defined(__clang__))
#define LANES 1
#include <immintrin.h>
#define DIGIT_MASK ((1ULL << 52) - 1)
#define MAX_TERMS 255 /* terms of one sum: the column sums stay below 2^63 */
#define BIAS 207 /* row_lanes' matrices as digits of M + 2^207 (|M| < 2^192): all positive */
/* d: [row][digit][lane], s: [row][lane]; nd: [row][block] the digits that the eight lanes of
 * a block use at most (0..4: a sum's terms multiply only those) */
typedef struct { Py_ssize_t rows, width, filled; uint64_t *d, *s; unsigned char *nd; } Lanes;
static int simd_ok = 0, simd_on = 1;

/* the four 52-bit digits of a value below 2^208 (limbs l0..l3), at d[0], d[w], d[2w], d[3w] */
static inline void digits_of(uint64_t *d, Py_ssize_t w, mp_limb_t l0, mp_limb_t l1, mp_limb_t l2, mp_limb_t l3) {
    d[0] = l0 & DIGIT_MASK;
    d[w] = ((l0 >> 52) | (l1 << 12)) & DIGIT_MASK;
    d[2 * w] = ((l1 >> 40) | (l2 << 24)) & DIGIT_MASK;
    d[3 * w] = ((l2 >> 28) | (l3 << 36)) & DIGIT_MASK;
}

/* The three lanes of a call in one block, kept from call to call (lanes_sync writes every
 * word a sum reads, padding lanes included): fresh, ~5 MB per call at m = 100, n = 20,
 * order 38 came as new pages each time, whose faults cost as much as the sums. */
static uint64_t *lanes_store = NULL;
static size_t lanes_cap = 0;

/* lanes[0..3) for ``rows`` orders of ``na`` pairs in ``*mem`` (grown as needed; NULL: not kept, the caller frees it) */
static int lanes_new(Lanes *lanes, Py_ssize_t rows, Py_ssize_t na, uint64_t **mem, size_t *cap) {
    Py_ssize_t width = (na + 7) / 8 * 8;
    size_t need = (size_t)(3 * rows * (5 * width + width / 8)) + 1; /* (nd: a byte per block, within width / 8 words) */
    if (need > *cap) {
        PyMem_Free(*mem);
        *mem = (uint64_t *)PyMem_Malloc(need * sizeof(uint64_t));
        *cap = *mem ? need : 0;
        if (*mem == NULL) { PyErr_NoMemory(); return -1; }
    }
    for (int x = 0; x < 3; x++) {
        Lanes *L = lanes + x;
        L->rows = rows;
        L->width = width;
        L->filled = 0;
        L->d = *mem + x * rows * 5 * width;
        L->s = L->d + rows * 4 * width;
        L->nd = (unsigned char *)(*mem + 3 * rows * 5 * width + x * rows * (width / 8));
    }
    return 0;
}

/* D for the entries M[x*sx + l*sl] (x < len, l < cols); nothing (d NULL) when the vector
 * sums cannot take them (no CPU support, an entry of more than three limbs, len > MAX_TERMS) */
static int digits_new(Digits *D, mpz_t *M, Py_ssize_t len, Py_ssize_t cols, Py_ssize_t sx, Py_ssize_t sl) {
    D->d = NULL;
    if (!simd_ok || len > MAX_TERMS) return 0;
    for (Py_ssize_t x = 0; x < len; x++)
        for (Py_ssize_t l = 0; l < cols; l++)
            if (mpz_size(M[x * sx + l * sl]) > 3) return 0;
    Py_ssize_t w = (cols + 7) / 8 * 8;
    uint64_t *d = (uint64_t *)PyMem_Calloc((size_t)(4 * len * w + 1), sizeof(uint64_t));
    if (d == NULL) { PyErr_NoMemory(); return -1; }
    mpz_t biased;
    mpz_init(biased);
    for (Py_ssize_t x = 0; x < len; x++)
        for (Py_ssize_t l = 0; l < cols; l++) {
            mpz_set_ui(biased, 1);
            mpz_mul_2exp(biased, biased, BIAS);
            mpz_add(biased, biased, M[x * sx + l * sl]);
            mp_limb_t limbs[4] = {0, 0, 0, 0};
            mpn_copyi(limbs, mpz_limbs_read(biased), (mp_size_t)mpz_size(biased));
            digits_of(d + x * 4 * w + l, w, limbs[0], limbs[1], limbs[2], limbs[3]);
        }
    mpz_clear(biased);
    D->len = len;
    D->cols = cols;
    D->npad = w;
    D->d = d;
    return 0;
}

/* the lanes' rows up to ``upto`` from the packed operand (entries of at most three limbs;
 * pair i reads column map[i], or i) */
static void lanes_sync(Lanes *L, const Packed *P, const Py_ssize_t *map, Py_ssize_t na, Py_ssize_t upto) {
    Py_ssize_t stride = P->W + 1, w = L->width;
    for (Py_ssize_t t = L->filled; t <= upto; t++) {
        uint64_t *d = L->d + t * 4 * w, *sg = L->s + t * w;
        for (Py_ssize_t i = 0; i < na; i++) {
            const mp_limb_t *slot = P->data + ((map ? map[i] : i) * P->rows + t) * stride;
            digits_of(d + i, w, slot[1], slot[2], slot[3], 0); /* zero-padded */
            sg[i] = (long)slot[0] < 0 ? ~(uint64_t)0 : 0;
        }
        for (Py_ssize_t i = na; i < w; i++) d[i] = d[w + i] = d[2 * w + i] = d[3 * w + i] = sg[i] = 0; /* padding */
        for (Py_ssize_t b = 0; b < w / 8; b++) {
            int used = 0;
            for (int c = 0; c < 4; c++) {
                uint64_t any = 0;
                for (int lane = 0; lane < 8; lane++) any |= d[c * w + 8 * b + lane];
                if (any) used = c + 1;
            }
            L->nd[t * (w / 8) + b] = (unsigned char)used;
        }
    }
    if (upto + 1 > L->filled) L->filled = upto + 1;
}

/* x[lane] = floor((P - N - bias) / 2^F) for column sums of eight lanes (radix 2^52, each
 * below 2^63) and a constant ``bias`` (nine signed digits, the last at 2^416): the
 * difference carried into digits, the floor shift a digit shift (bits dr.. of digits dq+i
 * and dq+i+1, the top one signed), packed into XL limbs of two's complement; F < 364 */
__attribute__((target("avx512f,avx512dq,avx512ifma"))) static void lanes_floor(const __m512i *P, const __m512i *N,
                                                                              const long long *bias, unsigned long F,
                                                                              mp_limb_t x[8][XL]) {
    const __m512i mask = _mm512_set1_epi64((long long)DIGIT_MASK);
    __m512i d[9], carry = _mm512_setzero_si512();
    for (int c = 0; c < 8; c++) {
        __m512i v = _mm512_add_epi64(_mm512_sub_epi64(_mm512_sub_epi64(P[c], N[c]), _mm512_set1_epi64(bias[c])), carry);
        d[c] = _mm512_and_si512(v, mask);
        carry = _mm512_srai_epi64(v, 52);
    }
    d[8] = _mm512_sub_epi64(carry, _mm512_set1_epi64(bias[8])); /* the signed top digit, at 2^416 */
    const int dq = (int)(F / 52), dr = (int)(F % 52), top = 8 - dq;
    uint64_t dig[9][8] __attribute__((aligned(64)));
    for (int i = 0; i < top; i++)
        _mm512_store_si512(dig[i], dr ? _mm512_or_si512(_mm512_srli_epi64(d[dq + i], (unsigned)dr),
                                                        _mm512_and_si512(_mm512_slli_epi64(d[dq + i + 1], (unsigned)(52 - dr)), mask))
                                      : d[dq + i]);
    _mm512_store_si512(dig[top], dr ? _mm512_srai_epi64(d[8], (unsigned)dr) : d[8]);
    const int tl = 52 * top / 64, ts = 52 * top % 64; /* the top digit's limb and bit */
    for (int lane = 0; lane < 8; lane++) {
        mp_limb_t *o = x[lane];
        for (int i = 0; i < XL; i++) o[i] = 0;
        for (int c = 0; c < top; c++) {
            int bit = 52 * c, li = bit / 64, sh = bit % 64;
            o[li] |= dig[c][lane] << sh;
            if (sh > 12) o[li + 1] |= dig[c][lane] >> (64 - sh);
        }
        long t = (long)dig[top][lane]; /* + t 2^(52 top), sign-extended above */
        u128 cur = ((u128)(tl + 1 < XL ? o[tl + 1] : 0) << 64 | o[tl]) + ((u128)(i128)t << ts);
        o[tl] = (mp_limb_t)cur;
        if (tl + 1 < XL) o[tl + 1] = (mp_limb_t)(cur >> 64);
        for (int i = tl + 2; i < XL; i++) o[i] = t < 0 ? ~(mp_limb_t)0 : 0;
    }
}

/* x[lane] = sum_{t <= k} X[t] Y[k - t] for the eight pairs from ``off``, XL limbs of two's
 * complement each.  A term multiplies only the digits its two blocks use (nd): entries
 * below 2^156, as most are at 30 digits (F = 146), need three of the four, 9 products in
 * place of 16; a zero block skips the term.  The same sums: the digits left out are 0. */
__attribute__((target("avx512f,avx512dq,avx512ifma"))) static void lanes_sum(const Lanes *X, const Lanes *Y,
                                                                            Py_ssize_t k, Py_ssize_t off,
                                                                            mp_limb_t x[8][XL]) {
    const Py_ssize_t w = X->width, nb = w / 8, b = off / 8;
    __m512i P[8], N[8];
    for (int c = 0; c < 8; c++) P[c] = N[c] = _mm512_setzero_si512();
    for (Py_ssize_t t = 0; t <= k; t++) {
        int nx = X->nd[t * nb + b], ny = Y->nd[(k - t) * nb + b];
        if (!nx || !ny) continue;
        const uint64_t *xd = X->d + t * 4 * w + off, *yd = Y->d + (k - t) * 4 * w + off;
        __m512i sx = _mm512_loadu_si512(X->s + t * w + off), sy = _mm512_loadu_si512(Y->s + (k - t) * w + off);
        __mmask8 neg = _mm512_movepi64_mask(_mm512_xor_si512(sx, sy)), pos = (__mmask8)~neg;
        __m512i a[4], bb[4];
#define LANES_TERM(ND)                                                                          \
    do {                                                                                        \
        for (int d = 0; d < ND; d++) {                                                          \
            a[d] = _mm512_loadu_si512(xd + d * w);                                              \
            bb[d] = _mm512_loadu_si512(yd + d * w);                                             \
        }                                                                                       \
        for (int d = 0; d < ND; d++)                                                            \
            for (int e = 0; e < ND; e++) {                                                      \
                P[d + e] = _mm512_mask_madd52lo_epu64(P[d + e], pos, a[d], bb[e]);              \
                P[d + e + 1] = _mm512_mask_madd52hi_epu64(P[d + e + 1], pos, a[d], bb[e]);      \
                N[d + e] = _mm512_mask_madd52lo_epu64(N[d + e], neg, a[d], bb[e]);              \
                N[d + e + 1] = _mm512_mask_madd52hi_epu64(N[d + e + 1], neg, a[d], bb[e]);      \
            }                                                                                   \
    } while (0)
        int nd = nx > ny ? nx : ny;
        if (nd == 4) LANES_TERM(4);
        else if (nd == 3) LANES_TERM(3);
        else LANES_TERM(2);
#undef LANES_TERM
    }
    static const long long unbiased[9] = {0};
    lanes_floor(P, N, unbiased, 0, x);
}
#endif
#endif /* FIXED3 */
