/* CSV (RFC 4180, header row, empty field = null; LF line ends on request) and JSON Lines
 * writers. A struct's member is one CSV column headed by its full name ("dns.qname") and a
 * member of the struct's JSON object ("dns":{"qname":...}). Both derive every column name, type
 * and text form (a FLOAT64's decimals, a TIMESTAMP_US as µs or ISO 8601) from the schema;
 * neither knows what a row is. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/timefmt.h"
#include "output/textbuf.h"
#include "output/writer.h"

struct iof__writer {
    iof__outfile *f;
    const iof__schema *s;
    iof__tbuf line;
    bool csv;
    char *errbuf;
    const char *eol;    /* CSV line end */
    size_t eol_len;
    /* the last ISO 8601 text made: rows of one instant (sensors.csv) format it once */
    int64_t iso_us;
    uint8_t iso_form;   /* iof__time_text, IOF_TT_MICROS: none yet */
    char iso[IOF_UTC_TEXT];
};

/* A TIMESTAMP_US value as its column's text form wants it; false: as the µs integer. */
static bool put_time_text(iof__writer *w, iof__tbuf *b, const iof__column *col, int64_t us,
                          bool quoted)
{
    if (col->time_text == IOF_TT_MICROS)
        return false;
    if (w->iso_form != col->time_text || w->iso_us != us) {
        iof__utc_text(w->iso, sizeof(w->iso), us, col->time_text == IOF_TT_ISO_US);
        w->iso_form = col->time_text;
        w->iso_us = us;
    }
    if (quoted)
        iof__tb_putc(b, '"');
    iof__tb_puts(b, w->iso);
    if (quoted)
        iof__tb_putc(b, '"');
    return true;
}

void iof__text_scalar(iof__tbuf *b, const iof__column *col, const iof__value *v, bool csv)
{
    if (v->null) {
        if (!csv)
            iof__tb_put(b, "null", 4);
        return;
    }
    switch (col->type) {
    case IOF_VT_BOOL: iof__tb_puts(b, v->i ? "true" : "false"); break;
    case IOF_VT_STRING:
        if (csv)
            iof__tb_csv_str(b, v->p, v->len);
        else
            iof__tb_json_str(b, v->p, v->len);
        break;
    case IOF_VT_BINARY:
        if (!csv)
            iof__tb_putc(b, '"');
        iof__tb_hex(b, v->p, v->len);
        if (!csv)
            iof__tb_putc(b, '"');
        break;
    case IOF_VT_FLOAT64: /* JSON has no NaN or infinities */
        if (csv || isfinite(v->f))
            iof__tb_fixed(b, v->f, col->decimals);
        else
            iof__tb_put(b, "null", 4);
        break;
    case IOF_VT_TIMESTAMP_US:
        if (col->time_text != IOF_TT_MICROS) {
            char t[IOF_UTC_TEXT];
            iof__utc_text(t, sizeof(t), v->i, col->time_text == IOF_TT_ISO_US);
            if (!csv)
                iof__tb_putc(b, '"');
            iof__tb_puts(b, t);
            if (!csv)
                iof__tb_putc(b, '"');
            break;
        }
        iof__tb_int(b, v->i);
        break;
    default: iof__tb_int(b, v->i); break;
    }
}

/* A JSON value for scalar column c (or element k of a list column). */
static void json_value(iof__writer *w, iof__tbuf *b, const void *row, size_t c, uint32_t k)
{
    const iof__schema *s = w->s;
    iof__value v;
    iof__schema_get(s, row, c, k, &v);
    const iof__column *col = &s->cols[c];
    /* a timestamp's text through the writer's cache: rows of one instant format it once */
    if (v.null || col->type != IOF_VT_TIMESTAMP_US || !put_time_text(w, b, col, v.i, true))
        iof__text_scalar(b, col, &v, false);
}

/* A list column as a JSON array (null list -> null). */
static void json_list(iof__writer *w, iof__tbuf *b, const void *row, size_t c)
{
    const iof__schema *s = w->s;
    uint32_t n = iof__schema_count(s, row, c);
    if (n == UINT32_MAX) {
        iof__tb_put(b, "null", 4);
        return;
    }
    iof__tb_putc(b, '[');
    for (uint32_t k = 0; k < n; k++) {
        if (k)
            iof__tb_putc(b, ',');
        json_value(w, b, row, c, k);
    }
    iof__tb_putc(b, ']');
}

static int flush_line(iof__writer *w)
{
    if (w->line.oom)
        return IOF_E_NOMEM;
    int rc = iof__outfile_write(w->f, w->line.p, w->line.len);
    w->line.len = 0;
    return rc;
}

static int text_open(iof__writer **out, iof__outfile *f, const iof__schema *s, bool csv,
                     const iof__writer_opts *o)
{
    iof__writer *w = calloc(1, sizeof(*w));
    if (!w)
        return IOF_E_NOMEM;
    w->f = f;
    w->s = s;
    w->csv = csv;
    w->eol = o && o->csv_lf ? "\n" : "\r\n";
    w->eol_len = strlen(w->eol);
    *out = w;
    if (!csv)
        return IOF_OK;
    for (size_t c = 0; c < s->n; c++) {
        if (c)
            iof__tb_putc(&w->line, ',');
        iof__tb_csv_str(&w->line, (const uint8_t *)s->cols[c].name, strlen(s->cols[c].name));
    }
    iof__tb_put(&w->line, w->eol, w->eol_len);
    return flush_line(w);
}

static int csv_open(iof__writer **w, iof__outfile *f, const iof__schema *s, const iof__writer_opts *o,
                    char *err, size_t errlen)
{
    int rc = text_open(w, f, s, true, o);
    if (rc != IOF_OK)
        iof__fail(err, errlen, rc, "%s: %s", iof__outfile_path(f), iof__outfile_errmsg(f));
    return rc;
}

static int jsonl_open(iof__writer **w, iof__outfile *f, const iof__schema *s,
                      const iof__writer_opts *o, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    return text_open(w, f, s, false, o);
}

static int csv_write(iof__writer *w, const void *row)
{
    const iof__schema *s = w->s;
    iof__tbuf *b = &w->line;
    for (size_t c = 0; c < s->n; c++) {
        if (c)
            iof__tb_putc(b, ',');
        const iof__column *col = &s->cols[c];
        if (col->list) {
            /* nested layout in CSV: the list as JSON array text in one field */
            iof__tbuf tmp = { 0 };
            json_list(w, &tmp, row, c);
            if (tmp.oom) {
                iof__tb_free(&tmp);
                return IOF_E_NOMEM;
            }
            iof__tb_csv_str(b, (const uint8_t *)tmp.p, tmp.len);
            iof__tb_free(&tmp);
            continue;
        }
        iof__value v;
        iof__schema_get(s, row, c, 0, &v);
        if (v.null || col->type != IOF_VT_TIMESTAMP_US || !put_time_text(w, b, col, v.i, false))
            iof__text_scalar(b, col, &v, true);
    }
    iof__tb_put(b, w->eol, w->eol_len);
    return flush_line(w);
}

static int jsonl_write(iof__writer *w, const void *row)
{
    const iof__schema *s = w->s;
    iof__tbuf *b = &w->line;
    iof__tb_putc(b, '{');
    for (size_t c = 0; c < s->n; c++) {
        const iof__column *col = &s->cols[c], *prev = c ? col - 1 : NULL;
        bool open = !iof__col_same_struct(col, prev); /* else: the struct's next member */
        if (c)
            iof__tb_putc(b, ',');
        if (open && iof__col_is_member(col)) { /* a struct: one object member, "dns":{...} */
            iof__tb_json_str(b, (const uint8_t *)col->name, iof__col_struct_len(col));
            iof__tb_put(b, ":{", 2);
        }
        const char *key = iof__col_member(col);
        iof__tb_json_str(b, (const uint8_t *)key, strlen(key));
        iof__tb_putc(b, ':');
        if (col->list)
            json_list(w, b, row, c);
        else
            json_value(w, b, row, c, 0);
        if (iof__col_is_member(col) && !iof__col_same_struct(col, c + 1 < s->n ? col + 1 : NULL))
            iof__tb_putc(b, '}');
    }
    iof__tb_put(b, "}\n", 2);
    return flush_line(w);
}

static int text_finish(iof__writer *w, char *err, size_t errlen)
{
    (void)err, (void)errlen;
    iof__tb_free(&w->line);
    free(w);
    return IOF_OK;
}

static void text_abort(iof__writer *w)
{
    if (!w)
        return;
    iof__tb_free(&w->line);
    free(w);
}

const iof__writer_ops iof__writer_csv = { "csv", "csv", csv_open, csv_write, text_finish, text_abort };
const iof__writer_ops iof__writer_jsonl = { "jsonl", "jsonl", jsonl_open, jsonl_write, text_finish,
                                            text_abort };
