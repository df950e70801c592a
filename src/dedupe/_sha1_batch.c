/* datasketch's sha1_hash32 of many slices of one buffer, compiled.
 *
 * The optional compiled half of dedupe.sha1, which holds the numpy version,
 * the documentation and the tests' reference: out[i] is the first four bytes
 * of the SHA-1 of buffer[starts[i]:ends[i]], read little-endian.
 *
 * SHA-1 is FIPS 180-4, section 6.1. Messages of up to 55 bytes (nearly every
 * word 3-gram) pad to one 64-byte block; they are compressed LANES at a
 * time, as one vector per state word, so that each step of a round is a few
 * vector instructions for all of them. A longer message runs alone through
 * the same code, block by block. Only the state word h0 is needed for the
 * first four digest bytes.
 *
 * The hashing runs without the GIL: Py_buffer keeps the arrays alive.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#include "_kernels.h"

/* With GCC's or Clang's vector extensions `lanes` is a vector of LANES words
 * and every operation on it is element-wise; elsewhere it is one uint32_t,
 * and the same code is the scalar compression (DEDUPE_SHA1_SCALAR forces it,
 * for the tests). */
#if (defined(__GNUC__) || defined(__clang__)) && !defined(DEDUPE_SHA1_SCALAR)
#define LANES 16
typedef uint32_t lanes __attribute__((vector_size(4 * LANES)));
#define LANE(v, l) ((v)[l])
#else
#define LANES 1
typedef uint32_t lanes;
#define LANE(v, l) (v)
#endif

/* The compression is VECTOR_CLONES (_kernels.h): with AVX-512's rotate
 * instruction a message costs ~8 ns on the development machine. */

static const uint32_t INITIAL[5] = {0x67452301u, 0xEFCDAB89u, 0x98BADCFEu, 0x10325476u,
                                    0xC3D2E1F0u};

#define ROTL(x, n) (((x) << (n)) | ((x) >> (32 - (n))))
#define F_CHOOSE(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define F_PARITY(b, c, d) ((b) ^ (c) ^ (d))
#define F_MAJORITY(b, c, d) (((b) & (c)) | ((d) & ((b) | (c))))
/* Word t of the message schedule, kept in a ring of the last 16. */
#define SCHEDULE(t)                                                                 \
    ((t) < 16 ? w[t]                                                                \
              : (w[(t) & 15] = ROTL(w[((t) - 3) & 15] ^ w[((t) - 8) & 15] ^        \
                                        w[((t) - 14) & 15] ^ w[(t) & 15],         \
                                    1)))
/* One round. Instead of moving values down the five state words after each
 * round, the caller rotates the names it passes. */
#define ROUND(a, b, c, d, e, F, k, t)                                  \
    do {                                                               \
        e += ROTL(a, 5) + F(b, c, d) + (uint32_t)(k) + SCHEDULE(t);    \
        b = ROTL(b, 30);                                               \
    } while (0)
#define FIVE_ROUNDS(F, k, t)                 \
    do {                                     \
        ROUND(a, b, c, d, e, F, k, (t));     \
        ROUND(e, a, b, c, d, F, k, (t) + 1); \
        ROUND(d, e, a, b, c, F, k, (t) + 2); \
        ROUND(c, d, e, a, b, F, k, (t) + 3); \
        ROUND(b, c, d, e, a, F, k, (t) + 4); \
    } while (0)

/* One block for every lane: w holds the block's 16 big-endian words (and is
 * overwritten by the schedule); state is updated in place. */
VECTOR_CLONES
static void compress(lanes state[5], lanes w[16]) {
    lanes a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    for (int t = 0; t < 20; t += 5) FIVE_ROUNDS(F_CHOOSE, 0x5A827999u, t);
    for (int t = 20; t < 40; t += 5) FIVE_ROUNDS(F_PARITY, 0x6ED9EBA1u, t);
    for (int t = 40; t < 60; t += 5) FIVE_ROUNDS(F_MAJORITY, 0x8F1BBCDCu, t);
    for (int t = 60; t < 80; t += 5) FIVE_ROUNDS(F_PARITY, 0xCA62C1D6u, t);
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
}

static void initial_state(lanes state[5]) {
    for (int i = 0; i < 5; i++)
        for (int l = 0; l < LANES; l++) LANE(state[i], l) = INITIAL[i];
}

/* The big-endian value of the four bytes at p. */
static inline uint32_t load_be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Words from..15 of lane `lane` of a final block: the message's remaining
 * `rest` bytes (rest < 56) at p, then 0x80, zeros and the bit length. */
static void put_final_block(lanes w[16], int lane, const uint8_t *p, int64_t rest,
                            uint64_t bits) {
    (void)lane; /* unused where LANES is 1 */
    int whole = (int)(rest / 4), t = 0;
    for (; t < whole; t++) LANE(w[t], lane) = load_be32(p + 4 * t);
    uint32_t end_word = 0x80u << (24 - 8 * (int)(rest % 4));
    for (int byte = 0; byte < (int)(rest % 4); byte++)
        end_word |= (uint32_t)p[4 * t + byte] << (24 - 8 * byte);
    LANE(w[t], lane) = end_word;
    for (t++; t < 14; t++) LANE(w[t], lane) = 0;
    LANE(w[14], lane) = (uint32_t)(bits >> 32);
    LANE(w[15], lane) = (uint32_t)bits;
}

/* The first four digest bytes (h0 big-endian), read little-endian. */
static inline uint32_t hash32_of_h0(uint32_t h0) {
    return ((h0 & 0xFFu) << 24) | ((h0 & 0xFF00u) << 8) | ((h0 >> 8) & 0xFF00u) | (h0 >> 24);
}

/* h0 of one message of any length, in lane 0. */
static uint32_t h0_of_long(const uint8_t *message, int64_t length) {
    lanes state[5], w[16];
    memset(w, 0, sizeof w);
    initial_state(state);
    uint64_t bits = (uint64_t)length * 8u;
    int64_t done = 0;
    /* Whole blocks, then the tail; a tail of 56-63 bytes needs one block of
     * its own and one more for the padding and length. */
    for (; length - done >= 64; done += 64) {
        for (int t = 0; t < 16; t++) LANE(w[t], 0) = load_be32(message + done + 4 * t);
        compress(state, w);
    }
    int64_t rest = length - done;
    if (rest >= 56) {
        uint8_t block[64];
        memset(block, 0, sizeof block);
        memcpy(block, message + done, (size_t)rest);
        block[rest] = 0x80;
        for (int t = 0; t < 16; t++) LANE(w[t], 0) = load_be32(block + 4 * t);
        compress(state, w);
        for (int t = 0; t < 14; t++) LANE(w[t], 0) = 0;
        LANE(w[14], 0) = (uint32_t)(bits >> 32);
        LANE(w[15], 0) = (uint32_t)bits;
    } else {
        put_final_block(w, 0, message + done, rest, bits);
    }
    compress(state, w);
    return LANE(state[0], 0);
}

static void hash_all(const uint8_t *buffer, const int64_t *starts, const int64_t *ends,
                     uint32_t *out, Py_ssize_t count) {
    lanes state[5], w[16];
    /* Zeroed so that lanes left unused at the end hash defined data. */
    memset(w, 0, sizeof w);
    Py_ssize_t owner[LANES];
    int filled = 0;
    for (Py_ssize_t i = 0; i <= count; i++) {
        if (i < count) {
            int64_t length = ends[i] - starts[i];
            if (length > 55) {
                out[i] = hash32_of_h0(h0_of_long(buffer + starts[i], length));
                continue;
            }
            put_final_block(w, filled, buffer + starts[i], length, (uint64_t)length * 8u);
            owner[filled++] = i;
        }
        if (filled == LANES || (i == count && filled)) {
            initial_state(state);
            compress(state, w);
            for (int l = 0; l < filled; l++) out[owner[l]] = hash32_of_h0(LANE(state[0], l));
            filled = 0;
        }
    }
}

static PyObject *sha1_hash32_into(PyObject *module, PyObject *args) {
    (void)module;
    Slices slices;
    if (slices_parse(args, &slices, (Py_ssize_t)sizeof(uint32_t), "slices")) return NULL;
    Py_BEGIN_ALLOW_THREADS
    hash_all(slices.buffer.buf, slices.starts.buf, slices.ends.buf, slices.out.buf, slices.count);
    Py_END_ALLOW_THREADS
    slices_release(&slices);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"sha1_hash32_into", sha1_hash32_into, METH_VARARGS,
     "sha1_hash32_into(buffer, starts, ends, out)\n\n"
     "out[i] = sha1_hash32(buffer[starts[i]:ends[i]]) for C-contiguous int64 arrays\n"
     "starts and ends and a writable uint32 array out, all of one length."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "dedupe._sha1_batch",
    .m_doc = "Compiled sha1_hash32 of many slices of one buffer (see dedupe.sha1).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__sha1_batch(void) { return PyModule_Create(&module_definition); }
