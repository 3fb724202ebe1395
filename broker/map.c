/* map.c — gb_map, a hash map keyed by byte strings (routing ids may hold
 * any byte, so czmq's string-keyed zhash does not fit).  Open addressing
 * with linear probing; deletion shifts later entries back, so there are no
 * tombstones and lookups stay short.  Grows at 3/4 full, never shrinks. */
#include "broker.h"

#include <stdlib.h>
#include <string.h>

/* Eight bytes at a time: each word is mixed in with a multiply and a
 * rotation, the tail padded with zeros and the length mixed in; finished
 * with a multiply-xorshift so the low bits (the slot) depend on every
 * byte.  Never 0 (0 marks an empty slot).  Routing ids and history keys
 * are 16 to 60 bytes: a byte-at-a-time hash cost 3% of the hot path. */
uint64_t gb_hash(const void *key, size_t klen) {
    const unsigned char *p = key;
    const uint64_t k = 0x9e3779b97f4a7c15ull;
    uint64_t h = 0xcbf29ce484222325ull ^ (klen * k);
    size_t i = 0;
    for (; i + 8 <= klen; i += 8) {
        uint64_t w;
        memcpy(&w, p + i, 8);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    if (i < klen) {
        uint64_t w = 0;
        memcpy(&w, p + i, klen - i);
        h = (h ^ w) * k;
        h ^= h >> 29;
    }
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    h ^= h >> 32;
    return h ? h : 1;
}

static size_t find(const gb_map *m, uint64_t h, const void *key, size_t klen) {
    size_t mask = m->cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        const gb_map_slot *s = &m->slots[i];
        if (s->hash == 0) return i;
        if (s->hash == h && s->klen == klen && memcmp(s->key, key, klen) == 0) return i;
    }
}

void *gb_map_get(const gb_map *m, const void *key, size_t klen) {
    if (m->count == 0) return NULL;
    size_t i = find(m, gb_hash(key, klen), key, klen);
    return m->slots[i].hash ? m->slots[i].val : NULL;
}

static bool grow(gb_map *m) {
    size_t ncap = m->cap ? m->cap * 2 : 16;
    gb_map_slot *ns = calloc(ncap, sizeof *ns);
    if (!ns) return false;
    gb_map old = *m;
    m->slots = ns;
    m->cap = ncap;
    for (size_t i = 0; i < old.cap; i++) {
        if (!old.slots[i].hash) continue;
        size_t j = find(m, old.slots[i].hash, old.slots[i].key, old.slots[i].klen);
        m->slots[j] = old.slots[i];
    }
    free(old.slots);
    return true;
}

bool gb_map_put(gb_map *m, const void *key, size_t klen, void *val) {
    if ((m->count + 1) * 4 > m->cap * 3 && !grow(m)) return false;
    uint64_t h = gb_hash(key, klen);
    size_t i = find(m, h, key, klen);
    gb_map_slot *s = &m->slots[i];
    if (s->hash) {
        s->val = val;
        return true;
    }
    char *k = malloc(klen + 1);
    if (!k) return false;
    memcpy(k, key, klen);
    k[klen] = '\0';
    s->hash = h;
    s->key = k;
    s->klen = klen;
    s->val = val;
    m->count++;
    return true;
}

void *gb_map_del(gb_map *m, const void *key, size_t klen) {
    if (m->count == 0) return NULL;
    size_t mask = m->cap - 1;
    size_t i = find(m, gb_hash(key, klen), key, klen);
    if (!m->slots[i].hash) return NULL;
    void *val = m->slots[i].val;
    free(m->slots[i].key);
    m->count--;
    /* shift back every later entry of the run that may move into the hole */
    size_t hole = i;
    for (size_t j = (i + 1) & mask; m->slots[j].hash; j = (j + 1) & mask) {
        size_t home = m->slots[j].hash & mask;
        /* J may move to HOLE when HOME is not cyclically in (HOLE, J] */
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            m->slots[hole] = m->slots[j];
            hole = j;
        }
    }
    memset(&m->slots[hole], 0, sizeof m->slots[hole]);
    return val;
}

void gb_map_free(gb_map *m) {
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].hash) free(m->slots[i].key);
    free(m->slots);
    m->slots = NULL;
    m->cap = m->count = 0;
}
