/* The shared RFC 4180 field splitter (src/common/csv.c). */
#include <string.h>

#include "common/csv.h"
#include "output/textbuf.h"
#include "test.h"

static void test_plain_and_trim(void)
{
    char line[] = "a, b ,,c";
    char *f[8];
    size_t l[8];
    ASSERT_EQ_INT(iof__csv_split(line, f, l, 8), 4);
    ASSERT_EQ_STR(f[0], "a");
    ASSERT_EQ_STR(f[1], "b");
    ASSERT_EQ_STR(f[2], "");
    ASSERT_EQ_STR(f[3], "c");
    ASSERT_EQ_INT(l[1], 1);
}

static void test_quotes(void)
{
    char line[] = "\"x, \"\"y\"\"\" ,\"[1,2]\",\"\"";
    char *f[8];
    size_t l[8];
    ASSERT_EQ_INT(iof__csv_split(line, f, l, 8), 3);
    ASSERT_EQ_STR(f[0], "x, \"y\"");
    ASSERT_EQ_STR(f[1], "[1,2]");
    ASSERT_EQ_STR(f[2], "");
    ASSERT_EQ_INT(l[0], 6);
}

static void test_rejects(void)
{
    char *f[2];
    char a[] = "\"open";
    ASSERT_EQ_INT(iof__csv_split(a, f, NULL, 2), -1);
    char b[] = "\"q\"x,y";
    ASSERT_EQ_INT(iof__csv_split(b, f, NULL, 2), -1);
    char c[] = "1,2,3";
    ASSERT_EQ_INT(iof__csv_split(c, f, NULL, 2), -1);
    char d[] = "";
    ASSERT_EQ_INT(iof__csv_split(d, f, NULL, 2), 1);
    ASSERT_EQ_STR(f[0], "");
}

/* The writers' quoting (iof__tb_csv_str) and this splitter are inverse: every field written
 * reads back as the same bytes (iotflow label relies on it to copy cells unchanged), blanks at
 * either end, commas, quotes and line breaks included. */
static void test_writer_roundtrip(void)
{
    static const char *const cells[] = { "", "a", " a", "a ", "\ta", "a\t", " \t ", "a,b", "\"q\"", "x\"y",
                                         "l1\nl2", "cr\r", "[1,0,1]", "caf\xc3\xa9", "\t" };
    const size_t n = sizeof(cells) / sizeof(cells[0]);
    iof__tbuf b = { 0 };
    for (size_t i = 0; i < n; i++) {
        if (i)
            iof__tb_putc(&b, ',');
        iof__tb_csv_str(&b, (const uint8_t *)cells[i], strlen(cells[i]));
    }
    iof__tb_putc(&b, '\0');
    ASSERT_TRUE(!b.oom);
    char *f[32];
    size_t l[32];
    ASSERT_EQ_INT(iof__csv_split(b.p, f, l, 32), (long long)n);
    for (size_t i = 0; i < n; i++) {
        ASSERT_EQ_U64(l[i], strlen(cells[i]));
        ASSERT_EQ_MEM(f[i], cells[i], l[i]);
    }
    iof__tb_free(&b);
}

static const iof_test tests[] = { TEST(test_plain_and_trim), TEST(test_quotes), TEST(test_rejects),
                                  TEST(test_writer_roundtrip), { 0, 0 } };

int main(void) { return iof_test_run(tests); }
