/* CSV (RFC 4180, header row, empty field = null) and JSON Lines writers. Both derive every
 * column name and type from the schema; neither knows what a row is. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "output/textbuf.h"
#include "output/writer.h"

struct iof__writer {
    iof__outfile *f;
    const iof_schema *s;
    iof_tbuf line;
    bool csv;
    char *errbuf;
};

/* A JSON value for scalar column c (or element k of a list column). */
static void json_value(iof_tbuf *b, const iof_schema *s, const void *row, size_t c, uint32_t k)
{
    iof_value v;
    iof__schema_get(s, row, c, k, &v);
    if (v.null) {
        iof__tb_put(b, "null", 4);
        return;
    }
    switch (s->cols[c].type) {
    case IOF_VT_BOOL: iof__tb_puts(b, v.i ? "true" : "false"); break;
    case IOF_VT_STRING: iof__tb_json_str(b, v.p, v.len); break;
    case IOF_VT_BINARY:
        iof__tb_putc(b, '"');
        iof__tb_hex(b, v.p, v.len);
        iof__tb_putc(b, '"');
        break;
    default: iof__tb_int(b, v.i); break;
    }
}

/* A list column as a JSON array (null list -> null). */
static void json_list(iof_tbuf *b, const iof_schema *s, const void *row, size_t c)
{
    uint32_t n = iof__schema_count(s, row, c);
    if (n == UINT32_MAX) {
        iof__tb_put(b, "null", 4);
        return;
    }
    iof__tb_putc(b, '[');
    for (uint32_t k = 0; k < n; k++) {
        if (k)
            iof__tb_putc(b, ',');
        json_value(b, s, row, c, k);
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

static int text_open(iof__writer **out, iof__outfile *f, const iof_schema *s, bool csv)
{
    iof__writer *w = calloc(1, sizeof(*w));
    if (!w)
        return IOF_E_NOMEM;
    w->f = f;
    w->s = s;
    w->csv = csv;
    *out = w;
    if (!csv)
        return IOF_OK;
    for (size_t c = 0; c < s->n; c++) {
        if (c)
            iof__tb_putc(&w->line, ',');
        iof__tb_csv_str(&w->line, (const uint8_t *)s->cols[c].name, strlen(s->cols[c].name));
    }
    iof__tb_put(&w->line, "\r\n", 2);
    return flush_line(w);
}

static int csv_open(iof__writer **w, iof__outfile *f, const iof_schema *s, const iof__writer_opts *o,
                    char *err, size_t errlen)
{
    (void)o;
    int rc = text_open(w, f, s, true);
    if (rc != IOF_OK)
        iof__fail(err, errlen, rc, "%s: %s", iof__outfile_path(f), iof__outfile_errmsg(f));
    return rc;
}

static int jsonl_open(iof__writer **w, iof__outfile *f, const iof_schema *s,
                      const iof__writer_opts *o, char *err, size_t errlen)
{
    (void)o;
    (void)err;
    (void)errlen;
    return text_open(w, f, s, false);
}

static int csv_write(iof__writer *w, const void *row)
{
    const iof_schema *s = w->s;
    iof_tbuf *b = &w->line;
    for (size_t c = 0; c < s->n; c++) {
        if (c)
            iof__tb_putc(b, ',');
        const iof_column *col = &s->cols[c];
        if (col->list) {
            /* nested layout in CSV: the list as JSON array text in one field */
            iof_tbuf tmp = { 0 };
            json_list(&tmp, s, row, c);
            if (tmp.oom) {
                iof__tb_free(&tmp);
                return IOF_E_NOMEM;
            }
            iof__tb_csv_str(b, (const uint8_t *)tmp.p, tmp.len);
            iof__tb_free(&tmp);
            continue;
        }
        iof_value v;
        iof__schema_get(s, row, c, 0, &v);
        if (v.null)
            continue;
        switch (col->type) {
        case IOF_VT_BOOL: iof__tb_puts(b, v.i ? "true" : "false"); break;
        case IOF_VT_STRING: iof__tb_csv_str(b, v.p, v.len); break;
        case IOF_VT_BINARY: iof__tb_hex(b, v.p, v.len); break;
        default: iof__tb_int(b, v.i); break;
        }
    }
    iof__tb_put(b, "\r\n", 2);
    return flush_line(w);
}

static int jsonl_write(iof__writer *w, const void *row)
{
    const iof_schema *s = w->s;
    iof_tbuf *b = &w->line;
    iof__tb_putc(b, '{');
    for (size_t c = 0; c < s->n; c++) {
        if (c)
            iof__tb_putc(b, ',');
        iof__tb_json_str(b, (const uint8_t *)s->cols[c].name, strlen(s->cols[c].name));
        iof__tb_putc(b, ':');
        if (s->cols[c].list)
            json_list(b, s, row, c);
        else
            json_value(b, s, row, c, 0);
    }
    iof__tb_put(b, "}\n", 2);
    return flush_line(w);
}

static int text_finish(iof__writer *w)
{
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
