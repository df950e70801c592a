/* Arguments shared by the compiled kernels that read slices of one buffer
 * (dedupe._sha1_batch, dedupe._shingle_batch): a bytes-like buffer, C-
 * contiguous int64 arrays starts and ends, and a writable output array of
 * one item per slice. Checked here once, since the kernels read the buffer
 * directly: a slice outside it would read out of bounds. */
#ifndef DEDUPE_SLICES_H
#define DEDUPE_SLICES_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

typedef struct {
    Py_buffer buffer, starts, ends, out;
    Py_ssize_t count;
} Slices;

/* Parses (buffer, starts, ends, out) with out_item bytes per output item.
 * On success returns 0 and the caller must call slices_release; on error
 * sets a Python exception and returns -1, holding nothing. */
static int slices_parse(PyObject *args, Slices *slices, Py_ssize_t out_item,
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

static void slices_release(Slices *slices) {
    PyBuffer_Release(&slices->buffer);
    PyBuffer_Release(&slices->starts);
    PyBuffer_Release(&slices->ends);
    PyBuffer_Release(&slices->out);
}

#endif
