/* MinHash signatures of many sets at once, compiled.
 *
 * The optional compiled half of dedupe.minhash, which holds the numpy
 * version, the documentation of the scheme and the tests' reference:
 * datasketch's "affine32" MinHash, where element hash h contributes
 *
 *     (a[k] * fmix32(h) + b[k]) mod 2**32     for each permutation k
 *
 * and a set's signature is the minimum of each over its elements. Sets are
 * stored back to back: set i is the next lengths[i] values. An empty set
 * keeps the empty signature (every value 2**32 - 1).
 *
 * The loop over permutations is plain C that compilers vectorise, built
 * for several instruction sets (VECTOR_CLONES, _kernels.h). It runs
 * without the GIL: Py_buffer keeps the arrays alive.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

#include "_kernels.h"


/* MurmurHash3's 32-bit finaliser. */
static inline uint32_t fmix32(uint32_t h) {
    h ^= h >> 16;
    h *= 0x85EBCA6Bu;
    h ^= h >> 13;
    h *= 0xC2B2AE35u;
    h ^= h >> 16;
    return h;
}

VECTOR_CLONES
static void sign_all(const uint32_t *values, const int64_t *lengths, Py_ssize_t sets,
                     const uint32_t *a, const uint32_t *b, Py_ssize_t num_perm,
                     uint32_t *out) {
    const uint32_t *next = values;
    for (Py_ssize_t set = 0; set < sets; set++) {
        uint32_t *row = out + set * num_perm;
        for (Py_ssize_t k = 0; k < num_perm; k++) row[k] = 0xFFFFFFFFu;
        for (int64_t i = 0; i < lengths[set]; i++) {
            uint32_t g = fmix32(next[i]);
            for (Py_ssize_t k = 0; k < num_perm; k++) {
                uint32_t permuted = a[k] * g + b[k];
                row[k] = permuted < row[k] ? permuted : row[k];
            }
        }
        next += lengths[set];
    }
}

static PyObject *signatures_into(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer values, lengths, a, b, out;
    if (!PyArg_ParseTuple(args, "y*y*y*y*w*", &values, &lengths, &a, &b, &out)) return NULL;
    PyObject *result = NULL;
    Py_ssize_t sets = lengths.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t num_perm = a.len / (Py_ssize_t)sizeof(uint32_t);
    if (lengths.len % (Py_ssize_t)sizeof(int64_t) || a.len % (Py_ssize_t)sizeof(uint32_t) ||
        a.len != b.len || values.len % (Py_ssize_t)sizeof(uint32_t) ||
        out.len != sets * num_perm * (Py_ssize_t)sizeof(uint32_t)) {
        PyErr_SetString(PyExc_ValueError,
                        "values, a, b and out must be uint32 arrays and lengths int64, "
                        "with len(a) == len(b) and len(out) == len(lengths) * len(a)");
        goto done;
    }
    /* The sets must cover exactly the values given: no read past the end. */
    int64_t total = 0;
    const int64_t *counts = lengths.buf;
    for (Py_ssize_t i = 0; i < sets; i++) {
        if (counts[i] < 0 || counts[i] > values.len) {
            total = -1;
            break;
        }
        total += counts[i];
    }
    if (total != values.len / (Py_ssize_t)sizeof(uint32_t)) {
        PyErr_SetString(PyExc_ValueError, "lengths must be non-negative and sum to len(values)");
        goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    sign_all(values.buf, counts, sets, a.buf, b.buf, num_perm, out.buf);
    Py_END_ALLOW_THREADS
    result = Py_None;
    Py_INCREF(result);
done:
    PyBuffer_Release(&values);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"signatures_into", signatures_into, METH_VARARGS,
     "signatures_into(values, lengths, a, b, out)\n\n"
     "MinHash signatures of the sets stored back to back in values (uint32; set i is\n"
     "the next lengths[i] of them, int64) under the permutations (a, b) (uint32),\n"
     "written to out, a writable C-contiguous uint32 (len(lengths), len(a)) array."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "dedupe._minhash_batch",
    .m_doc = "Compiled MinHash signatures of many sets (see dedupe.minhash).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__minhash_batch(void) { return PyModule_Create(&module_definition); }
