/* Thrift compact protocol encoder/decoder (subset used by Parquet). */
#include "output/parquet/thrift_compact.h"

#include <string.h>

static inline uint64_t zz64(int64_t v) { return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63); }
static inline int64_t unzz64(uint64_t v) { return (int64_t)(v >> 1) ^ -(int64_t)(v & 1); }

void iof__tc_w_init(tc_w *w, pq_buf *b)
{
    w->b = b;
    w->depth = 0;
    w->last[0] = 0;
}

void iof__tc_field(tc_w *w, int16_t id, uint8_t type)
{
    int delta = id - w->last[w->depth];
    if (delta > 0 && delta <= 15) {
        pq_buf_u8(w->b, (uint8_t)(delta << 4 | type));
    } else {
        pq_buf_u8(w->b, type);
        pq_buf_uvarint(w->b, zz64(id));
    }
    w->last[w->depth] = id;
}

void iof__tc_i32(tc_w *w, int16_t id, int32_t v)
{
    iof__tc_field(w, id, TC_I32);
    pq_buf_uvarint(w->b, zz64(v));
}

void iof__tc_i64(tc_w *w, int16_t id, int64_t v)
{
    iof__tc_field(w, id, TC_I64);
    pq_buf_uvarint(w->b, zz64(v));
}

void iof__tc_i64_rewrite(pq_buf *b, const uint8_t *src, size_t n, int64_t v, int64_t v2)
{
    size_t vlen = 1; /* the value's varint bytes */
    for (uint64_t z = zz64(v); z >= 0x80; z >>= 7)
        vlen++;
    pq_buf_put(b, src, n - vlen);
    pq_buf_uvarint(b, zz64(v2));
}

void iof__tc_i8(tc_w *w, int16_t id, int8_t v)
{
    iof__tc_field(w, id, TC_I8);
    pq_buf_u8(w->b, (uint8_t)v);
}

void iof__tc_bool(tc_w *w, int16_t id, bool v) { iof__tc_field(w, id, v ? TC_TRUE : TC_FALSE); }

void iof__tc_binary(tc_w *w, int16_t id, const void *p, size_t n)
{
    iof__tc_field(w, id, TC_BINARY);
    iof__tc_elem_binary(w, p, n);
}

void iof__tc_string(tc_w *w, int16_t id, const char *s) { iof__tc_binary(w, id, s, strlen(s)); }

void iof__tc_elem_struct_begin(tc_w *w)
{
    if (w->depth + 1 >= TC_MAX_DEPTH) {
        w->b->oom = true; /* programming error: treat as a failed buffer */
        return;
    }
    w->last[++w->depth] = 0;
}

void iof__tc_struct_begin(tc_w *w, int16_t id)
{
    iof__tc_field(w, id, TC_STRUCT);
    iof__tc_elem_struct_begin(w);
}

void iof__tc_struct_end(tc_w *w)
{
    pq_buf_u8(w->b, TC_STOP);
    if (w->depth > 0)
        w->depth--;
}

void iof__tc_list_header(tc_w *w, uint8_t elem_type, size_t n)
{
    if (n < 15) {
        pq_buf_u8(w->b, (uint8_t)(n << 4 | elem_type));
    } else {
        pq_buf_u8(w->b, (uint8_t)(0xF0 | elem_type));
        pq_buf_uvarint(w->b, n);
    }
}

void iof__tc_list_begin(tc_w *w, int16_t id, uint8_t elem_type, size_t n)
{
    iof__tc_field(w, id, TC_LIST);
    iof__tc_list_header(w, elem_type, n);
}

void iof__tc_elem_i32(tc_w *w, int32_t v) { pq_buf_uvarint(w->b, zz64(v)); }

void iof__tc_elem_binary(tc_w *w, const void *p, size_t n)
{
    pq_buf_uvarint(w->b, n);
    pq_buf_put(w->b, p, n);
}

/* ---- reader ------------------------------------------------------------------------- */

void iof__tc_r_init(tc_r *r, const void *p, size_t n)
{
    r->p = p;
    r->end = r->p + n;
    r->err = false;
    r->depth = 0;
    r->last[0] = 0;
}

static uint64_t rd_uvarint(tc_r *r)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        if (r->p >= r->end) {
            r->err = true;
            return 0;
        }
        uint8_t c = *r->p++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (!(c & 0x80))
            return v;
    }
    r->err = true;
    return 0;
}

static uint8_t rd_byte(tc_r *r)
{
    if (r->p >= r->end) {
        r->err = true;
        return 0;
    }
    return *r->p++;
}

bool iof__tc_next_field(tc_r *r, int16_t *id, uint8_t *type)
{
    if (r->err)
        return false;
    uint8_t h = rd_byte(r);
    if (r->err || h == TC_STOP)
        return false;
    *type = h & 0x0f;
    if (h >> 4) {
        *id = (int16_t)(r->last[r->depth] + (h >> 4));
    } else {
        *id = (int16_t)unzz64(rd_uvarint(r));
    }
    r->last[r->depth] = *id;
    return !r->err;
}

int64_t iof__tc_read_int(tc_r *r, uint8_t type)
{
    if (type == TC_I8)
        return (int8_t)rd_byte(r);
    if (type == TC_I16 || type == TC_I32 || type == TC_I64)
        return unzz64(rd_uvarint(r));
    r->err = true;
    return 0;
}

int64_t iof__tc_read_elem_int(tc_r *r) { return unzz64(rd_uvarint(r)); }

bool iof__tc_read_bool(tc_r *r, uint8_t type)
{
    if (type == TC_TRUE)
        return true;
    if (type != TC_FALSE)
        r->err = true;
    return false;
}

const uint8_t *iof__tc_read_binary(tc_r *r, uint32_t *len)
{
    uint64_t n = rd_uvarint(r);
    if (r->err || n > (uint64_t)(r->end - r->p)) {
        r->err = true;
        *len = 0;
        return r->p;
    }
    const uint8_t *s = r->p;
    r->p += n;
    *len = (uint32_t)n;
    return s;
}

uint32_t iof__tc_read_list(tc_r *r, uint8_t *elem_type)
{
    uint8_t h = rd_byte(r);
    uint64_t n = h >> 4;
    *elem_type = h & 0x0f;
    if (n == 15)
        n = rd_uvarint(r);
    /* every element takes at least one byte, except bools packed in... they also take one */
    if (r->err || n > (uint64_t)(r->end - r->p)) {
        r->err = true;
        return 0;
    }
    return (uint32_t)n;
}

void iof__tc_enter_struct(tc_r *r)
{
    if (r->depth + 1 >= TC_MAX_DEPTH) {
        r->err = true;
        return;
    }
    r->last[++r->depth] = 0;
}

void iof__tc_leave_struct(tc_r *r)
{
    if (r->depth > 0)
        r->depth--;
}

static void skip_d(tc_r *r, uint8_t type, int depth)
{
    if (r->err)
        return;
    if (depth > 2 * TC_MAX_DEPTH) {
        r->err = true;
        return;
    }
    switch (type) {
    case TC_TRUE:
    case TC_FALSE:
        break;
    case TC_I8:
        rd_byte(r);
        break;
    case TC_I16:
    case TC_I32:
    case TC_I64:
        rd_uvarint(r);
        break;
    case TC_DOUBLE:
        if (r->end - r->p < 8)
            r->err = true;
        else
            r->p += 8;
        break;
    case TC_BINARY: {
        uint32_t n;
        iof__tc_read_binary(r, &n);
        break;
    }
    case TC_LIST:
    case TC_SET: {
        uint8_t et;
        uint32_t n = iof__tc_read_list(r, &et);
        for (uint32_t i = 0; i < n && !r->err; i++) {
            if (et == TC_TRUE || et == TC_FALSE)
                rd_byte(r); /* bools in containers take one byte each */
            else
                skip_d(r, et, depth + 1);
        }
        break;
    }
    case TC_MAP: {
        uint64_t n = rd_uvarint(r);
        if (n == 0)
            break;
        uint8_t kv = rd_byte(r);
        if (n > (uint64_t)(r->end - r->p)) {
            r->err = true;
            break;
        }
        for (uint64_t i = 0; i < n && !r->err; i++) {
            skip_d(r, kv >> 4, depth + 1);
            skip_d(r, kv & 0x0f, depth + 1);
        }
        break;
    }
    case TC_STRUCT: {
        iof__tc_enter_struct(r);
        int16_t id;
        uint8_t t;
        while (!r->err && iof__tc_next_field(r, &id, &t))
            skip_d(r, t, depth + 1);
        iof__tc_leave_struct(r);
        break;
    }
    default:
        r->err = true;
    }
}

void iof__tc_skip(tc_r *r, uint8_t type) { skip_d(r, type, 0); }
