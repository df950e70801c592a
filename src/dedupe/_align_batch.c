/* Longest common subsequences of many pairs of word sequences, compiled.
 *
 * The optional compiled half of dedupe.align.common_word_counts:
 *
 * lcs_lengths_into(values, offsets, rows_a, rows_b, out)
 *
 * Sequence r is values[offsets[r]:offsets[r + 1]] (uint32 word hashes);
 * out[i] is the length of the longest common subsequence of sequences
 * rows_a[i] and rows_b[i], what rapidfuzz's LCSseq.similarity gives.
 *
 * Bit-parallel (Crochemore et al. 2001; Hyyro 2004): bit i of V is 0 when
 * word i of the shorter sequence ends a longest common subsequence so far.
 * For each word c of the longer sequence with match mask M (the positions
 * of c in the shorter one), V = (V + (V & M)) | (V & ~M); the length is the
 * number of zero bits of V. A word absent from the shorter sequence leaves
 * V as it is, so only words found in a small hash table of the shorter
 * sequence's words cost anything. Most candidates of a scan are pairs
 * that share a few shingles and no more: this tells them apart in well
 * under a microsecond, where a Python call to rapidfuzz took ~8. Runs
 * without the GIL.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdint.h>
#include <string.h>

/* Scratch space reused from pair to pair. */
typedef struct {
    uint32_t *keys;  /* table slot -> word */
    uint32_t *stamp; /* table slot -> pair number that filled it (0: never) */
    int64_t *row;    /* table slot -> its row of masks */
    uint64_t *masks; /* rows of `words` uint64 each */
    uint64_t *v;
    Py_ssize_t slots, mask_rows, words;
    uint32_t pair;
} Scratch;

/* Hash table slots for a sequence of `length` words: at most half full. */
static Py_ssize_t table_slots(Py_ssize_t length) {
    Py_ssize_t slots = 16;
    while (slots < 2 * length) slots *= 2;
    return slots;
}

static int reserve(Scratch *s, Py_ssize_t length) {
    Py_ssize_t words = (length + 63) / 64;
    Py_ssize_t slots = table_slots(length);
    if (slots > s->slots) {
        uint32_t *keys = PyMem_RawRealloc(s->keys, (size_t)slots * sizeof *keys);
        if (keys == NULL) return -1;
        s->keys = keys;
        uint32_t *stamp = PyMem_RawRealloc(s->stamp, (size_t)slots * sizeof *stamp);
        if (stamp == NULL) return -1;
        s->stamp = stamp;
        int64_t *row = PyMem_RawRealloc(s->row, (size_t)slots * sizeof *row);
        if (row == NULL) return -1;
        s->row = row;
        /* Fresh slots must read as empty whatever the pair number. */
        memset(s->stamp, 0, (size_t)slots * sizeof *s->stamp);
        s->pair = 0;
        s->slots = slots;
    }
    if (length * words > s->mask_rows * s->words || words > s->words) {
        Py_ssize_t rows = length > s->mask_rows ? length : s->mask_rows;
        Py_ssize_t width = words > s->words ? words : s->words;
        uint64_t *masks = PyMem_RawRealloc(s->masks, (size_t)(rows * width) * sizeof *masks);
        if (masks == NULL) return -1;
        s->masks = masks;
        uint64_t *v = PyMem_RawRealloc(s->v, (size_t)width * sizeof *v);
        if (v == NULL) return -1;
        s->v = v;
        s->mask_rows = rows;
        s->words = width;
    }
    return 0;
}

static inline int64_t ones(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
    return (int64_t)((x * 0x0101010101010101ull) >> 56);
}

static inline Py_ssize_t slot_of(uint32_t key, Py_ssize_t slots) {
    return (Py_ssize_t)(((uint64_t)key * 0x9E3779B97F4A7C15ull) >> 32) & (slots - 1);
}

/* -1 when out of memory. */
static int64_t lcs(const uint32_t *a, Py_ssize_t m, const uint32_t *b, Py_ssize_t n,
                   Scratch *s) {
    if (m > n) {
        const uint32_t *t = a;
        a = b;
        b = t;
        Py_ssize_t k = m;
        m = n;
        n = k;
    }
    if (m == 0) return 0;
    if (reserve(s, m)) return -1;
    Py_ssize_t words = (m + 63) / 64, slots = table_slots(m), distinct = 0;
    /* The table's size depends on m alone, so a slot filled for an earlier
     * pair of another size can hold any stamp: the stamp is unique per
     * pair, which is all that is compared. */
    if (++s->pair == 0) {
        memset(s->stamp, 0, (size_t)s->slots * sizeof *s->stamp);
        s->pair = 1;
    }
    uint32_t pair = s->pair;
    for (Py_ssize_t i = 0; i < m; i++) {
        Py_ssize_t slot = slot_of(a[i], slots);
        while (s->stamp[slot] == pair && s->keys[slot] != a[i]) slot = (slot + 1) & (slots - 1);
        if (s->stamp[slot] != pair) {
            s->stamp[slot] = pair;
            s->keys[slot] = a[i];
            s->row[slot] = distinct;
            memset(s->masks + distinct * words, 0, (size_t)words * sizeof(uint64_t));
            distinct++;
        }
        s->masks[s->row[slot] * words + i / 64] |= 1ull << (i % 64);
    }
    uint64_t *v = s->v;
    for (Py_ssize_t w = 0; w < words; w++) v[w] = ~0ull;
    for (Py_ssize_t j = 0; j < n; j++) {
        Py_ssize_t slot = slot_of(b[j], slots);
        while (s->stamp[slot] == pair && s->keys[slot] != b[j]) slot = (slot + 1) & (slots - 1);
        if (s->stamp[slot] != pair) continue; /* not in the shorter sequence */
        const uint64_t *mask = s->masks + s->row[slot] * words;
        uint64_t carry = 0;
        for (Py_ssize_t w = 0; w < words; w++) {
            uint64_t old = v[w], u = old & mask[w];
            uint64_t sum = old + u;
            uint64_t next_carry = sum < old;
            sum += carry;
            next_carry |= sum < carry;
            carry = next_carry;
            v[w] = sum | (old & ~mask[w]);
        }
    }
    int64_t zeros = 0;
    for (Py_ssize_t w = 0; w < words; w++) {
        uint64_t used = (w == words - 1 && m % 64) ? (1ull << (m % 64)) - 1 : ~0ull;
        zeros += ones(~v[w] & used);
    }
    return zeros;
}

static PyObject *lcs_lengths_into(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer values, offsets, rows_a, rows_b, out;
    if (!PyArg_ParseTuple(args, "y*y*y*y*w*", &values, &offsets, &rows_a, &rows_b, &out))
        return NULL;
    PyObject *result = NULL;
    Scratch scratch = {0};
    Py_ssize_t pairs = rows_a.len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t sequences = offsets.len / (Py_ssize_t)sizeof(int64_t) - 1;
    Py_ssize_t count = values.len / (Py_ssize_t)sizeof(uint32_t);
    if (values.len % (Py_ssize_t)sizeof(uint32_t) || offsets.len % (Py_ssize_t)sizeof(int64_t) ||
        sequences < 0 || rows_a.len != rows_b.len || rows_a.len % (Py_ssize_t)sizeof(int64_t) ||
        out.len != pairs * (Py_ssize_t)sizeof(int32_t)) {
        PyErr_SetString(PyExc_ValueError,
                        "values must be uint32, offsets int64, rows_a and rows_b int64 arrays "
                        "of one length, out an int32 array of it");
        goto done;
    }
    const int64_t *o = offsets.buf;
    for (Py_ssize_t r = 0; r <= sequences; r++) {
        if (o[r] < 0 || o[r] > count || (r > 0 && o[r] < o[r - 1])) {
            PyErr_SetString(PyExc_ValueError, "offsets must rise inside the values");
            goto done;
        }
    }
    const int64_t *ra = rows_a.buf, *rb = rows_b.buf;
    for (Py_ssize_t i = 0; i < pairs; i++) {
        if (ra[i] < 0 || ra[i] >= sequences || rb[i] < 0 || rb[i] >= sequences) {
            PyErr_SetString(PyExc_ValueError, "rows must name sequences of the offsets");
            goto done;
        }
    }
    const uint32_t *v = values.buf;
    int32_t *lengths = out.buf;
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < pairs && !failed; i++) {
        int64_t found = lcs(v + o[ra[i]], (Py_ssize_t)(o[ra[i] + 1] - o[ra[i]]), v + o[rb[i]],
                            (Py_ssize_t)(o[rb[i] + 1] - o[rb[i]]), &scratch);
        if (found < 0) failed = 1;
        else lengths[i] = (int32_t)found;
    }
    Py_END_ALLOW_THREADS
    if (failed) PyErr_NoMemory();
    else result = Py_NewRef(Py_None);
done:
    PyMem_RawFree(scratch.keys);
    PyMem_RawFree(scratch.stamp);
    PyMem_RawFree(scratch.row);
    PyMem_RawFree(scratch.masks);
    PyMem_RawFree(scratch.v);
    PyBuffer_Release(&values);
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&rows_a);
    PyBuffer_Release(&rows_b);
    PyBuffer_Release(&out);
    return result;
}

static PyMethodDef methods[] = {
    {"lcs_lengths_into", lcs_lengths_into, METH_VARARGS,
     "lcs_lengths_into(values, offsets, rows_a, rows_b, out)\n\n"
     "The longest common subsequence of each pair of sequences of values, into\n"
     "out (see dedupe.align.common_word_counts)."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "dedupe._align_batch",
    .m_doc = "Compiled longest common subsequences of word sequences (see dedupe.align).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__align_batch(void) { return PyModule_Create(&module_definition); }
