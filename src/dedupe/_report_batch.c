/* Exact copies as JSON, compiled.
 *
 * exact_rows_json(locations, offsets, a, b, words, edges, boilerplate, rows,
 * run_ends) -> list[str]: the optional compiled half of dedupe.report's
 * exact-copy writer (_JsonWriter.exact_copy, which holds the plain version
 * and is the tests' reference). Rows rows[0], rows[1], ... of an
 * ExactCopies, each as the JSON text of its Match, in runs: run i is rows
 * rows[run_ends[i - 1]:run_ends[i]] (from 0 for the first), joined with
 * ", " into one string. The JSON texts of
 * ExactCopies.locations are encoded back to back in locations (UTF-8 with
 * surrogates passed, as the result is decoded), location i being
 * locations[offsets[i]:offsets[i + 1]]; a and b index them; words, edges
 * (four per row) and boilerplate (one byte per row) are the other columns.
 * All are int64 but boilerplate.
 *
 * Most of a large report's matches are exact copies (50,356 of 58,823 at
 * 50 MB), alike but for eleven numbers and two locations: formatting them
 * here instead of one f-string each takes a tenth of the time.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A growable UTF-8 buffer. */
typedef struct {
    char *data;
    size_t length, capacity;
} Text;

static int text_reserve(Text *text, size_t more) {
    if (text->length + more <= text->capacity) return 0;
    size_t capacity = text->capacity ? text->capacity : 1 << 16;
    while (capacity < text->length + more) capacity *= 2;
    char *grown = realloc(text->data, capacity);
    if (grown == NULL) return -1;
    text->data = grown;
    text->capacity = capacity;
    return 0;
}

/* Callers reserve first: these only write. */
static void put(Text *text, const char *data, size_t length) {
    memcpy(text->data + text->length, data, length);
    text->length += length;
}

#define PUT_LITERAL(text, literal) put((text), (literal), sizeof(literal) - 1)

/* An int64 in decimal, as Python's repr writes it. */
static void put_int(Text *text, int64_t value) {
    char digits[24];
    int count = 0;
    uint64_t magnitude = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        digits[count++] = (char)('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude);
    if (value < 0) text->data[text->length++] = '-';
    while (count) text->data[text->length++] = digits[--count];
}

/* The longest row but for its two locations: the fixed text and eleven
 * numbers of at most 20 characters each. */
#define ROW_ROOM 1024

static PyObject *exact_rows_json(PyObject *module, PyObject *args) {
    Py_buffer views[9];
    if (!PyArg_ParseTuple(args, "y*y*y*y*y*y*y*y*y*", &views[0], &views[1], &views[2],
                          &views[3], &views[4], &views[5], &views[6], &views[7], &views[8]))
        return NULL;
    PyObject *result = NULL, *runs = NULL;
    Text out = {NULL, 0, 0};
    const Py_buffer *blob = &views[0], *offsets_view = &views[1], *rows_view = &views[7];
    const Py_buffer *ends_view = &views[8];
    Py_ssize_t total = views[2].len / 8, known = offsets_view->len / 8 - 1;
    Py_ssize_t count = rows_view->len / 8, run_count = ends_view->len / 8;
    if (known < 0 || offsets_view->len % 8 || rows_view->len % 8 || views[2].len % 8 ||
        views[3].len != views[2].len || views[4].len != views[2].len ||
        views[5].len != 4 * views[2].len || views[6].len != total || ends_view->len % 8) {
        PyErr_SetString(PyExc_ValueError,
                        "offsets, a, b, words, edges (4 per row), boilerplate (1 byte per row), "
                        "rows and run_ends do not fit together");
        goto done;
    }
    const int64_t *run_ends = ends_view->buf;
    for (Py_ssize_t i = 0; i < run_count; i++)
        if (run_ends[i] < (i ? run_ends[i - 1] : 0) || run_ends[i] > count) {
            PyErr_SetString(PyExc_ValueError, "run_ends must rise within rows");
            goto done;
        }
    if ((run_count ? run_ends[run_count - 1] : 0) != count) {
        PyErr_SetString(PyExc_ValueError, "the last run must end with the rows");
        goto done;
    }
    runs = PyList_New(run_count);
    if (runs == NULL) goto done;
    const char *texts = blob->buf;
    const int64_t *offsets = offsets_view->buf;
    for (Py_ssize_t i = 0; i < known; i++)
        if (offsets[i] < 0 || offsets[i + 1] < offsets[i] || offsets[i + 1] > blob->len) {
            PyErr_SetString(PyExc_ValueError, "offsets must lie inside locations, in order");
            goto done;
        }
    const int64_t *a = views[2].buf, *b = views[3].buf, *words = views[4].buf;
    const int64_t *edges = views[5].buf, *rows = rows_view->buf;
    const uint8_t *flags = views[6].buf;
    Py_ssize_t run = 0, run_start = 0;
    for (Py_ssize_t n = 0; n <= count; n++) {
        /* A run ends here (several, when some are empty). */
        while (run < run_count && run_ends[run] == n) {
            PyObject *text = PyUnicode_DecodeUTF8(out.data ? out.data : "",
                                                  (Py_ssize_t)out.length, "surrogatepass");
            if (text == NULL) goto done;
            PyList_SET_ITEM(runs, run, text);
            out.length = 0;
            run_start = n;
            run++;
        }
        if (n == count) break;
        int64_t row = rows[n];
        if (row < 0 || row >= total || a[row] < 0 || a[row] >= known || b[row] < 0 ||
            b[row] >= known) {
            PyErr_SetString(PyExc_IndexError, "a row or a location out of range");
            goto done;
        }
        const char *text_a = texts + offsets[a[row]], *text_b = texts + offsets[b[row]];
        size_t length_a = (size_t)(offsets[a[row] + 1] - offsets[a[row]]);
        size_t length_b = (size_t)(offsets[b[row] + 1] - offsets[b[row]]);
        if (text_reserve(&out, ROW_ROOM + length_a + length_b)) {
            PyErr_NoMemory();
            goto done;
        }
        const int64_t *edge = edges + 4 * row;
        /* The span, written once here and copied where it appears again. */
        char sides[160];
        Text span = {sides, 0, sizeof sides};
        PUT_LITERAL(&span, "\"a\": [");
        put_int(&span, edge[0]);
        PUT_LITERAL(&span, ", ");
        put_int(&span, edge[1]);
        PUT_LITERAL(&span, "], \"b\": [");
        put_int(&span, edge[2]);
        PUT_LITERAL(&span, ", ");
        put_int(&span, edge[3]);
        PUT_LITERAL(&span, "]");
        char number[24];
        Text count_text = {number, 0, sizeof number};
        put_int(&count_text, words[row]);

        if (n > run_start) PUT_LITERAL(&out, ", ");
        PUT_LITERAL(&out, "{\"kind\": \"exact\", \"similarity\": 1.0, \"boilerplate\": ");
        if (flags[row])
            PUT_LITERAL(&out, "true");
        else
            PUT_LITERAL(&out, "false");
        PUT_LITERAL(&out, ", \"a\": ");
        put(&out, text_a, length_a);
        PUT_LITERAL(&out, ", \"b\": ");
        put(&out, text_b, length_b);
        PUT_LITERAL(&out, ", \"spans\": [{");
        put(&out, span.data, span.length);
        PUT_LITERAL(&out, "}], \"matched_words\": ");
        put(&out, count_text.data, count_text.length);
        PUT_LITERAL(&out,
                    ", \"difference\": {\"coverage_a\": 1.0, \"coverage_b\": 1.0, \"words_a\": ");
        put(&out, count_text.data, count_text.length);
        PUT_LITERAL(&out, ", \"words_b\": ");
        put(&out, count_text.data, count_text.length);
        PUT_LITERAL(&out, ", \"common\": ");
        put(&out, count_text.data, count_text.length);
        PUT_LITERAL(&out, ", \"kinds\": [\"identical\"], \"changes\": [{\"kind\": \"identical\", "
                          "\"where\": null, ");
        put(&out, span.data, span.length);
        PUT_LITERAL(&out, ", \"old\": \"\", \"new\": \"\"}]}}");
    }
    result = runs;
    runs = NULL;
done:
    Py_XDECREF(runs);
    free(out.data);
    for (int i = 0; i < 9; i++) PyBuffer_Release(&views[i]);
    return result;
}

static PyMethodDef methods[] = {
    {"exact_rows_json", exact_rows_json, METH_VARARGS,
     "exact_rows_json(locations, offsets, a, b, words, edges, boilerplate, rows, run_ends)"
     " -> list[str]\n\n"
     "The JSON of rows `rows` of an ExactCopies, each run joined with ', '."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT, "dedupe._report_batch", "Exact copies as JSON, compiled.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__report_batch(void) { return PyModule_Create(&module_definition); }
