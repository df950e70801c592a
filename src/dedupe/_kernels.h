/* What several of dedupe's compiled kernels (dedupe._*_batch) share. */
#ifndef DEDUPE_KERNELS_H
#define DEDUPE_KERNELS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

/* GCC on x86-64 glibc compiles a function marked VECTOR_CLONES for AVX-512,
 * AVX2 and the SSE2 baseline, and the loader picks one for the CPU (an
 * ifunc, which glibc has and musl lacks); elsewhere it is compiled once. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__GLIBC__)
#define VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define VECTOR_CLONES
#endif

/* Slices of one buffer (dedupe._sha1_batch, dedupe._shingle_batch): a
 * bytes-like buffer, C-contiguous int64 arrays starts and ends, and a
 * writable output array of one item per slice. Checked here once, since the
 * kernels read the buffer directly: a slice outside it would read out of
 * bounds. */
typedef struct {
    Py_buffer buffer, starts, ends, out;
    Py_ssize_t count;
} Slices;

/* Parses (buffer, starts, ends, out) with out_item bytes per output item.
 * On success returns 0 and the caller must call slices_release; on error
 * sets a Python exception and returns -1, holding nothing. */
static inline int slices_parse(PyObject *args, Slices *slices, Py_ssize_t out_item,
                        const char *what) {
    if (!PyArg_ParseTuple(args, "y*y*y*w*", &slices->buffer, &slices->starts, &slices->ends,
                          &slices->out))
        return -1;
    Py_ssize_t count = slices->starts.len / (Py_ssize_t)sizeof(int64_t);
    slices->count = count;
    if (slices->starts.len != slices->ends.len ||
        slices->starts.len % (Py_ssize_t)sizeof(int64_t) != 0 ||
        slices->out.len != count * out_item) {
        PyErr_Format(PyExc_ValueError,
                     "starts and ends must be int64 arrays of one length, out an array of "
                     "%zd-byte items of it",
                     out_item);
        goto fail;
    }
    const int64_t *s = slices->starts.buf, *e = slices->ends.buf;
    for (Py_ssize_t i = 0; i < count; i++) {
        if (s[i] < 0 || e[i] < s[i] || e[i] > slices->buffer.len) {
            PyErr_Format(PyExc_ValueError, "%s must lie inside the buffer", what);
            goto fail;
        }
    }
    return 0;
fail:
    PyBuffer_Release(&slices->buffer);
    PyBuffer_Release(&slices->starts);
    PyBuffer_Release(&slices->ends);
    PyBuffer_Release(&slices->out);
    return -1;
}

/* Whether `runs` counts (items stored back to back, run i the next
 * counts[i] of them) are each non-negative and sum to `total`. */
static inline int counts_cover(const int64_t *counts, Py_ssize_t runs, Py_ssize_t total) {
    Py_ssize_t sum = 0;
    for (Py_ssize_t i = 0; i < runs; i++) {
        if (counts[i] < 0 || counts[i] > total - sum) return 0;
        sum += counts[i];
    }
    return sum == total;
}

static inline void slices_release(Slices *slices) {
    PyBuffer_Release(&slices->buffer);
    PyBuffer_Release(&slices->starts);
    PyBuffer_Release(&slices->ends);
    PyBuffer_Release(&slices->out);
}

#endif
