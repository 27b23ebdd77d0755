/* A bounded JSON reader for one object per line (JSON Lines rows of our outputs, and any other
 * JSON Lines a user gives us). Untrusted text: the whole value is validated against RFC 8259
 * (strings, numbers, literals, arrays, objects, nesting at most IOF_JSON_MAX_DEPTH), nothing
 * is allocated; the object's top-level members are returned as spans into the input. */
#ifndef IOF_COMMON_JSON_H
#define IOF_COMMON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOF_JSON_MAX_DEPTH 32   /* nested arrays/objects inside a row */

typedef enum iof__json_type {
    IOF_JSON_NULL = 0, IOF_JSON_FALSE, IOF_JSON_TRUE, IOF_JSON_NUMBER, IOF_JSON_STRING,
    IOF_JSON_ARRAY, IOF_JSON_OBJECT
} iof__json_type;

typedef struct iof__json_member {
    const char *key;        /* the key's text between its quotes (escapes not decoded) */
    size_t key_len;
    iof__json_type type;
    const char *val;        /* the value's text; for a string, between its quotes */
    size_t val_len;
} iof__json_member;

/* Parses p[0..n) as one JSON object (white space around it allowed) and returns its members
 * in order (at most max; more is an error), or -1 with a static reason in *why and the byte
 * offset of the problem in *at. */
int iof__json_object(const char *p, size_t n, iof__json_member *m, int max, const char **why,
                     size_t *at);

/* Decodes a string value's escapes (\" \\ \/ \b \f \n \r \t \uXXXX, surrogate pairs into one
 * UTF-8 sequence; a lone surrogate becomes U+FFFD) into out. Returns the length, or -1 if it
 * does not fit in cap. The input is a validated string value (iof__json_object). */
long iof__json_unescape(const char *val, size_t n, char *out, size_t cap);

/* A number value as an int64: true if it is an integer within range (no fraction, exponent). */
bool iof__json_int64(const char *val, size_t n, int64_t *out);

#endif
