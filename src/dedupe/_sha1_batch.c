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
 * sha1_hash32_runs_into hashes the runs of consecutive words of paragraphs
 * (their word n-grams) the same way, finding each run's slice as it goes.
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

/* Messages gathered LANES at a time, one per lane of a final block; each
 * lane's hash goes where its caller said. Longer messages are hashed at
 * once, alone. */
typedef struct {
    lanes state[5], w[16];
    uint32_t *owner[LANES];
    int filled;
} Hasher;

static void hasher_init(Hasher *hasher) {
    /* Zeroed so that lanes left unused at the end hash defined data. */
    memset(hasher->w, 0, sizeof hasher->w);
    hasher->filled = 0;
}

static void hasher_flush(Hasher *hasher) {
    if (hasher->filled == 0) return;
    initial_state(hasher->state);
    compress(hasher->state, hasher->w);
    for (int l = 0; l < hasher->filled; l++)
        *hasher->owner[l] = hash32_of_h0(LANE(hasher->state[0], l));
    hasher->filled = 0;
}

static inline void hasher_add(Hasher *hasher, const uint8_t *message, int64_t length,
                              uint32_t *out) {
    if (length > 55) {
        *out = hash32_of_h0(h0_of_long(message, length));
        return;
    }
    put_final_block(hasher->w, hasher->filled, message, length, (uint64_t)length * 8u);
    hasher->owner[hasher->filled++] = out;
    if (hasher->filled == LANES) hasher_flush(hasher);
}

static void hash_all(const uint8_t *buffer, const int64_t *starts, const int64_t *ends,
                     uint32_t *out, Py_ssize_t count) {
    Hasher hasher;
    hasher_init(&hasher);
    for (Py_ssize_t i = 0; i < count; i++)
        hasher_add(&hasher, buffer + starts[i], ends[i] - starts[i], out + i);
    hasher_flush(&hasher);
}

/* Paragraph p is words first[p] .. first[p] + counts[p] - 1; its runs are
 * those of `size` consecutive words (one run of all of them when it has
 * fewer), each the slice from its first word's start to its last word's
 * end. */
static void hash_runs(const uint8_t *buffer, const int64_t *word_starts,
                      const int64_t *word_ends, const int64_t *first, const int64_t *counts,
                      Py_ssize_t paragraphs, int64_t size, uint32_t *out) {
    Hasher hasher;
    hasher_init(&hasher);
    for (Py_ssize_t p = 0; p < paragraphs; p++) {
        int64_t n = counts[p];
        if (n == 0) continue;
        int64_t runs = n > size ? n - size + 1 : 1, width = n < size ? n : size;
        const int64_t *starts = word_starts + first[p], *ends = word_ends + first[p] + width - 1;
        for (int64_t r = 0; r < runs; r++)
            hasher_add(&hasher, buffer + starts[r], ends[r] - starts[r], out++);
    }
    hasher_flush(&hasher);
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

/* The number of runs of paragraphs (first, counts) over `words` words whose
 * slices lie in a buffer of buffer_len bytes, or -1 with a ValueError. */
static Py_ssize_t checked_runs(Py_ssize_t buffer_len, const int64_t *word_starts,
                               const int64_t *word_ends, Py_ssize_t words, const int64_t *first,
                               const int64_t *counts, Py_ssize_t paragraphs, int64_t size) {
    Py_ssize_t total = 0;
    for (Py_ssize_t w = 0; w < words; w++)
        if (word_starts[w] < 0 || word_ends[w] < word_starts[w] || word_ends[w] > buffer_len) {
            PyErr_SetString(PyExc_ValueError, "words must lie inside the buffer");
            return -1;
        }
    for (Py_ssize_t p = 0; p < paragraphs; p++) {
        int64_t n = counts[p];
        if (n == 0) continue;
        if (n < 0 || first[p] < 0 || first[p] > words - n) {
            PyErr_SetString(PyExc_ValueError, "paragraphs must name words that exist");
            return -1;
        }
        int64_t runs = n > size ? n - size + 1 : 1, width = n < size ? n : size;
        for (int64_t r = 0; r < runs; r++)
            if (word_ends[first[p] + r + width - 1] < word_starts[first[p] + r]) {
                PyErr_SetString(PyExc_ValueError, "a run of words must not end before it starts");
                return -1;
            }
        total += (Py_ssize_t)runs;
    }
    return total;
}

static PyObject *sha1_hash32_runs_into(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer buffer, word_starts, word_ends, first, counts, out;
    long long size;
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*Lw*", &buffer, &word_starts, &word_ends, &first,
                          &counts, &size, &out))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t words = word_starts.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t paragraphs = first.len / (Py_ssize_t)sizeof(int64_t);
    if (word_starts.len != word_ends.len || word_starts.len % (Py_ssize_t)sizeof(int64_t) ||
        first.len != counts.len || first.len % (Py_ssize_t)sizeof(int64_t) || size < 1) {
        PyErr_SetString(PyExc_ValueError,
                        "word_starts and word_ends must be int64 arrays of one length, first "
                        "and counts too, and size at least 1");
        goto done;
    }
    Py_ssize_t runs = checked_runs(buffer.len, word_starts.buf, word_ends.buf, words, first.buf,
                                   counts.buf, paragraphs, size);
    if (runs < 0) goto done;
    if (out.len != runs * (Py_ssize_t)sizeof(uint32_t)) {
        PyErr_SetString(PyExc_ValueError, "out must be a uint32 array of one item per run");
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    hash_runs(buffer.buf, word_starts.buf, word_ends.buf, first.buf, counts.buf, paragraphs,
              size, out.buf);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&buffer);
    PyBuffer_Release(&word_starts);
    PyBuffer_Release(&word_ends);
    PyBuffer_Release(&first);
    PyBuffer_Release(&counts);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"sha1_hash32_into", sha1_hash32_into, METH_VARARGS,
     "sha1_hash32_into(buffer, starts, ends, out)\n\n"
     "out[i] = sha1_hash32(buffer[starts[i]:ends[i]]) for C-contiguous int64 arrays\n"
     "starts and ends and a writable uint32 array out, all of one length."},
    {"sha1_hash32_runs_into", sha1_hash32_runs_into, METH_VARARGS,
     "sha1_hash32_runs_into(buffer, word_starts, word_ends, first, counts, size, out)\n\n"
     "sha1_hash32 of every run of size consecutive words of every paragraph, in order\n"
     "(see dedupe.sha1.sha1_hash32_runs): paragraph p is words first[p] to first[p] +\n"
     "counts[p] - 1, word w is buffer[word_starts[w]:word_ends[w]]. All arrays int64\n"
     "but out, a writable uint32 array of one item per run."},
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
