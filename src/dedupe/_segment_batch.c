/* Paragraph bounds of a document, compiled.
 *
 * The optional compiled half of dedupe.segment, which holds the Python
 * version, the rules and the tests' reference: paragraph_bounds(text,
 * wrap_width) gives, as int64 quadruples (start, end, line_start,
 * line_end) packed in bytes, the paragraphs segment._segment finds:
 *
 * - lines are those of str.splitlines() (LF, CRLF, CR, VT, FF, FS, GS, RS,
 *   NEL, U+2028, U+2029), numbered from 1; a line is blank when str.strip()
 *   leaves nothing of it, and a paragraph's start and end are its first and
 *   last lines stripped;
 * - with no blank line between the first and the last non-blank line, every
 *   non-blank line is a paragraph;
 * - otherwise blank lines separate blocks; a block with a line longer than
 *   wrap_width before its last is split into its lines, else it is one
 *   paragraph.
 *
 * Python walks a document line by line and makes a tuple per line; this
 * makes none, which was a third of the sketch stage's time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

/* A growable array of int64. */
typedef struct {
    int64_t *items;
    Py_ssize_t length, capacity;
} Column;

static int push(Column *column, int64_t value) {
    if (column->length == column->capacity) {
        Py_ssize_t capacity = column->capacity ? 2 * column->capacity : 256;
        int64_t *items = PyMem_Realloc(column->items, (size_t)capacity * sizeof *items);
        if (items == NULL) return -1;
        column->items = items;
        column->capacity = capacity;
    }
    column->items[column->length++] = value;
    return 0;
}

static inline int is_line_break(Py_UCS4 ch) {
    if (ch < 128)
        return ch == '\n' || ch == '\r' || ch == 0x0b || ch == 0x0c || (ch >= 0x1c && ch <= 0x1e);
    return Py_UNICODE_ISLINEBREAK(ch);
}

/* The non-blank lines of the text: their numbers and stripped bounds,
 * three values per line in `lines`. */
static int non_blank_lines(int kind, const void *data, Py_ssize_t length, Column *lines) {
    Py_ssize_t position = 0;
    int64_t number = 0;
    while (position < length) {
        number++;
        Py_ssize_t end = position;
        while (end < length && !is_line_break(PyUnicode_READ(kind, data, end))) end++;
        Py_ssize_t first = position, last = end;
        while (first < last && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, first))) first++;
        while (last > first && Py_UNICODE_ISSPACE(PyUnicode_READ(kind, data, last - 1))) last--;
        if (first < last && (push(lines, number) || push(lines, first) || push(lines, last)))
            return -1;
        if (end < length) {
            /* CRLF is one line break. */
            int crlf = PyUnicode_READ(kind, data, end) == '\r' && end + 1 < length &&
                       PyUnicode_READ(kind, data, end + 1) == '\n';
            end += crlf ? 2 : 1;
        }
        position = end;
    }
    return 0;
}

static int paragraph(Column *out, int64_t start, int64_t end, int64_t line_start,
                     int64_t line_end) {
    return push(out, start) || push(out, end) || push(out, line_start) || push(out, line_end);
}

static int paragraphs_of(const Column *lines, Py_ssize_t wrap_width, Column *out) {
    const int64_t *l = lines->items;
    Py_ssize_t count = lines->length / 3;
#define NUMBER(i) l[3 * (i)]
#define FIRST(i) l[3 * (i) + 1]
#define LAST(i) l[3 * (i) + 2]
    int gaps = 0;
    for (Py_ssize_t i = 1; i < count && !gaps; i++) gaps = NUMBER(i) != NUMBER(i - 1) + 1;
    Py_ssize_t block = 0;
    for (Py_ssize_t i = 1; i <= count; i++) {
        if (i < count && gaps && NUMBER(i) == NUMBER(i - 1) + 1) continue;
        if (!gaps) block = i - 1; /* one paragraph per line */
        /* Lines block .. i-1 form a block. */
        int split = 0;
        for (Py_ssize_t k = block; k < i - 1 && !split; k++)
            split = LAST(k) - FIRST(k) > (int64_t)wrap_width;
        if (split) {
            for (Py_ssize_t k = block; k < i; k++)
                if (paragraph(out, FIRST(k), LAST(k), NUMBER(k), NUMBER(k))) return -1;
        } else if (paragraph(out, FIRST(block), LAST(i - 1), NUMBER(block), NUMBER(i - 1))) {
            return -1;
        }
        block = i;
    }
#undef NUMBER
#undef FIRST
#undef LAST
    return 0;
}

static PyObject *paragraph_bounds(PyObject *module, PyObject *args) {
    (void)module;
    PyObject *text;
    Py_ssize_t wrap_width;
    if (!PyArg_ParseTuple(args, "Un", &text, &wrap_width)) return NULL;
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    Py_ssize_t length = PyUnicode_GET_LENGTH(text);
    Column lines = {NULL, 0, 0}, out = {NULL, 0, 0};
    PyObject *result = NULL;
    if (non_blank_lines(kind, data, length, &lines) || paragraphs_of(&lines, wrap_width, &out)) {
        PyErr_NoMemory();
    } else {
        result = PyBytes_FromStringAndSize((const char *)out.items,
                                           out.length * (Py_ssize_t)sizeof(int64_t));
    }
    PyMem_Free(lines.items);
    PyMem_Free(out.items);
    return result;
}

static PyMethodDef methods[] = {
    {"paragraph_bounds", paragraph_bounds, METH_VARARGS,
     "paragraph_bounds(text, wrap_width) -> bytes\n\n"
     "The paragraphs of text as native int64 quadruples (start, end, line_start,\n"
     "line_end), back to back (see dedupe.segment)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "dedupe._segment_batch",
    .m_doc = "Compiled paragraph bounds of a document (see dedupe.segment).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__segment_batch(void) { return PyModule_Create(&module_definition); }
