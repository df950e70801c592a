/* A report's JSON, compiled.
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
 *
 * location_json(location), match_json(match, a, b, kinds),
 * passage_json(passage, a, b, kinds) and document_json(document), each
 * -> str: the compiled halves of _JsonWriter's methods of those names (a
 * and b the JSON of the item's locations, kinds dedupe.differ.KINDS, the
 * differences dedupe.differ's or None), the same text from the objects'
 * fields. The fields must be of the types the dataclasses declare
 * (exact int, str, float, tuple), ints within int64; anything else raises
 * TypeError or OverflowError. At 50 MB the 8,467 other matches took 0.097 s
 * as f-strings, 0.038 s here, most of it waiting for memory: each field is
 * another object somewhere in the heap.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <structmember.h>

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


/* ---- Objects' fields as JSON --------------------------------------------- */

/* The fields these read, by number; their names (interned), and 4 for
 * round(x, 4). */
enum {
    F_PATH,
    F_START,
    F_END,
    F_LINE_START,
    F_LINE_END,
    F_PARAGRAPH,
    F_KIND,
    F_WHERE,
    F_A,
    F_B,
    F_OLD,
    F_NEW,
    F_WORDS_A,
    F_WORDS_B,
    F_COMMON,
    F_CHANGES,
    F_SIMILARITY,
    F_BOILERPLATE,
    F_SPANS,
    F_MATCHED_WORDS,
    F_DIFFERENCE,
    F_COMMON_A,
    F_COMMON_B,
    F_MATCHES,
    F_PARAGRAPHS,
    F_CHARS,
    F_ENCODING,
    F_WARNING,
    FIELDS
};
static const char *const field_names[FIELDS] = {
    "path",
    "start",
    "end",
    "line_start",
    "line_end",
    "paragraph",
    "kind",
    "where",
    "a",
    "b",
    "old",
    "new",
    "words_a",
    "words_b",
    "common",
    "changes",
    "similarity",
    "boilerplate",
    "spans",
    "matched_words",
    "difference",
    "common_a",
    "common_b",
    "matches",
    "paragraphs",
    "chars",
    "encoding",
    "warning",
};
static PyObject *names[FIELDS], *name_round, *four;

/* Where each class keeps a field: the report's dataclasses have __slots__,
 * so a field is a pointer at a fixed offset in the object, read here
 * directly instead of through getattr's lookups. Found once per class and
 * field (offset -1 for a field that is not a plain slot, read with getattr);
 * each field is read from at most WAYS classes here (a: Match, Span and
 * Change), more just look again. An entry holds its class, so that a class
 * freed and another made at its address cannot match. */
typedef struct {
    PyTypeObject *type;
    Py_ssize_t offset;
} SlotEntry;

#define WAYS 4
static SlotEntry slot_cache[FIELDS][WAYS];
static unsigned slot_next[FIELDS];

static Py_ssize_t slot_offset(PyTypeObject *type, int field) {
    SlotEntry *ways = slot_cache[field];
    for (int i = 0; i < WAYS; i++)
        if (ways[i].type == type) return ways[i].offset;
    Py_ssize_t offset = -1;
    PyObject *descriptor = PyObject_GetAttr((PyObject *)type, names[field]);
    if (descriptor == NULL) {
        PyErr_Clear();
    } else {
        if (Py_IS_TYPE(descriptor, &PyMemberDescr_Type)) {
            PyMemberDef *member = ((PyMemberDescrObject *)descriptor)->d_member;
            if (member->type == T_OBJECT_EX) offset = member->offset;
        }
        Py_DECREF(descriptor);
    }
    SlotEntry *entry = &ways[slot_next[field]++ % WAYS];
    Py_INCREF(type);
    Py_XDECREF(entry->type);
    entry->type = type;
    entry->offset = offset;
    return offset;
}

/* getattr(object, field's name), a new reference (NULL with an exception
 * set). */
static PyObject *get_field(PyObject *object, int field) {
    Py_ssize_t offset = slot_offset(Py_TYPE(object), field);
    PyObject *value = offset < 0 ? NULL : *(PyObject **)((char *)object + offset);
    if (value == NULL) return PyObject_GetAttr(object, names[field]); /* or its error */
    Py_INCREF(value);
    return value;
}

/* The field `name` of `object` as an int64; -1 with an exception set. */
/* An exact int as an int64; -1 with TypeError or OverflowError set. */
static int as_int64(PyObject *number, const char *what, int64_t *value) {
    if (!PyLong_CheckExact(number)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int", what);
        return -1;
    }
    *value = PyLong_AsLongLong(number);
    return *value == -1 && PyErr_Occurred() ? -1 : 0;
}

static int field_int(PyObject *object, int name, int64_t *value) {
    PyObject *field = get_field(object, name);
    if (field == NULL) return -1;
    int failed = as_int64(field, field_names[name], value);
    Py_DECREF(field);
    return failed;
}

static int put_int_checked(Text *out, int64_t value) {
    if (text_reserve(out, 24)) {
        PyErr_NoMemory();
        return -1;
    }
    put_int(out, value);
    return 0;
}

/* An exact int object (see as_int64), written. */
static int put_int_object(Text *out, PyObject *number, const char *what) {
    int64_t value;
    return as_int64(number, what, &value) || put_int_checked(out, value) ? -1 : 0;
}

static int put_text(Text *out, const char *data, size_t length) {
    if (text_reserve(out, length)) {
        PyErr_NoMemory();
        return -1;
    }
    put(out, data, length);
    return 0;
}

#define PUT_TEXT(out, literal) put_text((out), (literal), sizeof(literal) - 1)

static const char HEX[] = "0123456789abcdef";

/* A str as json.encoder.encode_basestring writes it (ensure_ascii=False):
 * quotes, backslashes and control characters escaped, everything else as
 * it is, lone surrogates included (as surrogatepass encodes them; the
 * result is decoded the same way). */
static int put_json_string(Text *out, PyObject *string) {
    if (!PyUnicode_Check(string)) {
        PyErr_SetString(PyExc_TypeError, "expected a str");
        return -1;
    }
    Py_ssize_t length = PyUnicode_GET_LENGTH(string);
    /* At most six bytes a character (\u001f), and the quotes. */
    if (text_reserve(out, 6 * (size_t)length + 2)) {
        PyErr_NoMemory();
        return -1;
    }
    int kind = PyUnicode_KIND(string);
    const void *data = PyUnicode_DATA(string);
    char *to = out->data + out->length;
    *to++ = '"';
    for (Py_ssize_t i = 0; i < length; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c >= 0x20 && c != '"' && c != '\\') {
            if (c < 0x80) {
                *to++ = (char)c;
            } else if (c < 0x800) {
                *to++ = (char)(0xC0 | (c >> 6));
                *to++ = (char)(0x80 | (c & 0x3F));
            } else if (c < 0x10000) {
                *to++ = (char)(0xE0 | (c >> 12));
                *to++ = (char)(0x80 | ((c >> 6) & 0x3F));
                *to++ = (char)(0x80 | (c & 0x3F));
            } else {
                *to++ = (char)(0xF0 | (c >> 18));
                *to++ = (char)(0x80 | ((c >> 12) & 0x3F));
                *to++ = (char)(0x80 | ((c >> 6) & 0x3F));
                *to++ = (char)(0x80 | (c & 0x3F));
            }
            continue;
        }
        *to++ = '\\';
        switch (c) {
        case '"': *to++ = '"'; break;
        case '\\': *to++ = '\\'; break;
        case '\n': *to++ = 'n'; break;
        case '\r': *to++ = 'r'; break;
        case '\t': *to++ = 't'; break;
        case '\b': *to++ = 'b'; break;
        case '\f': *to++ = 'f'; break;
        default:
            *to++ = 'u';
            *to++ = '0';
            *to++ = '0';
            *to++ = HEX[c >> 4];
            *to++ = HEX[c & 0xF];
        }
    }
    *to++ = '"';
    out->length = (size_t)(to - out->data);
    return 0;
}

/* A str that is JSON already (a location's), as UTF-8: straight from an
 * ASCII string, else encoded (surrogates passed, as the result is decoded). */
static int put_raw(Text *out, PyObject *string) {
    if (!PyUnicode_Check(string)) {
        PyErr_SetString(PyExc_TypeError, "expected a str of JSON");
        return -1;
    }
    if (PyUnicode_IS_ASCII(string))
        return put_text(out, (const char *)PyUnicode_DATA(string),
                        (size_t)PyUnicode_GET_LENGTH(string));
    PyObject *bytes = PyUnicode_AsEncodedString(string, "utf-8", "surrogatepass");
    if (bytes == NULL) return -1;
    int failed = put_text(out, PyBytes_AS_STRING(bytes), (size_t)PyBytes_GET_SIZE(bytes));
    Py_DECREF(bytes);
    return failed;
}

/* repr(round(value, 4)): Python's own rounding and shortest repr. */
static int put_rounded(Text *out, PyObject *value) {
    if (!PyFloat_CheckExact(value) && !PyLong_CheckExact(value)) {
        PyErr_SetString(PyExc_TypeError, "expected a float");
        return -1;
    }
    PyObject *rounded = PyObject_CallMethodOneArg(value, name_round, four);
    if (rounded == NULL) return -1;
    PyObject *text = PyObject_Repr(rounded);
    Py_DECREF(rounded);
    if (text == NULL) return -1;
    Py_ssize_t length;
    const char *data = PyUnicode_AsUTF8AndSize(text, &length);
    int failed = data == NULL || put_text(out, data, (size_t)length);
    Py_DECREF(text);
    return failed ? -1 : 0;
}

/* common / words as Python divides them (1.0 for no words), rounded. */
static int put_coverage(Text *out, int64_t common, int64_t words) {
    PyObject *value;
    if (words == 0) {
        value = PyFloat_FromDouble(1.0);
    } else {
        /* Python's int / int: exact when both fit in a double's 53 bits. */
        PyObject *numerator = PyLong_FromLongLong(common), *denominator = PyLong_FromLongLong(words);
        value = numerator && denominator ? PyNumber_TrueDivide(numerator, denominator) : NULL;
        Py_XDECREF(numerator);
        Py_XDECREF(denominator);
    }
    if (value == NULL) return -1;
    int failed = put_rounded(out, value);
    Py_DECREF(value);
    return failed;
}

/* [start, end] of an exact 2-tuple of ints, or null for None. */
static int put_pair(Text *out, PyObject *pair) {
    if (pair == Py_None) return PUT_TEXT(out, "null");
    if (!PyTuple_CheckExact(pair) || PyTuple_GET_SIZE(pair) != 2) {
        PyErr_SetString(PyExc_TypeError, "a span must be None or a tuple of two ints");
        return -1;
    }
    if (PUT_TEXT(out, "[") || put_int_object(out, PyTuple_GET_ITEM(pair, 0), "a span's start") ||
        PUT_TEXT(out, ", ") || put_int_object(out, PyTuple_GET_ITEM(pair, 1), "a span's end") ||
        PUT_TEXT(out, "]"))
        return -1;
    return 0;
}

/* Field `name` of `object`, written by `put`. */
static int put_field(Text *out, PyObject *object, int name, int (*put)(Text *, PyObject *)) {
    PyObject *field = get_field(object, name);
    if (field == NULL) return -1;
    int failed = put(out, field);
    Py_DECREF(field);
    return failed;
}

static int put_location(Text *out, PyObject *location) {
    int64_t value;
    if (PUT_TEXT(out, "{\"path\": ") || put_field(out, location, F_PATH, put_json_string)) return -1;
    static const int numbers[5] = {F_START, F_END, F_LINE_START, F_LINE_END, F_PARAGRAPH};
    static const char *labels[5] = {", \"start\": ", ", \"end\": ", ", \"line_start\": ",
                                    ", \"line_end\": ", ", \"paragraph\": "};
    for (int i = 0; i < 5; i++)
        if (field_int(location, numbers[i], &value) || put_text(out, labels[i], strlen(labels[i])) ||
            put_int_checked(out, value))
            return -1;
    return PUT_TEXT(out, "}");
}

static int put_change(Text *out, PyObject *change) {
    if (PUT_TEXT(out, "{\"kind\": ") || put_field(out, change, F_KIND, put_json_string) ||
        PUT_TEXT(out, ", \"where\": "))
        return -1;
    PyObject *where = get_field(change, F_WHERE);
    if (where == NULL) return -1;
    int failed = where == Py_None ? PUT_TEXT(out, "null") : put_json_string(out, where);
    Py_DECREF(where);
    if (failed || PUT_TEXT(out, ", \"a\": ") || put_field(out, change, F_A, put_pair) ||
        PUT_TEXT(out, ", \"b\": ") || put_field(out, change, F_B, put_pair) ||
        PUT_TEXT(out, ", \"old\": ") || put_field(out, change, F_OLD, put_json_string) ||
        PUT_TEXT(out, ", \"new\": ") || put_field(out, change, F_NEW, put_json_string))
        return -1;
    return PUT_TEXT(out, "}");
}

/* A paragraph of a passage-level change (its location without the path). */
static int put_paragraph(Text *out, PyObject *location) {
    static const int numbers[5] = {F_PARAGRAPH, F_START, F_END, F_LINE_START, F_LINE_END};
    static const char *labels[5] = {"{\"paragraph\": ", ", \"start\": ", ", \"end\": ",
                                    ", \"line_start\": ", ", \"line_end\": "};
    int64_t value;
    for (int i = 0; i < 5; i++)
        if (field_int(location, numbers[i], &value) || put_text(out, labels[i], strlen(labels[i])) ||
            put_int_checked(out, value))
            return -1;
    return PUT_TEXT(out, "}");
}

static int put_paragraphs(Text *out, PyObject *change, int field) {
    PyObject *locations = get_field(change, field);
    if (locations == NULL) return -1;
    int failed = !PyTuple_CheckExact(locations);
    if (failed) PyErr_SetString(PyExc_TypeError, "a change's paragraphs must be a tuple");
    failed = failed || PUT_TEXT(out, "[");
    for (Py_ssize_t i = 0; !failed && i < PyTuple_GET_SIZE(locations); i++)
        failed = (i && PUT_TEXT(out, ", ")) || put_paragraph(out, PyTuple_GET_ITEM(locations, i));
    Py_DECREF(locations);
    return failed || PUT_TEXT(out, "]") ? -1 : 0;
}

/* ParagraphChange.to_json. */
static int put_paragraph_change(Text *out, PyObject *change) {
    if (PUT_TEXT(out, "{\"kind\": ") || put_field(out, change, F_KIND, put_json_string) ||
        PUT_TEXT(out, ", \"a\": ") || put_paragraphs(out, change, F_A) ||
        PUT_TEXT(out, ", \"b\": ") || put_paragraphs(out, change, F_B))
        return -1;
    return PUT_TEXT(out, "}");
}

/* Difference.to_json, or PassageDifference.to_json when `passage`: `kinds`
 * is KINDS, the order the kinds present are listed in. */
static int put_difference(Text *out, PyObject *difference, PyObject *kinds, int passage) {
    int64_t words_a, words_b, common_a, common_b;
    if (!PyTuple_CheckExact(kinds)) {
        PyErr_SetString(PyExc_TypeError, "kinds must be a tuple");
        return -1;
    }
    if (field_int(difference, F_WORDS_A, &words_a) ||
        field_int(difference, F_WORDS_B, &words_b) ||
        field_int(difference, passage ? F_COMMON_A : F_COMMON, &common_a) ||
        (passage ? field_int(difference, F_COMMON_B, &common_b) : (common_b = common_a, 0)))
        return -1;
    PyObject *changes = get_field(difference, F_CHANGES);
    if (changes == NULL) return -1;
    int failed = -1;
    if (!PyTuple_CheckExact(changes)) {
        PyErr_SetString(PyExc_TypeError, "changes must be a tuple");
        goto done;
    }
    if (PUT_TEXT(out, "{\"coverage_a\": ") || put_coverage(out, common_a, words_a) ||
        PUT_TEXT(out, ", \"coverage_b\": ") || put_coverage(out, common_b, words_b) ||
        PUT_TEXT(out, ", \"words_a\": ") || put_int_checked(out, words_a) ||
        PUT_TEXT(out, ", \"words_b\": ") || put_int_checked(out, words_b) ||
        (!passage && (PUT_TEXT(out, ", \"common\": ") || put_int_checked(out, common_a))) ||
        PUT_TEXT(out, ", \"kinds\": ["))
        goto done;
    /* The kinds present, in the order of `kinds`: each change's kind is read
     * once, and compared by identity first (they are the module's
     * constants). */
    Py_ssize_t count = PyTuple_GET_SIZE(changes), listed = 0, read = 0;
    PyObject *small[32], **present = count <= 32 ? small : malloc((size_t)count * sizeof *present);
    if (present == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (; read < count; read++)
        if ((present[read] = get_field(PyTuple_GET_ITEM(changes, read), F_KIND)) == NULL)
            goto kinds_done;
    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(kinds); k++) {
        PyObject *wanted = PyTuple_GET_ITEM(kinds, k);
        int found = 0;
        for (Py_ssize_t i = 0; i < count && !found; i++)
            if ((found = PyObject_RichCompareBool(present[i], wanted, Py_EQ)) < 0) goto kinds_done;
        if (found && ((listed++ && PUT_TEXT(out, ", ")) || put_json_string(out, wanted)))
            goto kinds_done;
    }
    failed = 0;
kinds_done:
    for (Py_ssize_t i = 0; i < read; i++) Py_DECREF(present[i]);
    if (present != small) free(present);
    if (failed) goto done;
    failed = -1;
    if (PUT_TEXT(out, "], \"changes\": [")) goto done;
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *change = PyTuple_GET_ITEM(changes, i);
        if ((i && PUT_TEXT(out, ", ")) ||
            (passage ? put_paragraph_change(out, change) : put_change(out, change)))
            goto done;
    }
    failed = PUT_TEXT(out, "]}");
done:
    Py_DECREF(changes);
    return failed;
}

/* An item's last field, its difference (or null), and its closing brace. */
static int put_difference_last(Text *out, PyObject *item, PyObject *kinds, int passage) {
    PyObject *difference = get_field(item, F_DIFFERENCE);
    if (difference == NULL) return -1;
    int failed = difference == Py_None ? PUT_TEXT(out, "null")
                                       : put_difference(out, difference, kinds, passage);
    Py_DECREF(difference);
    return failed || PUT_TEXT(out, "}") ? -1 : 0;
}

static int put_match(Text *out, PyObject *match, PyObject *a, PyObject *b, PyObject *kinds) {
    if (PUT_TEXT(out, "{\"kind\": ") || put_field(out, match, F_KIND, put_json_string) ||
        PUT_TEXT(out, ", \"similarity\": "))
        return -1;
    if (put_field(out, match, F_SIMILARITY, put_rounded)) return -1;
    PyObject *field = get_field(match, F_BOILERPLATE);
    if (field == NULL) return -1;
    int truth = PyObject_IsTrue(field);
    Py_DECREF(field);
    int failed = truth < 0 || (truth ? PUT_TEXT(out, ", \"boilerplate\": true")
                                 : PUT_TEXT(out, ", \"boilerplate\": false"));
    if (failed) return -1;
    if (PUT_TEXT(out, ", \"a\": ") || put_raw(out, a) || PUT_TEXT(out, ", \"b\": ") ||
        put_raw(out, b) || PUT_TEXT(out, ", \"spans\": ["))
        return -1;
    PyObject *spans = get_field(match, F_SPANS);
    if (spans == NULL) return -1;
    failed = !PyTuple_CheckExact(spans);
    if (failed) PyErr_SetString(PyExc_TypeError, "spans must be a tuple");
    for (Py_ssize_t i = 0; !failed && i < PyTuple_GET_SIZE(spans); i++) {
        PyObject *span = PyTuple_GET_ITEM(spans, i);
        failed = (i && PUT_TEXT(out, ", ")) || PUT_TEXT(out, "{\"a\": ") ||
                 put_field(out, span, F_A, put_pair) || PUT_TEXT(out, ", \"b\": ") ||
                 put_field(out, span, F_B, put_pair) || PUT_TEXT(out, "}");
    }
    Py_DECREF(spans);
    int64_t matched;
    if (failed || PUT_TEXT(out, "], \"matched_words\": ") ||
        field_int(match, F_MATCHED_WORDS, &matched) || put_int_checked(out, matched) ||
        PUT_TEXT(out, ", \"difference\": "))
        return -1;
    return put_difference_last(out, match, kinds, 0);
}

static int put_passage(Text *out, PyObject *passage, PyObject *a, PyObject *b, PyObject *kinds) {
    if (PUT_TEXT(out, "{\"a\": ") || put_raw(out, a) || PUT_TEXT(out, ", \"b\": ") ||
        put_raw(out, b) || PUT_TEXT(out, ", \"similarity\": "))
        return -1;
    if (put_field(out, passage, F_SIMILARITY, put_rounded) || PUT_TEXT(out, ", \"matches\": ["))
        return -1;
    PyObject *matches = get_field(passage, F_MATCHES);
    if (matches == NULL) return -1;
    int failed = !PyTuple_CheckExact(matches);
    if (failed) PyErr_SetString(PyExc_TypeError, "matches must be a tuple of ints");
    for (Py_ssize_t i = 0; !failed && i < PyTuple_GET_SIZE(matches); i++)
        failed = (i && PUT_TEXT(out, ", ")) ||
                 put_int_object(out, PyTuple_GET_ITEM(matches, i), "a passage's match");
    Py_DECREF(matches);
    if (failed || PUT_TEXT(out, "], \"difference\": ")) return -1;
    return put_difference_last(out, passage, kinds, 1);
}

static int put_document(Text *out, PyObject *document) {
    int64_t paragraphs, chars;
    if (PUT_TEXT(out, "{\"path\": ") || put_field(out, document, F_PATH, put_json_string) ||
        field_int(document, F_PARAGRAPHS, &paragraphs) || PUT_TEXT(out, ", \"paragraphs\": ") ||
        put_int_checked(out, paragraphs) || field_int(document, F_CHARS, &chars) ||
        PUT_TEXT(out, ", \"chars\": ") || put_int_checked(out, chars) ||
        PUT_TEXT(out, ", \"encoding\": ") || put_field(out, document, F_ENCODING, put_json_string))
        return -1;
    PyObject *warning = get_field(document, F_WARNING);
    if (warning == NULL) return -1;
    int truth = PyObject_IsTrue(warning);
    int failed = truth < 0 || (truth && (PUT_TEXT(out, ", \"warning\": ") ||
                                          put_json_string(out, warning)));
    Py_DECREF(warning);
    return failed || PUT_TEXT(out, "}") ? -1 : 0;
}

/* The text written, as a str; frees it either way. */
static PyObject *text_result(Text *out, int failed) {
    PyObject *result = NULL;
    if (!failed)
        result = PyUnicode_DecodeUTF8(out->data ? out->data : "", (Py_ssize_t)out->length,
                                      "surrogatepass");
    free(out->data);
    return result;
}

static PyObject *location_json(PyObject *module, PyObject *location) {
    (void)module;
    Text out = {NULL, 0, 0};
    return text_result(&out, put_location(&out, location));
}

/* An item written with its locations' JSON and KINDS: (item, a, b, kinds). */
static PyObject *item_json(PyObject *const *args, Py_ssize_t count,
                           int (*put)(Text *, PyObject *, PyObject *, PyObject *, PyObject *),
                           const char *usage) {
    if (count != 4) {
        PyErr_SetString(PyExc_TypeError, usage);
        return NULL;
    }
    Text out = {NULL, 0, 0};
    return text_result(&out, put(&out, args[0], args[1], args[2], args[3]));
}

static PyObject *match_json(PyObject *module, PyObject *const *args, Py_ssize_t count) {
    (void)module;
    return item_json(args, count, put_match, "match_json(match, a, b, kinds)");
}

static PyObject *passage_json(PyObject *module, PyObject *const *args, Py_ssize_t count) {
    (void)module;
    return item_json(args, count, put_passage, "passage_json(passage, a, b, kinds)");
}

static PyObject *document_json(PyObject *module, PyObject *document) {
    (void)module;
    Text out = {NULL, 0, 0};
    return text_result(&out, put_document(&out, document));
}

static PyMethodDef methods[] = {
    {"exact_rows_json", exact_rows_json, METH_VARARGS,
     "exact_rows_json(locations, offsets, a, b, words, edges, boilerplate, rows, run_ends)"
     " -> list[str]\n\n"
     "The JSON of rows `rows` of an ExactCopies, each run joined with ', '."},
    {"location_json", location_json, METH_O,
     "location_json(location) -> str\n\nA Location's JSON, as _JsonWriter.location writes it."},
    {"match_json", (PyCFunction)(void (*)(void))match_json, METH_FASTCALL,
     "match_json(match, a, b, kinds) -> str\n\n_JsonWriter.match(match), a and b the JSON of "
     "its locations."},
    {"passage_json", (PyCFunction)(void (*)(void))passage_json, METH_FASTCALL,
     "passage_json(passage, a, b, kinds) -> str\n\n_JsonWriter.passage(passage), a and b the "
     "JSON of its locations."},
    {"document_json", document_json, METH_O,
     "document_json(document) -> str\n\n_JsonWriter.document(document)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT, "dedupe._report_batch", "A report's JSON, compiled.", -1,
    methods,
};

PyMODINIT_FUNC PyInit__report_batch(void) {
    for (int i = 0; i < FIELDS; i++)
        if (names[i] == NULL && (names[i] = PyUnicode_InternFromString(field_names[i])) == NULL)
            return NULL;
    if (name_round == NULL && (name_round = PyUnicode_InternFromString("__round__")) == NULL)
        return NULL;
    if (four == NULL && (four = PyLong_FromLong(4)) == NULL) return NULL;
    return PyModule_Create(&module_definition);
}
