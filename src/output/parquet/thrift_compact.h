/* Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md): the subset the
 * Parquet footer and page headers need. The writer appends to a pq_buf and keeps a stack of
 * "last field id" per nested struct; the reader is a bounded cursor with a sticky error flag
 * and a generic skip() for fields it does not know. Internal to src/output/parquet/.
 */
#ifndef IOF_OUTPUT_PARQUET_THRIFT_COMPACT_H
#define IOF_OUTPUT_PARQUET_THRIFT_COMPACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/parquet/pq_encode.h"

enum { TC_STOP = 0, TC_TRUE = 1, TC_FALSE = 2, TC_I8 = 3, TC_I16 = 4, TC_I32 = 5, TC_I64 = 6,
       TC_DOUBLE = 7, TC_BINARY = 8, TC_LIST = 9, TC_SET = 10, TC_MAP = 11, TC_STRUCT = 12 };

#define TC_MAX_DEPTH 32 /* parquet metadata nests < 10 deep; deeper input is rejected */

/* ---- writer ------------------------------------------------------------------------- */
typedef struct tc_w {
    pq_buf *b;
    int depth;
    int16_t last[TC_MAX_DEPTH];
} tc_w;

void iof__tc_w_init(tc_w *w, pq_buf *b); /* the outermost struct is open: write fields, then end */
void iof__tc_field(tc_w *w, int16_t id, uint8_t type);
void iof__tc_i32(tc_w *w, int16_t id, int32_t v);
void iof__tc_i64(tc_w *w, int16_t id, int64_t v);
void iof__tc_i8(tc_w *w, int16_t id, int8_t v);
void iof__tc_bool(tc_w *w, int16_t id, bool v);
void iof__tc_binary(tc_w *w, int16_t id, const void *p, size_t n);
void iof__tc_string(tc_w *w, int16_t id, const char *s);
/* Struct-valued field: writes the header and opens the struct. */
void iof__tc_struct_begin(tc_w *w, int16_t id);
/* Opens a struct that is a list element (no field header). */
void iof__tc_elem_struct_begin(tc_w *w);
/* Writes STOP and closes the innermost struct. */
void iof__tc_struct_end(tc_w *w);
void iof__tc_list_begin(tc_w *w, int16_t id, uint8_t elem_type, size_t n);
/* Only the list header (no field header): used by the writer to splice pre-encoded elements. */
void iof__tc_list_header(tc_w *w, uint8_t elem_type, size_t n);
void iof__tc_elem_i32(tc_w *w, int32_t v);
void iof__tc_elem_binary(tc_w *w, const void *p, size_t n);
/* Appends to b the i64 field at src[0, n) (its header, then the value v, as iof__tc_i64 wrote
 * them) with the value v2 instead. */
void iof__tc_i64_rewrite(pq_buf *b, const uint8_t *src, size_t n, int64_t v, int64_t v2);

/* ---- reader ------------------------------------------------------------------------- */
typedef struct tc_r {
    const uint8_t *p, *end;
    bool err;
    int depth;
    int16_t last[TC_MAX_DEPTH];
} tc_r;

void iof__tc_r_init(tc_r *r, const void *p, size_t n);
/* Next field of the current struct: returns false at STOP (or on error). */
bool iof__tc_next_field(tc_r *r, int16_t *id, uint8_t *type);
int64_t iof__tc_read_int(tc_r *r, uint8_t type); /* I8/I16/I32/I64 (zigzag) */
bool iof__tc_read_bool(tc_r *r, uint8_t type);   /* field types TRUE/FALSE */
/* Binary/string: returns a pointer into the input (not NUL-terminated) and its length. */
const uint8_t *iof__tc_read_binary(tc_r *r, uint32_t *len);
/* List header: element type and count. Counts larger than the remaining bytes set err. */
uint32_t iof__tc_read_list(tc_r *r, uint8_t *elem_type);
void iof__tc_enter_struct(tc_r *r); /* after a STRUCT field header or for a struct element */
void iof__tc_leave_struct(tc_r *r); /* after next_field returned false */
void iof__tc_skip(tc_r *r, uint8_t type);
int64_t iof__tc_read_elem_int(tc_r *r);

#endif
