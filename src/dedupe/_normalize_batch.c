/* The words of marked text, compiled.
 *
 * The optional compiled half of dedupe.normalize's marked-text paths
 * (_fold_marked and _marked_normalized), which hold the Python versions,
 * the documentation and the tests' reference. Marked text is ASCII: word
 * bytes, apostrophes (' and `) and spaces.
 *
 * marked_words(marked, base) -> (words, starts, ends)
 *
 * The words of one marked text with their offsets, as tuples: a word is a
 * run of bytes that are not spaces, less the apostrophes at its edges (it
 * spans from its first to its last other byte, plus base) and without
 * those inside it. A run of apostrophes alone is no word.
 *
 * fold_marked_into(marked, starts, shifts, word_starts, word_ends, word_counts,
 *                  first_word_starts, last_word_ends) -> (buffer, words found)
 *
 * Paragraph p is marked[starts[p]:starts[p + 1]] (the last runs to the end;
 * starts[0] is 0 and starts never decrease). A word is a run of bytes that
 * are neither spaces nor apostrophes once the apostrophes (' and `) are
 * deleted, and never crosses a paragraph's start. Every word is copied to
 * buffer followed by one space; word_starts/word_ends are its bounds there,
 * word_counts[p] the words of paragraph p, and first_word_starts[p] /
 * last_word_ends[p] where its first word starts and its last word ends in
 * marked, less shifts[p] (0 and 0 for a paragraph without words).
 *
 * The buffer is made here, as bytes (it holds at most len(marked) +
 * paragraphs bytes: one space after each word, and a word cut at a
 * paragraph's start has no byte of its own for it). The caller sizes the
 * word arrays: at least len(marked) // 2 + paragraphs + 1 items. Runs
 * without the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>

static Py_ssize_t fold(const uint8_t *marked, Py_ssize_t length, const int64_t *starts,
                       const int64_t *shifts, Py_ssize_t paragraphs, uint8_t *buffer,
                       int64_t *word_starts, int64_t *word_ends, int64_t *word_counts,
                       int64_t *first_word_starts, int64_t *last_word_ends,
                       Py_ssize_t *used) {
    Py_ssize_t out = 0, words = 0;
    for (Py_ssize_t p = 0; p < paragraphs; p++) {
        Py_ssize_t begin = (Py_ssize_t)starts[p];
        Py_ssize_t end = p + 1 < paragraphs ? (Py_ssize_t)starts[p + 1] : length;
        Py_ssize_t first = words, first_byte = -1, last_byte = -1;
        int in_word = 0;
        for (Py_ssize_t i = begin; i < end; i++) {
            uint8_t byte = marked[i];
            if (byte == '\'' || byte == '`') continue;
            if (byte == ' ') {
                if (in_word) {
                    word_ends[words++] = out;
                    buffer[out++] = ' ';
                    in_word = 0;
                }
                continue;
            }
            if (!in_word) {
                word_starts[words] = out;
                if (first_byte < 0) first_byte = i;
                in_word = 1;
            }
            buffer[out++] = byte;
            last_byte = i;
        }
        if (in_word) {
            word_ends[words++] = out;
            buffer[out++] = ' ';
        }
        word_counts[p] = words - first;
        if (words > first) {
            first_word_starts[p] = first_byte - shifts[p];
            last_word_ends[p] = last_byte + 1 - shifts[p];
        } else {
            first_word_starts[p] = 0;
            last_word_ends[p] = 0;
        }
    }
    *used = out;
    return words;
}

static PyObject *marked_words(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer marked;
    Py_ssize_t base;
    if (!PyArg_ParseTuple(args, "y*n", &marked, &base)) return NULL;
    const uint8_t *text = marked.buf;
    Py_ssize_t length = marked.len, count = 0;
    PyObject *words = NULL, *starts = NULL, *ends = NULL, *result = NULL;
    for (Py_ssize_t i = 0; i < length; i++) {
        if (text[i] >= 128) {
            PyErr_SetString(PyExc_ValueError, "marked text must be ASCII");
            goto done;
        }
    }
    /* Two passes: count the words, then make them into tuples of that size. */
    for (int pass = 0; pass < 2; pass++) {
        Py_ssize_t k = 0, i = 0;
        while (i < length) {
            while (i < length && text[i] == ' ') i++;
            Py_ssize_t first = i;
            while (i < length && text[i] != ' ') i++;
            Py_ssize_t last = i;
            while (first < last && (text[first] == '\'' || text[first] == '`')) first++;
            while (last > first && (text[last - 1] == '\'' || text[last - 1] == '`')) last--;
            if (first == last) continue;
            if (pass == 1) {
                Py_ssize_t kept = 0;
                for (Py_ssize_t j = first; j < last; j++)
                    kept += text[j] != '\'' && text[j] != '`';
                PyObject *word = PyUnicode_New(kept, 127);
                if (word == NULL) goto done;
                Py_UCS1 *out = PyUnicode_1BYTE_DATA(word);
                for (Py_ssize_t j = first; j < last; j++)
                    if (text[j] != '\'' && text[j] != '`') *out++ = text[j];
                PyTuple_SET_ITEM(words, k, word);
                PyObject *start = PyLong_FromSsize_t(base + first);
                if (start == NULL) goto done;
                PyTuple_SET_ITEM(starts, k, start);
                PyObject *end = PyLong_FromSsize_t(base + last);
                if (end == NULL) goto done;
                PyTuple_SET_ITEM(ends, k, end);
            }
            k++;
        }
        if (pass == 0) {
            count = k;
            words = PyTuple_New(count);
            starts = PyTuple_New(count);
            ends = PyTuple_New(count);
            if (words == NULL || starts == NULL || ends == NULL) goto done;
        }
    }
    result = PyTuple_Pack(3, words, starts, ends);
done:
    Py_XDECREF(words);
    Py_XDECREF(starts);
    Py_XDECREF(ends);
    PyBuffer_Release(&marked);
    return result;
}

static int int64_array(const Py_buffer *view, Py_ssize_t items, const char *name) {
    if (view->len != items * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_Format(PyExc_ValueError, "%s must be an int64 array of %zd items", name, items);
        return -1;
    }
    return 0;
}

static PyObject *fold_marked_into(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer marked, starts, shifts, word_starts, word_ends, word_counts, first_word_starts,
        last_word_ends;
    if (!PyArg_ParseTuple(args, "y*y*y*w*w*w*w*w*", &marked, &starts, &shifts, &word_starts,
                          &word_ends, &word_counts, &first_word_starts, &last_word_ends))
        return NULL;
    PyObject *result = NULL, *buffer = NULL;
    Py_ssize_t paragraphs = starts.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t word_room = marked.len / 2 + paragraphs + 1;
    if (starts.len % (Py_ssize_t)sizeof(int64_t) != 0 ||
        int64_array(&shifts, paragraphs, "shifts") ||
        int64_array(&word_counts, paragraphs, "word_counts") ||
        int64_array(&first_word_starts, paragraphs, "first_word_starts") ||
        int64_array(&last_word_ends, paragraphs, "last_word_ends"))
        goto done;
    if (word_starts.len < word_room * (Py_ssize_t)sizeof(int64_t) ||
        word_ends.len < word_room * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "the word arrays are too small for the input");
        goto done;
    }
    const int64_t *s = starts.buf;
    for (Py_ssize_t p = 0; p < paragraphs; p++) {
        if ((p == 0 && s[0] != 0) || (p > 0 && s[p] < s[p - 1]) || s[p] > marked.len) {
            PyErr_SetString(PyExc_ValueError,
                            "starts must begin at 0 and rise, inside the marked text");
            goto done;
        }
    }
    buffer = PyBytes_FromStringAndSize(NULL, marked.len + paragraphs);
    if (buffer == NULL) goto done;
    uint8_t *out = (uint8_t *)PyBytes_AS_STRING(buffer);
    Py_ssize_t used = 0, words;
    Py_BEGIN_ALLOW_THREADS
    words = fold(marked.buf, marked.len, s, shifts.buf, paragraphs, out, word_starts.buf,
                 word_ends.buf, word_counts.buf, first_word_starts.buf, last_word_ends.buf, &used);
    Py_END_ALLOW_THREADS
    /* Shrinks in place: the bytes object is not shared yet. */
    if (_PyBytes_Resize(&buffer, used) == 0) result = Py_BuildValue("Nn", buffer, words);
done:
    PyBuffer_Release(&marked);
    PyBuffer_Release(&starts);
    PyBuffer_Release(&shifts);
    PyBuffer_Release(&word_starts);
    PyBuffer_Release(&word_ends);
    PyBuffer_Release(&word_counts);
    PyBuffer_Release(&first_word_starts);
    PyBuffer_Release(&last_word_ends);
    return result;
}

static PyMethodDef methods[] = {
    {"marked_words", marked_words, METH_VARARGS,
     "marked_words(marked, base) -> (words, starts, ends)\n\n"
     "The words of one marked text and their offsets plus base, as tuples (see\n"
     "dedupe.normalize._marked_normalized)."},
    {"fold_marked_into", fold_marked_into, METH_VARARGS,
     "fold_marked_into(marked, starts, shifts, word_starts, word_ends, word_counts,\n"
     "                 first_word_starts, last_word_ends) -> (buffer, words)\n\n"
     "The words of marked paragraphs, the buffer made, the rest written into\n"
     "the given arrays (see\n"
     "dedupe.normalize._fold_marked)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "dedupe._normalize_batch",
    .m_doc = "Compiled words of marked text (see dedupe.normalize).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__normalize_batch(void) { return PyModule_Create(&module_definition); }
