/* Bounded JSON object reader (see json.h). Every byte is read through the bounded reader;
 * recursion is bounded by IOF_JSON_MAX_DEPTH. */
#include <string.h>

#include "common/hex.h"
#include "common/json.h"
#include "common/rd.h"

typedef struct jp {
    iof__rd r;
    const uint8_t *base;
    const char *why;
} jp;

static bool fail(jp *j, const char *why)
{
    if (!j->why)
        j->why = why;
    return false;
}

static int peek(jp *j) { return rd_left(&j->r) ? rd_peek_u8(&j->r, 0) : -1; }

static void ws(jp *j)
{
    for (int c; (c = peek(j)) == ' ' || c == '\t' || c == '\n' || c == '\r';)
        rd_skip(&j->r, 1);
}

static bool lit(jp *j, const char *word)
{
    for (const char *w = word; *w; w++)
        if (peek(j) != (unsigned char)*w)
            return fail(j, "invalid literal");
        else
            rd_skip(&j->r, 1);
    return true;
}

/* After the opening quote: up to (not including) the closing quote, which is consumed. */
static bool string(jp *j, const char **s, size_t *n)
{
    const uint8_t *start = j->r.p;
    for (;;) {
        int c = peek(j);
        if (c < 0)
            return fail(j, "unterminated string");
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(j, "control character in a string");
        rd_skip(&j->r, 1);
        if (c != '\\')
            continue;
        c = peek(j);
        if (c < 0)
            return fail(j, "unterminated string");
        if (c != 'u' && (c == 0 || !strchr("\"\\/bfnrt", c)))
            return fail(j, "bad escape in a string");
        rd_skip(&j->r, 1);
        if (c == 'u') {
            for (int k = 0; k < 4; k++) {
                if (iof__hex_digit(peek(j)) < 0)
                    return fail(j, "bad \\u escape");
                rd_skip(&j->r, 1);
            }
        }
    }
    *s = (const char *)start;
    *n = (size_t)(j->r.p - start);
    rd_skip(&j->r, 1); /* the closing quote */
    return true;
}

static bool digits(jp *j)
{
    int c = peek(j);
    if (c < '0' || c > '9')
        return fail(j, "bad number");
    while ((c = peek(j)) >= '0' && c <= '9')
        rd_skip(&j->r, 1);
    return true;
}

static bool number(jp *j)
{
    if (peek(j) == '-')
        rd_skip(&j->r, 1);
    if (peek(j) == '0') {
        rd_skip(&j->r, 1);
    } else if (!digits(j)) {
        return false;
    }
    if (peek(j) == '.') {
        rd_skip(&j->r, 1);
        if (!digits(j))
            return false;
    }
    if (peek(j) == 'e' || peek(j) == 'E') {
        rd_skip(&j->r, 1);
        if (peek(j) == '+' || peek(j) == '-')
            rd_skip(&j->r, 1);
        if (!digits(j))
            return false;
    }
    return true;
}

static bool value(jp *j, int depth, iof__json_type *type, const char **v, size_t *n);

static bool container(jp *j, int depth, bool object)
{
    if (depth >= IOF_JSON_MAX_DEPTH)
        return fail(j, "nested too deeply");
    rd_skip(&j->r, 1); /* [ or { */
    ws(j);
    int close = object ? '}' : ']';
    if (peek(j) == close) {
        rd_skip(&j->r, 1);
        return true;
    }
    for (;;) {
        ws(j);
        if (object) {
            const char *k;
            size_t kn;
            if (peek(j) != '"')
                return fail(j, "expected a key");
            rd_skip(&j->r, 1);
            if (!string(j, &k, &kn))
                return false;
            ws(j);
            if (peek(j) != ':')
                return fail(j, "expected ':'");
            rd_skip(&j->r, 1);
        }
        iof__json_type t;
        const char *v;
        size_t vn;
        if (!value(j, depth + 1, &t, &v, &vn))
            return false;
        ws(j);
        int c = peek(j);
        if (c != close && c != ',')
            return fail(j, object ? "expected ',' or '}'" : "expected ',' or ']'");
        rd_skip(&j->r, 1);
        if (c == close)
            return true;
    }
}

static bool value(jp *j, int depth, iof__json_type *type, const char **v, size_t *n)
{
    ws(j);
    const uint8_t *start = j->r.p;
    int c = peek(j);
    bool ok;
    switch (c) {
    case '"':
        rd_skip(&j->r, 1);
        *type = IOF_JSON_STRING;
        return string(j, v, n);
    case '{': *type = IOF_JSON_OBJECT; ok = container(j, depth, true); break;
    case '[': *type = IOF_JSON_ARRAY; ok = container(j, depth, false); break;
    case 't': *type = IOF_JSON_TRUE; ok = lit(j, "true"); break;
    case 'f': *type = IOF_JSON_FALSE; ok = lit(j, "false"); break;
    case 'n': *type = IOF_JSON_NULL; ok = lit(j, "null"); break;
    default:
        *type = IOF_JSON_NUMBER;
        ok = (c == '-' || (c >= '0' && c <= '9')) ? number(j) : fail(j, "expected a value");
        break;
    }
    *v = (const char *)start;
    *n = (size_t)(j->r.p - start);
    return ok;
}

int iof__json_object(const char *p, size_t n, iof__json_member *m, int max, const char **why,
                     size_t *at)
{
    jp j = { rd_init((const uint8_t *)p, n), (const uint8_t *)p, NULL };
    int count = 0;
    ws(&j);
    if (peek(&j) != '{') {
        fail(&j, "not a JSON object");
        goto bad;
    }
    rd_skip(&j.r, 1);
    ws(&j);
    if (peek(&j) == '}') {
        rd_skip(&j.r, 1);
    } else {
        for (;;) {
            ws(&j);
            if (peek(&j) != '"') {
                fail(&j, "expected a key");
                goto bad;
            }
            rd_skip(&j.r, 1);
            iof__json_member mm;
            if (!string(&j, &mm.key, &mm.key_len))
                goto bad;
            ws(&j);
            if (peek(&j) != ':') {
                fail(&j, "expected ':'");
                goto bad;
            }
            rd_skip(&j.r, 1);
            if (!value(&j, 1, &mm.type, &mm.val, &mm.val_len))
                goto bad;
            if (count >= max) {
                fail(&j, "too many members");
                goto bad;
            }
            m[count++] = mm;
            ws(&j);
            int c = peek(&j);
            if (c != '}' && c != ',') {
                fail(&j, "expected ',' or '}'");
                goto bad;
            }
            rd_skip(&j.r, 1);
            if (c == '}')
                break;
        }
    }
    ws(&j);
    if (rd_left(&j.r)) {
        fail(&j, "text after the object");
        goto bad;
    }
    return count;
bad:
    *why = j.why ? j.why : "malformed JSON";
    *at = rd_pos(&j.r, j.base);
    return -1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static bool hex4(iof__rd *r, uint32_t *v)
{
    *v = 0;
    for (int k = 0; k < 4; k++) {
        int h = iof__hex_digit(rd_u8(r));
        if (h < 0 || r->err)
            return false;
        *v = *v << 4 | (uint32_t)h;
    }
    return true;
}

long iof__json_unescape(const char *val, size_t n, char *out, size_t cap)
{
    iof__rd r = rd_init((const uint8_t *)val, n);
    size_t o = 0;
    while (rd_left(&r)) {
        char tmp[4];
        size_t k = 1;
        uint8_t c = rd_u8(&r);
        tmp[0] = (char)c;
        if (c == '\\') {
            uint8_t e = rd_u8(&r);
            switch (e) {
            case 'b': tmp[0] = '\b'; break;
            case 'f': tmp[0] = '\f'; break;
            case 'n': tmp[0] = '\n'; break;
            case 'r': tmp[0] = '\r'; break;
            case 't': tmp[0] = '\t'; break;
            case 'u': {
                uint32_t cp;
                if (!hex4(&r, &cp))
                    return -1;
                if (cp >= 0xD800 && cp < 0xDC00) {
                    /* a high surrogate: joined with the low one that follows, if it does */
                    iof__rd save = r;
                    uint32_t lo;
                    if (rd_u8(&r) == '\\' && rd_u8(&r) == 'u' && hex4(&r, &lo) && lo >= 0xDC00 &&
                        lo < 0xE000)
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    else {
                        r = save;
                        cp = 0xFFFD;
                    }
                } else if (cp >= 0xDC00 && cp < 0xE000) {
                    cp = 0xFFFD;
                }
                k = put_utf8(tmp, cp);
                break;
            }
            default: tmp[0] = (char)e; break; /* \" \\ \/ */
            }
            if (r.err)
                return -1;
        }
        if (k > cap - o || o + k >= cap)
            return -1;
        memcpy(out + o, tmp, k);
        o += k;
    }
    if (o >= cap)
        return -1;
    out[o] = '\0';
    return (long)o;
}

bool iof__json_int64(const char *val, size_t n, int64_t *out)
{
    iof__rd r = rd_init((const uint8_t *)val, n);
    bool neg = rd_left(&r) && rd_peek_u8(&r, 0) == '-';
    if (neg)
        rd_skip(&r, 1);
    if (!rd_left(&r))
        return false;
    uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    while (rd_left(&r)) {
        uint8_t c = rd_u8(&r);
        if (c < '0' || c > '9' || v > (lim - (c - '0')) / 10)
            return false;
        v = v * 10 + (c - '0');
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}
