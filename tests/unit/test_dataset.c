/* The bounded JSON reader (common/json.c) and the dataset reader (dataset/dataset.c): exact
 * answers on hand-made rows, hostile text, and the three formats read back to the same values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/json.h"
#include "dataset/dataset.h"
#include "iotflow/iotflow.h"
#include "kinds/customflow.h"
#include "test.h"

static int parse(const char *s, iof__json_member *m, int max, const char **why, size_t *at)
{
    return iof__json_object(s, strlen(s), m, max, why, at);
}

static void test_json_members(void)
{
    iof__json_member m[8];
    const char *why;
    size_t at;
    int n = parse(" {\"a\": 1, \"b\":\"x\\\"y\", \"c\":[1,{\"d\":null}], \"e\":true, \"f\":-0.5e3} ", m, 8, &why, &at);
    ASSERT_EQ_INT(n, 5);
    ASSERT_EQ_INT(m[0].type, IOF_JSON_NUMBER);
    ASSERT_EQ_INT(m[1].type, IOF_JSON_STRING);
    ASSERT_EQ_INT(m[1].val_len, 4); /* x\"y, escapes kept */
    ASSERT_EQ_INT(m[2].type, IOF_JSON_ARRAY);
    ASSERT_EQ_INT(m[3].type, IOF_JSON_TRUE);
    ASSERT_EQ_INT(m[4].type, IOF_JSON_NUMBER);
    ASSERT_EQ_INT(m[1].key_len, 1);
    ASSERT_TRUE(m[1].key[0] == 'b');
    int64_t v;
    ASSERT_TRUE(iof__json_int64(m[0].val, m[0].val_len, &v) && v == 1);
    ASSERT_TRUE(!iof__json_int64(m[4].val, m[4].val_len, &v)); /* not an integer */
    ASSERT_TRUE(iof__json_int64("-9223372036854775808", 20, &v) && v == INT64_MIN);
    ASSERT_TRUE(!iof__json_int64("9223372036854775808", 19, &v));
    ASSERT_EQ_INT(parse("{}", m, 8, &why, &at), 0);
}

static void test_json_rejects(void)
{
    static const struct { const char *text; size_t at; } bad[] = {
        { "", 0 }, { "[1]", 0 }, { "{\"a\":1", 6 }, { "{\"a\" 1}", 5 }, { "{\"a\":01}", 6 },
        { "{\"a\":1,}", 7 }, { "{\"a\":tru}", 8 }, { "{\"a\":\"x\\q\"}", 8 },
        { "{\"a\":\"\\u12g4\"}", 10 }, { "{\"a\":1} x", 8 }, { "{\"a\":\"\x01\"}", 6 },
        { "{\"a\":-}", 6 }, { "{\"a\":1.}", 7 }, { "{\"a\":[1 2]}", 8 },
    };
    iof__json_member m[4];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *why = NULL;
        size_t at = 999;
        int n = parse(bad[i].text, m, 4, &why, &at);
        if (n >= 0 || !why || at != bad[i].at)
            IOF_TEST_FAIL_("\"%s\": n=%d at=%zu (want -1 at %zu) why=%s", bad[i].text, n, at,
                           bad[i].at, why ? why : "(null)");
    }
    /* nesting past the cap, and more members than asked for */
    char deep[200] = "{\"a\":";
    for (int k = 0; k < IOF_JSON_MAX_DEPTH + 1; k++)
        strcat(deep, "[");
    const char *why;
    size_t at;
    ASSERT_EQ_INT(parse(deep, m, 4, &why, &at), -1);
    ASSERT_EQ_STR(why, "nested too deeply");
    ASSERT_EQ_INT(parse("{\"a\":1,\"b\":2,\"c\":3}", m, 2, &why, &at), -1);
    ASSERT_EQ_STR(why, "too many members");
}

static void test_json_unescape(void)
{
    char out[32];
    const char *s = "a\\u00e9\\ud83d\\ude00\\n\\/\\\\";
    long n = iof__json_unescape(s, strlen(s), out, sizeof out);
    ASSERT_EQ_INT(n, 1 + 2 + 4 + 1 + 1 + 1);
    ASSERT_EQ_MEM(out, "a\xc3\xa9\xf0\x9f\x98\x80\n/\\", (size_t)n);
    s = "\\ud800x"; /* a lone high surrogate: U+FFFD, the next character kept */
    n = iof__json_unescape(s, strlen(s), out, sizeof out);
    ASSERT_EQ_INT(n, 4);
    ASSERT_EQ_MEM(out, "\xef\xbf\xbdx", 4);
    ASSERT_EQ_INT(iof__json_unescape("abcdef", 6, out, 6), -1); /* no room for the NUL */
    ASSERT_EQ_INT(iof__json_unescape("abcde", 5, out, 6), 5);
}

static char dir[128];

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "w");
    fputs(text, fp);
    fclose(fp);
    return path;
}

static const iof__colnames *cols(void)
{
    static iof__colnames c[4];
    c[0] = iof__cf_col_names(IOF__CF_DEVICE);
    c[1] = iof__cf_col_names(IOF__CF_PROTO);
    c[2] = iof__cf_col_names(IOF__CF_PACKETS);
    c[3] = iof__cf_col_names(IOF__CF_DEVNAME);
    return c;
}

/* Reads every row of path; returns the number of rows and the sum of packets. */
static int read_all(const char *path, long *packets, char *first_dev, int *err_rc, char *msg)
{
    iof__ds_reader *r;
    char err[256];
    *err_rc = 0;
    ASSERT_EQ_INT(iof__ds_open(&r, path, err, sizeof err), 0);
    int rc = iof__ds_want(r, cols(), 4, 3);
    int rows = 0;
    *packets = 0;
    while (rc >= 0 && (rc = iof__ds_next(r)) > 0) {
        iof__value v;
        iof__ds_get(r, 0, &v);
        if (rows == 0)
            snprintf(first_dev, 64, "%.*s", (int)v.len, v.null ? "" : (const char *)v.p);
        iof__ds_get(r, 2, &v);
        *packets += v.i;
        rows++;
    }
    if (rc < 0) {
        *err_rc = rc;
        snprintf(msg, 256, "%s", iof__ds_errmsg(r));
    }
    iof__ds_close(r);
    return rows;
}

static void test_dataset_text_formats(void)
{
    snprintf(dir, sizeof dir, "/tmp/iof_test_dataset.%ld", (long)getpid());
    mkdir(dir, 0700);
    long pk;
    char dev[64], msg[256];
    int erc;
    const char *p = write_file("a.jsonl",
        "{\"device\":\"aa:bb\",\"proto\":6,\"packets\":3,\"device_name\":\"cam \\\"1\\\"\"}\n"
        "\n"
        "{\"device\":\"cc\",\"proto\":17,\"packets\":4}\n");
    ASSERT_EQ_INT(read_all(p, &pk, dev, &erc, msg), 2);
    ASSERT_EQ_INT(erc, 0);
    ASSERT_EQ_INT(pk, 7);
    ASSERT_EQ_STR(dev, "aa:bb");
    p = write_file("b.csv", "Device,Proto,PacketCount,device_name\r\naa:bb,6,3,\"cam \"\"1\"\"\"\r\ncc,17,4,\r\n");
    ASSERT_EQ_INT(read_all(p, &pk, dev, &erc, msg), 2);
    ASSERT_EQ_INT(pk, 7);
    /* damage: the message names file and line */
    p = write_file("c.jsonl", "{\"device\":\"x\",\"proto\":6,\"packets\":1}\n{\"device\":\"x\",\"proto\":6,\"packets\":1.5}\n");
    ASSERT_EQ_INT(read_all(p, &pk, dev, &erc, msg), 1);
    ASSERT_EQ_INT(erc, IOF_E_FORMAT);
    ASSERT_TRUE(strstr(msg, "c.jsonl:2:") != NULL);
    p = write_file("d.csv", "Device,Proto,PacketCount\nx,6,1\nx,6\n");
    ASSERT_EQ_INT(read_all(p, &pk, dev, &erc, msg), 1);
    ASSERT_TRUE(strstr(msg, "d.csv:3: 2 fields, the header has 3") != NULL);
    /* a value comes the same way whatever the format, by its column's type: CSV integers as
     * integers (not text beside them), strings as text; a value of another type is refused */
    const char *shapes[2] = { write_file("f.csv", "Device,Proto,PacketCount,device_name\n12,6,3,7\n"),
                              write_file("f.jsonl", "{\"device\":\"12\",\"proto\":6,\"packets\":3,\"device_name\":\"7\"}\n") };
    for (int i = 0; i < 2; i++) {
        iof__ds_reader *rs;
        char e[256];
        ASSERT_EQ_INT(iof__ds_open(&rs, shapes[i], e, sizeof e), 0);
        ASSERT_EQ_INT(iof__ds_want(rs, cols(), 4, 3), 0);
        ASSERT_EQ_INT(iof__ds_next(rs), 1);
        iof__value v;
        iof__ds_get(rs, 1, &v);
        ASSERT_TRUE(!v.null && v.p == NULL && v.i == 6);
        iof__ds_get(rs, 0, &v);
        ASSERT_TRUE(!v.null && v.p != NULL && v.len == 2 && v.i == 0);
        iof__ds_get(rs, 3, &v);
        ASSERT_TRUE(!v.null && v.p != NULL && v.len == 1 && v.i == 0);
        iof__ds_close(rs);
    }
    p = write_file("g.csv", "Device,Proto,PacketCount\nx,6,1\nx,tcp,1\n");
    ASSERT_EQ_INT(read_all(p, &pk, dev, &erc, msg), 1);
    ASSERT_EQ_INT(erc, IOF_E_FORMAT);
    ASSERT_TRUE(strstr(msg, "g.csv:3: Proto is not an integer") != NULL);
    p = write_file("g.jsonl", "{\"device\":5,\"proto\":6,\"packets\":1}\n");
    ASSERT_EQ_INT(read_all(p, &pk, dev, &erc, msg), 0);
    ASSERT_TRUE(strstr(msg, "g.jsonl:1: device is not text") != NULL);
    p = write_file("h.jsonl", "{\"device\":\"x\",\"proto\":\"6\",\"packets\":1}\n");
    ASSERT_EQ_INT(read_all(p, &pk, dev, &erc, msg), 0);
    ASSERT_TRUE(strstr(msg, "h.jsonl:1: proto is not an integer") != NULL);
    /* a required column missing */
    iof__ds_reader *r;
    char err[256];
    p = write_file("e.csv", "Device,PacketCount\nx,1\n");
    ASSERT_EQ_INT(iof__ds_open(&r, p, err, sizeof err), 0);
    ASSERT_EQ_INT(iof__ds_want(r, cols(), 4, 3), IOF_E_FORMAT);
    ASSERT_TRUE(strstr(iof__ds_errmsg(r), "no column Proto") != NULL);
    iof__ds_close(r);
}

typedef struct said_log {
    int n;
    char text[8192];
} said_log;

static void on_said(void *ctx, const char *text)
{
    said_log *s = ctx;
    s->n++;
    size_t u = strlen(s->text);
    snprintf(s->text + u, sizeof s->text - u, "%s\n", text);
}

static void test_dataset_list(void)
{
    /* one dataset in three formats is listed once (Parquet first); captures are kept apart;
     * other files and our own temporary files are not listed */
    char sub[256];
    snprintf(sub, sizeof sub, "%s/out/bidirectional", dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", sub);
    ASSERT_EQ_INT(system(cmd), 0);
    write_file("out/bidirectional/24-06-23.jsonl", "{}\n");
    write_file("out/bidirectional/24-06-23.csv", "Device\n");
    write_file("out/bidirectional/24-06-23.parquet", "PAR1");
    write_file("out/bidirectional/24-06-24.csv", "Device\n");
    write_file("out/bidirectional/.24-06-25.csv.tmp.1.2", "Device\n");
    write_file("out/notes.txt", "hello");
    write_file("out/cap.pcap", "\xd4\xc3\xb2\xa1");
    iof__ds_list l;
    char err[256], top[256];
    snprintf(top, sizeof top, "%s/out", dir);
    const char *paths[1] = { top };
    ASSERT_EQ_INT(iof__ds_list_paths(&l, paths, 1, NULL, NULL, err, sizeof err), 0);
    ASSERT_EQ_INT(l.n_files, 2);
    ASSERT_TRUE(strstr(l.files[0], "24-06-23.parquet") != NULL);
    ASSERT_TRUE(strstr(l.files[1], "24-06-24.csv") != NULL);
    ASSERT_EQ_INT(l.n_captures, 1);
    ASSERT_TRUE(strstr(l.captures[0], "cap.pcap") != NULL);
    iof__ds_list_free(&l);

    /* the same rule for files given one by one, and a file given twice (again, as ./x, through
     * a symbolic link, below its directory) is listed once; each file left out is named */
    char f[6][300], link[300];
    snprintf(f[0], sizeof f[0], "%s/out/bidirectional/24-06-23.csv", dir);
    snprintf(f[1], sizeof f[1], "%s/out/bidirectional/24-06-23.parquet", dir);
    snprintf(f[2], sizeof f[2], "%s/out/bidirectional/./24-06-23.parquet", dir);
    snprintf(f[3], sizeof f[3], "%s/out/bidirectional/24-06-24.csv", dir);
    snprintf(f[4], sizeof f[4], "%s/out/bidirectional/24-06-23.jsonl", dir);
    snprintf(link, sizeof link, "%s/out/alias.csv", dir);
    ASSERT_EQ_INT(symlink(f[3], link), 0);
    snprintf(f[5], sizeof f[5], "%s", link);
    const char *given[8] = { f[0], f[1], f[2], f[3], f[4], f[5], f[3], sub };
    said_log said = { 0 };
    ASSERT_EQ_INT(iof__ds_list_paths(&l, given, 8, on_said, &said, err, sizeof err), 0);
    ASSERT_EQ_INT(l.n_files, 2);
    ASSERT_EQ_STR(l.files[0], f[1]);
    ASSERT_EQ_STR(l.files[1], f[3]);
    ASSERT_EQ_INT(said.n, 9); /* csv, ./parquet, jsonl, alias, 24-06-24.csv again, and sub's four */
    ASSERT_TRUE(strstr(said.text, "24-06-23.csv left out: the same records as ") != NULL);
    ASSERT_TRUE(strstr(said.text, "alias.csv left out: the same file as ") != NULL);
    ASSERT_TRUE(strstr(said.text, "./24-06-23.parquet left out: the same file as ") != NULL);
    iof__ds_list_free(&l);
    /* the same files through the "all formats" listing (relabelling): nothing left out */
    ASSERT_EQ_INT(iof__ds_list_paths_all(&l, given, 5, err, sizeof err), 0);
    ASSERT_EQ_INT(l.n_files, 5);
    iof__ds_list_free(&l);
    /* past IOF_DS_MAX_NAMED files left out, the rest are counted in one message */
    const char *many[IOF_DS_MAX_NAMED + 5];
    for (size_t i = 0; i < IOF_DS_MAX_NAMED + 5; i++)
        many[i] = f[3];
    said = (said_log){ 0 };
    ASSERT_EQ_INT(iof__ds_list_paths(&l, many, IOF_DS_MAX_NAMED + 5, on_said, &said, err, sizeof err), 0);
    ASSERT_EQ_INT(l.n_files, 1);
    ASSERT_EQ_INT(said.n, IOF_DS_MAX_NAMED + 1);
    ASSERT_TRUE(strstr(said.text, "4 more file(s) left out") != NULL);
    iof__ds_list_free(&l);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ASSERT_EQ_INT(system(cmd), 0);
}

static const iof_test tests[] = {
    TEST(test_json_members), TEST(test_json_rejects), TEST(test_json_unescape),
    TEST(test_dataset_text_formats), TEST(test_dataset_list), { 0 },
};

int main(void) { return iof_test_run(tests); }
