/* The containment lookup and the LSH buckets, compiled.
 *
 * lsh_pairs(signatures, bands, rows, max_bucket, row_bits) -> bytes: the
 * optional compiled half of dedupe.index.lsh_candidates, which holds the
 * numpy version, the documentation and the tests' reference. For each band
 * a 64-bit key per signature (dedupe.index._band_hash: the same arithmetic);
 * signatures whose keys agree above their low row_bits bits share a bucket,
 * and a bucket gives all its pairs, or with more than max_bucket members
 * the chain of neighbours in signature order. The pairs come as int32 pairs
 * packed in bytes, unordered and with repeats (the caller sorts and dedupes
 * them). A stable radix sort of the keys' top bits per band replaces
 * numpy's sort of keys and rows packed into 64 bits (the few runs that
 * agree in those bits but not in the whole key are then ordered apart), and
 * one pass finds the buckets and writes their pairs. Runs without the GIL.
 *
 * containment_pairs: the optional compiled half of
 * dedupe.index.flat_containment_candidates, which holds the numpy version,
 * the documentation and the tests' reference. Sets of 32-bit values are stored back to back (set i is the
 * next lengths[i] values); some are short items. For a value v, postings(v)
 * are the sets that hold it. An item's value is usable when at most
 * max_postings sets hold it, and it votes for every other set that holds it
 * when at least two do. containment_pairs gives every (item, other) with
 *
 *     votes >= ceil(min_coverage * usable values of the item - 1e-9)
 *
 * as int32 pairs packed in bytes, in no particular order (the caller sorts
 * and dedupes them).
 *
 * The numpy version sorts every (value, set) entry whose value may be an
 * item's; here one hash table of the items' values counts and lists the
 * postings, and each item's votes go into one counter per set. It runs
 * without the GIL, beside the LSH thread.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "_kernels.h"

/* Open addressing, at most 2/3 full. A key and its number share a slot, so
 * a lookup touches one cache line. */
typedef struct {
    uint32_t key;
    int32_t index; /* -1: empty */
} Slot;

typedef struct {
    Slot *slots;
    uint64_t mask;
} Table;

static int table_init(Table *table, int64_t entries) {
    uint64_t capacity = 16;
    while (capacity < (uint64_t)entries + (uint64_t)entries / 2 + 1) capacity *= 2;
    table->slots = malloc(capacity * sizeof *table->slots);
    table->mask = capacity - 1;
    if (table->slots == NULL) return -1;
    for (uint64_t slot = 0; slot < capacity; slot++) table->slots[slot].index = -1;
    return 0;
}

static void table_free(Table *table) { free(table->slots); }

/* The values are hashes, uniform in their low bits: the first slot tried is
 * the value's low bits, then the next ones. */
static int32_t table_find(const Table *table, uint32_t key) {
    for (uint64_t slot = key & table->mask;; slot = (slot + 1) & table->mask) {
        const Slot *here = &table->slots[slot];
        if (here->index < 0 || here->key == key) return here->index;
    }
}

/* The key's number, added if absent (new keys numbered from *count on). */
static int32_t table_add(Table *table, uint32_t key, int32_t *count) {
    for (uint64_t slot = key & table->mask;; slot = (slot + 1) & table->mask) {
        Slot *here = &table->slots[slot];
        if (here->index < 0) {
            here->key = key;
            return here->index = (*count)++;
        }
        if (here->key == key) return here->index;
    }
}

#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(address) __builtin_prefetch(address)
#else
#define PREFETCH(address) ((void)0)
#endif

/* A growable array of int32. */
typedef struct {
    int32_t *items;
    int64_t length, capacity;
} Ints;

static int ints_push(Ints *ints, int32_t value) {
    if (ints->length == ints->capacity) {
        int64_t capacity = ints->capacity ? 2 * ints->capacity : 4096;
        int32_t *grown = realloc(ints->items, (size_t)capacity * sizeof *grown);
        if (grown == NULL) return -1;
        ints->items = grown;
        ints->capacity = capacity;
    }
    ints->items[ints->length++] = value;
    return 0;
}

/* Entries looked up this far ahead are prefetched: each lookup is a miss
 * in a table of tens of MB, and independent of the others. */
#define AHEAD 16

/* 0 on success, -1 when out of memory. */
static int find_pairs(const uint32_t *values, const int64_t *lengths, const uint8_t *is_short,
                      int64_t sets, double min_coverage, int64_t max_postings, Ints *out) {
    int result = -1;
    int64_t *offsets = malloc((size_t)(sets + 1) * sizeof *offsets);
    Table table = {NULL, 0};
    int64_t *starts = NULL;
    uint8_t *filter = NULL;
    int32_t *counts = NULL, *item_index = NULL, *postings = NULL, *votes = NULL;
    int32_t *touched = NULL;
    int64_t *found_ends = NULL;
    Ints found = {NULL, 0, 0};
    if (offsets == NULL) goto done;
    offsets[0] = 0;
    int64_t short_entries = 0;
    for (int64_t s = 0; s < sets; s++) {
        offsets[s + 1] = offsets[s] + lengths[s];
        if (is_short[s]) short_entries += lengths[s];
    }
    if (short_entries == 0) {
        result = 0;
        goto done;
    }
    /* The items' values, numbered; each item entry keeps its number. */
    item_index = malloc((size_t)short_entries * sizeof *item_index);
    if (item_index == NULL || table_init(&table, short_entries)) goto done;
    int32_t distinct = 0;
    int64_t k = 0;
    for (int64_t s = 0; s < sets; s++)
        if (is_short[s])
            for (int64_t e = offsets[s]; e < offsets[s + 1]; e++)
                item_index[k++] = table_add(&table, values[e], &distinct);
    /* A bit table of 16 bits per item value turns most other values away
     * before a lookup in the hash table. */
    uint64_t filter_bits = 1 << 16;
    while (filter_bits < 16 * (uint64_t)short_entries && filter_bits < ((uint64_t)1 << 34))
        filter_bits *= 2;
    uint64_t filter_mask = filter_bits - 1;
    filter = calloc((size_t)(filter_bits / 8), 1);
    if (filter == NULL) goto done;
    for (int64_t s = 0; s < sets; s++)
        if (is_short[s])
            for (int64_t e = offsets[s]; e < offsets[s + 1]; e++) {
                uint64_t bit = values[e] & filter_mask;
                filter[bit >> 3] |= (uint8_t)(1u << (bit & 7));
            }
    /* Every entry whose value an item holds: the postings, counted per
     * value, in set order. One pass, prefetching in two steps: the filter
     * byte of the entry 2 * AHEAD on, then the table slot of the one AHEAD
     * on if its filter bit lets it through (each is a miss in tables of
     * megabytes, independent of the others). Each hit keeps its value's
     * number; found_ends says where each set's hits end, which names the
     * set of a hit without storing it (50 MB planted corpus: 4.3 million
     * hits, 17 MB less written, the kernel 0.31 -> 0.30 s). */
    counts = calloc((size_t)distinct, sizeof *counts);
    found_ends = malloc((size_t)sets * sizeof *found_ends);
    if (counts == NULL || found_ends == NULL) goto done;
    int64_t total = offsets[sets];
    for (int64_t s = 0, e = 0; s < sets; found_ends[s++] = found.length)
        for (; e < offsets[s + 1]; e++) {
            if (e + 2 * AHEAD < total)
                PREFETCH(&filter[(values[e + 2 * AHEAD] & filter_mask) >> 3]);
            if (e + AHEAD < total) {
                uint64_t ahead = values[e + AHEAD] & filter_mask;
                if ((filter[ahead >> 3] >> (ahead & 7)) & 1)
                    PREFETCH(&table.slots[values[e + AHEAD] & table.mask]);
            }
            uint64_t bit = values[e] & filter_mask;
            if (!((filter[bit >> 3] >> (bit & 7)) & 1)) continue;
            int32_t index = table_find(&table, values[e]);
            if (index < 0) continue;
            counts[index]++;
            if (ints_push(&found, index)) goto done;
        }
    /* Postings per value (CSR): starts[] serve as fill pointers, which
     * leaves each at the next value's start, then are shifted back. */
    starts = malloc((size_t)(distinct + 1) * sizeof *starts);
    postings = malloc((size_t)(found.length ? found.length : 1) * sizeof *postings);
    if (starts == NULL || postings == NULL) goto done;
    starts[0] = 0;
    for (int32_t v = 0; v < distinct; v++) starts[v + 1] = starts[v] + counts[v];
    for (int64_t s = 0, f = 0; s < sets; s++)
        for (; f < found_ends[s]; f++) postings[starts[found.items[f]]++] = (int32_t)s;
    memmove(starts + 1, starts, (size_t)distinct * sizeof *starts);
    starts[0] = 0;
    /* Each item's votes, one counter per set, reset after the item. */
    votes = calloc((size_t)sets, sizeof *votes);
    touched = malloc((size_t)sets * sizeof *touched);
    if (votes == NULL || touched == NULL) goto done;
    k = 0;
    for (int64_t item = 0; item < sets; item++) {
        if (!is_short[item]) continue;
        int64_t usable = 0, voted = 0;
        for (int64_t e = offsets[item]; e < offsets[item + 1]; e++) {
            if (k + AHEAD < short_entries) {
                PREFETCH(&counts[item_index[k + AHEAD]]);
                PREFETCH(&starts[item_index[k + AHEAD]]);
            }
            int32_t index = item_index[k++];
            if (counts[index] > max_postings) continue;
            usable++;
            if (counts[index] < 2) continue;
            for (int64_t p = starts[index]; p < starts[index + 1]; p++) {
                int32_t other = postings[p];
                if (other == item) continue;
                if (votes[other]++ == 0) touched[voted++] = other;
            }
        }
        double needed = ceil(min_coverage * (double)usable - 1e-9);
        for (int64_t t = 0; t < voted; t++) {
            int32_t other = touched[t];
            if ((double)votes[other] >= needed &&
                (ints_push(out, (int32_t)item) || ints_push(out, other)))
                goto done;
            votes[other] = 0;
        }
    }
    result = 0;
done:
    free(offsets);
    free(item_index);
    free(filter);
    table_free(&table);
    free(counts);
    free(starts);
    free(postings);
    free(votes);
    free(touched);
    free(found.items);
    free(found_ends);
    return result;
}

/* What a kernel returns: its pairs as bytes, or the error of running out of
 * memory; the array is freed either way. */
static PyObject *pairs_as_bytes(Ints *pairs, int failed) {
    PyObject *result = NULL;
    if (failed)
        PyErr_NoMemory();
    else
        result = PyBytes_FromStringAndSize((const char *)pairs->items,
                                           (Py_ssize_t)(pairs->length * (int64_t)sizeof(int32_t)));
    free(pairs->items);
    return result;
}

/* Sets of 32-bit values stored back to back, checked: lengths are int64,
 * non-negative and sum to the values' count, both below 2**31. Returns the
 * number of sets, or -1 with an exception set. */
static Py_ssize_t checked_sets(const Py_buffer *values, const Py_buffer *lengths) {
    Py_ssize_t sets = lengths->len / (Py_ssize_t)sizeof(int64_t);
    Py_ssize_t total = values->len / (Py_ssize_t)sizeof(uint32_t);
    if (lengths->len % (Py_ssize_t)sizeof(int64_t) ||
        values->len % (Py_ssize_t)sizeof(uint32_t) || sets >= INT32_MAX || total >= INT32_MAX) {
        PyErr_SetString(PyExc_ValueError,
                        "values must be uint32 and lengths int64 (fewer than 2**31 of each)");
        return -1;
    }
    const int64_t *n = lengths->buf;
    if (!counts_cover(n, sets, total)) {
        PyErr_SetString(PyExc_ValueError, "lengths must be non-negative and sum to len(values)");
        return -1;
    }
    return sets;
}

static PyObject *containment_pairs(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer values, lengths, is_short;
    double min_coverage;
    long long max_postings;
    if (!PyArg_ParseTuple(args, "y*y*y*dL", &values, &lengths, &is_short, &min_coverage,
                          &max_postings))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t sets = checked_sets(&values, &lengths);
    if (sets < 0) goto done;
    if (is_short.len != sets) {
        PyErr_SetString(PyExc_ValueError, "is_short must be one byte per set");
        goto done;
    }
    const int64_t *n = lengths.buf;
    Ints pairs = {NULL, 0, 0};
    int failed;
    Py_BEGIN_ALLOW_THREADS
    failed = find_pairs(values.buf, n, is_short.buf, sets, min_coverage, max_postings, &pairs);
    Py_END_ALLOW_THREADS
    result = pairs_as_bytes(&pairs, failed);
done:
    PyBuffer_Release(&values);
    PyBuffer_Release(&lengths);
    PyBuffer_Release(&is_short);
    return result;
}

/* -- Rare words ---------------------------------------------------------- */

/* 0 on success, -1 when out of memory. */
static int find_word_pairs(const uint32_t *values, const int64_t *lengths, int64_t sets,
                           int64_t min_shared, double min_dice, int64_t max_postings, Ints *out) {
    int result = -1;
    int64_t total = 0;
    for (int64_t s = 0; s < sets; s++) total += lengths[s];
    Table table = {NULL, 0};
    int32_t *entry_index = NULL, *counts = NULL, *last_set = NULL, *rare_words = NULL;
    int32_t *postings = NULL, *votes = NULL, *touched = NULL;
    int64_t *distinct_ends = NULL, *starts = NULL;
    /* Each set's distinct values, numbered, back to back (a set lists a
     * word once however often it says it), and per value the number of
     * sets that hold it. */
    entry_index = malloc((size_t)(total ? total : 1) * sizeof *entry_index);
    distinct_ends = malloc((size_t)(sets + 1) * sizeof *distinct_ends);
    if (entry_index == NULL || distinct_ends == NULL || table_init(&table, total)) goto done;
    int32_t distinct = 0;
    for (int64_t e = 0; e < total; e++) {
        if (e + AHEAD < total) PREFETCH(&table.slots[values[e + AHEAD] & table.mask]);
        entry_index[e] = table_add(&table, values[e], &distinct);
    }
    table_free(&table);
    table.slots = NULL;
    counts = calloc((size_t)(distinct ? distinct : 1), sizeof *counts);
    last_set = malloc((size_t)(distinct ? distinct : 1) * sizeof *last_set);
    if (counts == NULL || last_set == NULL) goto done;
    for (int32_t v = 0; v < distinct; v++) last_set[v] = -1;
    /* Repeats dropped in place (kept never passes e): a set's values stay
     * in order. */
    int64_t e = 0, kept = 0;
    for (int64_t s = 0; s < sets; s++) {
        distinct_ends[s] = kept;
        for (int64_t end = e + lengths[s]; e < end; e++) {
            int32_t index = entry_index[e];
            if (last_set[index] == (int32_t)s) continue;
            last_set[index] = (int32_t)s;
            counts[index]++;
            entry_index[kept++] = index;
        }
    }
    distinct_ends[sets] = kept;
    /* Rare words per set; postings (CSR, sets ascending) of the rare words
     * held by two sets or more, the only ones that vote. */
    rare_words = calloc((size_t)(sets ? sets : 1), sizeof *rare_words);
    starts = calloc((size_t)distinct + 1, sizeof *starts);
    if (rare_words == NULL || starts == NULL) goto done;
    for (int64_t s = 0; s < sets; s++)
        for (int64_t k = distinct_ends[s]; k < distinct_ends[s + 1]; k++) {
            int32_t c = counts[entry_index[k]];
            if (c <= max_postings) rare_words[s]++;
        }
    for (int32_t v = 0; v < distinct; v++)
        starts[v + 1] = starts[v] + (counts[v] >= 2 && counts[v] <= max_postings ? counts[v] : 0);
    postings = malloc((size_t)(starts[distinct] ? starts[distinct] : 1) * sizeof *postings);
    if (postings == NULL) goto done;
    for (int64_t s = 0; s < sets; s++)
        for (int64_t k = distinct_ends[s]; k < distinct_ends[s + 1]; k++) {
            int32_t index = entry_index[k];
            if (counts[index] >= 2 && counts[index] <= max_postings)
                postings[starts[index]++] = (int32_t)s;
        }
    /* The fill left each start at the next one's: shift back. */
    memmove(starts + 1, starts, (size_t)distinct * sizeof *starts);
    starts[0] = 0;
    /* Each set votes for the later sets that hold its rare words (so a pair
     * is met once, from its lower set), one counter per set, reset after. */
    votes = calloc((size_t)(sets ? sets : 1), sizeof *votes);
    touched = malloc((size_t)(sets ? sets : 1) * sizeof *touched);
    if (votes == NULL || touched == NULL) goto done;
    for (int64_t s = 0; s < sets; s++) {
        int64_t voted = 0;
        for (int64_t k = distinct_ends[s]; k < distinct_ends[s + 1]; k++) {
            int32_t index = entry_index[k];
            int64_t p = starts[index], end = starts[index + 1];
            while (p < end && postings[p] <= (int32_t)s) p++;
            for (; p < end; p++) {
                int32_t other = postings[p];
                if (votes[other]++ == 0) touched[voted++] = other;
            }
        }
        for (int64_t t = 0; t < voted; t++) {
            int32_t other = touched[t];
            int64_t shared = votes[other];
            votes[other] = 0;
            /* The same arithmetic as the numpy version's, in doubles. */
            if (shared >= min_shared &&
                2.0 * (double)shared >=
                    min_dice * (double)((int64_t)rare_words[s] + rare_words[other]) - 1e-9 &&
                (ints_push(out, (int32_t)s) || ints_push(out, other)))
                goto done;
        }
    }
    result = 0;
done:
    table_free(&table);
    free(entry_index);
    free(distinct_ends);
    free(counts);
    free(last_set);
    free(rare_words);
    free(starts);
    free(postings);
    free(votes);
    free(touched);
    return result;
}

static PyObject *shared_word_pairs(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer values, lengths;
    long long min_shared, max_postings;
    double min_dice;
    if (!PyArg_ParseTuple(args, "y*y*LdL", &values, &lengths, &min_shared, &min_dice,
                          &max_postings))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t sets = checked_sets(&values, &lengths);
    if (sets >= 0) {
        Ints pairs = {NULL, 0, 0};
        int failed;
        Py_BEGIN_ALLOW_THREADS
        failed = find_word_pairs(values.buf, lengths.buf, sets, min_shared, min_dice,
                                 max_postings, &pairs);
        Py_END_ALLOW_THREADS
        result = pairs_as_bytes(&pairs, failed);
    }
    PyBuffer_Release(&values);
    PyBuffer_Release(&lengths);
    return result;
}

/* -- LSH buckets ------------------------------------------------------- */

static inline uint64_t band_key(const uint32_t *row, Py_ssize_t width) {
    uint64_t key = 0;
    for (Py_ssize_t column = 0; column < width; column++) {
        key = key * 0x9E3779B97F4A7C15ull + (uint64_t)row[column];
        key ^= key >> 29;
    }
    key ^= key >> 33;
    key *= 0xFF51AFD7ED558CCDull;
    key ^= key >> 33;
    key *= 0xC4CEB9FE1A85EC53ull;
    key ^= key >> 33;
    return key;
}

#define RADIX_BITS 11
#define RADIX (1 << RADIX_BITS)

/* Sorts (keys, ids) by the bits of the keys from `low` up, stably, keys
 * below 2**bits; the scratch arrays are as long. Returns the array pair
 * holding the result. */
static void radix_sort(uint64_t **keys, int32_t **ids, uint64_t **keys_scratch,
                       int32_t **ids_scratch, Py_ssize_t count, int low, int bits,
                       Py_ssize_t *histogram) {
    for (int shift = low; shift < bits; shift += RADIX_BITS) {
        memset(histogram, 0, RADIX * sizeof *histogram);
        const uint64_t *k = *keys;
        for (Py_ssize_t i = 0; i < count; i++) histogram[(k[i] >> shift) & (RADIX - 1)]++;
        Py_ssize_t at = 0;
        for (int digit = 0; digit < RADIX; digit++) {
            Py_ssize_t here = histogram[digit];
            histogram[digit] = at;
            at += here;
        }
        uint64_t *out_keys = *keys_scratch;
        int32_t *out_ids = *ids_scratch;
        const int32_t *id = *ids;
        for (Py_ssize_t i = 0; i < count; i++) {
            Py_ssize_t to = histogram[(k[i] >> shift) & (RADIX - 1)]++;
            out_keys[to] = k[i];
            out_ids[to] = id[i];
        }
        *keys_scratch = *keys;
        *ids_scratch = *ids;
        *keys = out_keys;
        *ids = out_ids;
    }
}

/* Puts a run of (keys, ids) in key order, stably, unless it is already:
 * keys that agree in the bits sorted on nearly always agree in all. An
 * insertion sort costs one pass plus one step per key moved past another. */
static void order_run(uint64_t *keys, int32_t *ids, Py_ssize_t count) {
    for (Py_ssize_t i = 1; i < count; i++) {
        uint64_t key = keys[i];
        int32_t id = ids[i];
        Py_ssize_t j = i;
        for (; j > 0 && keys[j - 1] > key; j--) {
            keys[j] = keys[j - 1];
            ids[j] = ids[j - 1];
        }
        keys[j] = key;
        ids[j] = id;
    }
}

/* A bucket's pairs: all of them, or past max_bucket members the chain of
 * neighbours. 0 on success, -1 when out of memory. */
static int bucket_pairs(const int32_t *id, Py_ssize_t size, Py_ssize_t max_bucket, Ints *pairs) {
    int failed = 0;
    if (size > max_bucket) {
        for (Py_ssize_t i = 0; i + 1 < size && !failed; i++)
            failed = ints_push(pairs, id[i]) || ints_push(pairs, id[i + 1]);
    } else if (size >= 2) {
        for (Py_ssize_t i = 0; i < size && !failed; i++)
            for (Py_ssize_t j = i + 1; j < size && !failed; j++)
                failed = ints_push(pairs, id[i]) || ints_push(pairs, id[j]);
    }
    return failed ? -1 : 0;
}

/* Band keys are computed this many bytes of them at a time, for as many
 * bands as fit, in one pass over the signatures: a pass per band loaded one
 * cache line per signature for two of its values (a third of the time).
 * On BBC News's signatures, blocks of 256 KiB, 1, 4 and 16 MiB took 11.5,
 * 8.1, 7.9 and 7.6 ms; 4 MiB stays under the command's mmap threshold (see
 * dedupe.cli), so the block comes from the heap, not from fresh pages. */
#define KEY_BLOCK_BYTES (4 << 20)

static int lsh_buckets(const uint32_t *signatures, Py_ssize_t count, Py_ssize_t width,
                       Py_ssize_t bands, Py_ssize_t rows, Py_ssize_t max_bucket, int row_bits,
                       int sorted_bits, Ints *pairs) {
    int failed = 0;
    Py_ssize_t group = count ? KEY_BLOCK_BYTES / (count * (Py_ssize_t)sizeof(uint64_t)) : 1;
    if (group < 1) group = 1;
    if (group > bands) group = bands;
    uint64_t *group_keys = malloc((size_t)(group * count) * sizeof *group_keys);
    uint64_t *keys_scratch = malloc((size_t)count * sizeof *keys_scratch);
    int32_t *ids = malloc((size_t)count * sizeof *ids);
    int32_t *ids_scratch = malloc((size_t)count * sizeof *ids_scratch);
    Py_ssize_t *histogram = malloc(RADIX * sizeof *histogram);
    if (!group_keys || !keys_scratch || !ids || !ids_scratch || !histogram) {
        failed = 1;
        goto done;
    }
    int bits = 64 - row_bits;
    /* Only the top sorted_bits of each key are sorted on, whole radix
     * digits of them: with a few bits more than there are keys to tell
     * apart, keys that agree there but not further are rare, and order_run
     * separates them. BBC News, 11,756 signatures, 63 bands: two passes
     * instead of five. With the keys in blocks, lsh_pairs took 7.5-7.9 ms
     * there instead of 16-17 ms; 50 MB planted corpus 0.19 s, was 0.27 s. */
    if (sorted_bits <= 0) sorted_bits = row_bits + 4;
    int low = bits - RADIX_BITS * ((sorted_bits + RADIX_BITS - 1) / RADIX_BITS);
    if (low < 0) low = 0;
    for (Py_ssize_t first = 0; first < bands && !failed; first += group) {
        Py_ssize_t these = bands - first < group ? bands - first : group;
        for (Py_ssize_t i = 0; i < count; i++) {
            const uint32_t *row = signatures + i * width + first * rows;
            /* The top bits alone: keys equal there share a bucket. */
            for (Py_ssize_t b = 0; b < these; b++)
                group_keys[b * count + i] = band_key(row + b * rows, rows) >> row_bits;
        }
        for (Py_ssize_t b = 0; b < these && !failed; b++) {
            uint64_t *k = group_keys + b * count, *ks = keys_scratch;
            int32_t *id = ids, *ids2 = ids_scratch;
            for (Py_ssize_t i = 0; i < count; i++) id[i] = (int32_t)i;
            radix_sort(&k, &id, &ks, &ids2, count, low, bits, histogram);
            for (Py_ssize_t start = 0; start < count && !failed;) {
                uint64_t sorted_on = k[start] >> low;
                Py_ssize_t end = start + 1;
                while (end < count && k[end] >> low == sorted_on) end++;
                if (low > 0 && end - start >= 2) order_run(k + start, id + start, end - start);
                /* The buckets: runs of equal keys, their ids ascending (the
                 * sorts are stable and the ids went in ascending). */
                for (Py_ssize_t bucket = start; bucket < end && !failed;) {
                    Py_ssize_t bucket_end = bucket + 1;
                    while (bucket_end < end && k[bucket_end] == k[bucket]) bucket_end++;
                    failed = bucket_pairs(id + bucket, bucket_end - bucket, max_bucket, pairs);
                    bucket = bucket_end;
                }
                start = end;
            }
        }
    }
done:
    free(group_keys);
    free(keys_scratch);
    free(ids);
    free(ids_scratch);
    free(histogram);
    return failed;
}

static PyObject *lsh_pairs(PyObject *module, PyObject *args) {
    (void)module;
    Py_buffer signatures;
    Py_ssize_t width, bands, rows, max_bucket;
    int row_bits, sorted_bits = 0;
    if (!PyArg_ParseTuple(args, "y*nnnni|i", &signatures, &width, &bands, &rows, &max_bucket,
                          &row_bits, &sorted_bits))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t count = width > 0 ? signatures.len / (Py_ssize_t)sizeof(uint32_t) / width : 0;
    if (width <= 0 || signatures.len != count * width * (Py_ssize_t)sizeof(uint32_t) ||
        bands < 0 || rows < 1 || bands * rows > width || count >= INT32_MAX || row_bits < 1 ||
        row_bits > 63 || (count > 1 && ((uint64_t)(count - 1) >> row_bits) != 0)) {
        PyErr_SetString(PyExc_ValueError,
                        "signatures must be a C-contiguous uint32 matrix of width columns, "
                        "bands * rows at most width, row_bits enough for every row");
        goto done;
    }
    Ints pairs = {NULL, 0, 0};
    int failed;
    Py_BEGIN_ALLOW_THREADS
    failed = lsh_buckets(signatures.buf, count, width, bands, rows, max_bucket, row_bits,
                         sorted_bits, &pairs);
    Py_END_ALLOW_THREADS
    result = pairs_as_bytes(&pairs, failed);
done:
    PyBuffer_Release(&signatures);
    return result;
}

static PyMethodDef methods[] = {
    {"lsh_pairs", lsh_pairs, METH_VARARGS,
     "lsh_pairs(signatures, width, bands, rows, max_bucket, row_bits, sorted_bits=0)\n"
     "-> bytes\n\n"
     "The pairs of every LSH bucket of every band as native int32 pairs, unordered\n"
     "and with repeats (see dedupe.index.lsh_candidates). signatures: a C-contiguous\n"
     "uint32 matrix of width columns. sorted_bits: how many of the keys' top bits the\n"
     "radix sort orders (0: a few more than row_bits); any value gives the same pairs."},
    {"containment_pairs", containment_pairs, METH_VARARGS,
     "containment_pairs(values, lengths, is_short, min_coverage, max_postings) -> bytes\n\n"
     "(item, other) pairs of the containment lookup as native int32 pairs, unordered\n"
     "(see dedupe.index.flat_containment_candidates). values: uint32, lengths: int64,\n"
     "is_short: one byte (bool) per set."},
    {"shared_word_pairs", shared_word_pairs, METH_VARARGS,
     "shared_word_pairs(values, lengths, min_shared, min_dice, max_postings) -> bytes\n\n"
     "(low, high) pairs of the rare-word lookup as native int32 pairs, unordered\n"
     "(see dedupe.index.flat_shared_word_candidates). values: uint32, lengths: int64."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT,
    .m_name = "dedupe._index_batch",
    .m_doc = "Compiled containment lookup and LSH buckets (see dedupe.index).",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__index_batch(void) { return PyModule_Create(&module_definition); }
