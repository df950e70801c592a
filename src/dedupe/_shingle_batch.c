/* Word keys and per-paragraph shingle sets of a batch, compiled.
 *
 * The optional compiled half of dedupe.shingle, which holds the numpy
 * versions, the documentation and the tests' reference:
 *
 * word_keys_into: the 64-bit key of each word of up to 64 bytes, from its
 *     length and its little-endian 8-byte chunks (h = mix64(h ^ chunk));
 *     longer words are left for the caller (they are keyed with BLAKE2b).
 * sequence_keys_into: the 64-bit key of each sequence of word keys (a
 *     paragraph's exact-copy key).
 * distinct_sorted_into: each run of values (a paragraph's shingle hashes)
 *     as its distinct values in ascending order.
 *
 * Both run without the GIL: Py_buffer keeps the arrays alive.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#include "_kernels.h"

#define GOLDEN 0x9E3779B97F4A7C15ull
#define VECTOR_WORD_BYTES 64

/* splitmix64's finaliser: a bijection of 64-bit values. */
static inline uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

#if defined(__BYTE_ORDER__) && defined(__ORDER_LITTLE_ENDIAN__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define LITTLE_ENDIAN_LOADS 1
#else
#define LITTLE_ENDIAN_LOADS 0
#endif

/* The little-endian value of the `take` (1 to 8) bytes at p, zero-padded:
 * one 8-byte load where the buffer (ending at `end`) has 8 bytes there,
 * which a little-endian machine reads as the value; else byte by byte. */
static inline uint64_t load_chunk(const uint8_t *p, int64_t take, const uint8_t *end) {
    uint64_t chunk = 0;
    if (LITTLE_ENDIAN_LOADS && end - p >= 8) {
        memcpy(&chunk, p, 8);
        return take == 8 ? chunk : chunk & ((UINT64_C(1) << (8 * take)) - 1);
    }
    for (int64_t byte = 0; byte < take; byte++) chunk |= (uint64_t)p[byte] << (8 * byte);
    return chunk;
}

static void word_keys(const uint8_t *buffer, Py_ssize_t buffer_length, const int64_t *starts,
                      const int64_t *ends, uint64_t *out, Py_ssize_t count) {
    const uint8_t *end = buffer + buffer_length;
    for (Py_ssize_t i = 0; i < count; i++) {
        int64_t length = ends[i] - starts[i];
        if (length > VECTOR_WORD_BYTES) continue;
        const uint8_t *word = buffer + starts[i];
        uint64_t key = (uint64_t)length * GOLDEN;
        for (int64_t offset = 0; offset < length; offset += 8) {
            int64_t take = length - offset < 8 ? length - offset : 8;
            key = mix64(key ^ load_chunk(word + offset, take, end));
        }
        out[i] = key;
    }
}

/* dedupe.shingle.sequence_keys: word key k at position p (from 0) of a
 * sequence of n adds mix64(k + (p + 1) * GOLDEN); the key is
 * mix64(sum ^ n * GOLDEN), 1 where that is 0. All modulo 2**64. */
static void sequence_keys(const uint64_t *keys, const int64_t *counts, Py_ssize_t sequences,
                          uint64_t *out) {
    for (Py_ssize_t s = 0; s < sequences; s++) {
        uint64_t sum = 0;
        for (int64_t p = 0; p < counts[s]; p++) sum += mix64(keys[p] + (uint64_t)(p + 1) * GOLDEN);
        keys += counts[s];
        uint64_t key = mix64(sum ^ (uint64_t)counts[s] * GOLDEN);
        out[s] = key ? key : 1;
    }
}

/* Runs this short are sorted by insertion. */
#define INSERTION_MAX 16

static void insertion_sort(uint32_t *v, int64_t n) {
    for (int64_t i = 1; i < n; i++) {
        uint32_t value = v[i];
        int64_t j = i;
        for (; j > 0 && v[j - 1] > value; j--) v[j] = v[j - 1];
        v[j] = value;
    }
}

/* Quicksort with the median of three as pivot, recursing into the smaller
 * part (depth at most log2 n); short parts by insertion. A comparison is
 * inline, unlike qsort's call through a pointer, which made the sort of a
 * paragraph's few dozen shingles no faster than numpy's one big sort. */
static void sort_uint32(uint32_t *v, int64_t n) {
    while (n > INSERTION_MAX) {
        uint32_t a = v[0], b = v[n / 2], c = v[n - 1];
        uint32_t pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
        int64_t i = 0, j = n - 1;
        for (;;) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i >= j) break;
            uint32_t swap = v[i];
            v[i++] = v[j];
            v[j--] = swap;
        }
        /* v[0..j] <= pivot <= v[j+1..n-1] (Hoare partition). */
        int64_t left = j + 1, right = n - left;
        if (left < right) {
            sort_uint32(v, left);
            v += left;
            n = right;
        } else {
            sort_uint32(v + left, right);
            n = left;
        }
    }
    insertion_sort(v, n);
}

static Py_ssize_t distinct_sorted(const uint32_t *values, const int64_t *counts,
                                  Py_ssize_t runs, uint32_t *out_values, int64_t *out_counts) {
    Py_ssize_t kept = 0;
    for (Py_ssize_t run = 0; run < runs; run++) {
        int64_t n = counts[run];
        uint32_t *sorted = out_values + kept;
        memcpy(sorted, values, (size_t)n * sizeof *sorted);
        values += n;
        sort_uint32(sorted, n);
        int64_t distinct = 0;
        for (int64_t i = 0; i < n; i++)
            if (distinct == 0 || sorted[i] != sorted[distinct - 1]) sorted[distinct++] = sorted[i];
        out_counts[run] = distinct;
        kept += distinct;
    }
    return kept;
}

static PyObject *word_keys_into(PyObject *module, PyObject *args) {
    (void)module;
    Slices slices;
    if (slices_parse(args, &slices, (Py_ssize_t)sizeof(uint64_t), "words")) return NULL;
    Py_BEGIN_ALLOW_THREADS
    word_keys(slices.buffer.buf, slices.buffer.len, slices.starts.buf, slices.ends.buf,
              slices.out.buf, slices.count);
    Py_END_ALLOW_THREADS
    slices_release(&slices);
    Py_RETURN_NONE;
}

static PyObject *distinct_sorted_into(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer values, counts, out_values, out_counts;
    if (!PyArg_ParseTuple(args, "y*y*w*w*", &values, &counts, &out_values, &out_counts))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t runs = counts.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t total = values.len / (Py_ssize_t)sizeof(uint32_t);
    if (counts.len % (Py_ssize_t)sizeof(int64_t) || values.len % (Py_ssize_t)sizeof(uint32_t) ||
        out_values.len != values.len || out_counts.len != counts.len) {
        PyErr_SetString(PyExc_ValueError,
                        "values and out_values must be uint32 arrays of one length, "
                        "counts and out_counts int64 arrays of one length");
        goto done;
    }
    const int64_t *n = counts.buf;
    if (!counts_cover(n, runs, total)) {
        PyErr_SetString(PyExc_ValueError, "counts must be non-negative and sum to len(values)");
        goto done;
    }
    Py_ssize_t kept;
    Py_BEGIN_ALLOW_THREADS
    kept = distinct_sorted(values.buf, n, runs, out_values.buf, out_counts.buf);
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(kept);
done:
    PyBuffer_Release(&values);
    PyBuffer_Release(&counts);
    PyBuffer_Release(&out_values);
    PyBuffer_Release(&out_counts);
    return result;
}

static PyObject *sequence_keys_into(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer keys, counts, out;
    if (!PyArg_ParseTuple(args, "y*y*w*", &keys, &counts, &out)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t sequences = counts.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t total = keys.len / (Py_ssize_t)sizeof(uint64_t);
    if (counts.len % (Py_ssize_t)sizeof(int64_t) || keys.len % (Py_ssize_t)sizeof(uint64_t) ||
        out.len != counts.len) {
        PyErr_SetString(PyExc_ValueError,
                        "keys and out must be uint64 arrays, counts an int64 array as long as out");
        goto done;
    }
    const int64_t *n = counts.buf;
    if (!counts_cover(n, sequences, total)) {
        PyErr_SetString(PyExc_ValueError, "counts must be non-negative and sum to len(keys)");
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    sequence_keys(keys.buf, n, sequences, out.buf);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&keys);
    PyBuffer_Release(&counts);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"word_keys_into", word_keys_into, METH_VARARGS,
     "word_keys_into(buffer, starts, ends, out)\n\n"
     "out[i] = the key of word buffer[starts[i]:ends[i]] (see dedupe.shingle.word_keys) for\n"
     "every word of up to 64 bytes; out[i] of longer words is left as it is. starts and\n"
     "ends are C-contiguous int64 arrays, out a writable uint64 array, all of one length."},
    {"sequence_keys_into", sequence_keys_into, METH_VARARGS,
     "sequence_keys_into(keys, counts, out)\n\n"
     "out[i] = the key of sequence i of word keys (the next counts[i] of keys; see\n"
     "dedupe.shingle.sequence_keys). keys and out are uint64 arrays, counts int64."},
    {"distinct_sorted_into", distinct_sorted_into, METH_VARARGS,
     "distinct_sorted_into(values, counts, out_values, out_counts) -> int\n\n"
     "Each run of values (run i is the next counts[i] of them) as its distinct values,\n"
     "ascending, back to back at the start of out_values, with their number in\n"
     "out_counts[i]. Returns how many values were kept. values and out_values are\n"
     "uint32 arrays of one length, counts and out_counts int64 arrays of one length."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "dedupe._shingle_batch",
    .m_doc = "Compiled word keys and shingle sets of a batch (see dedupe.shingle).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__shingle_batch(void) { return PyModule_Create(&module_definition); }
