/* The shared RFC 4180 field splitter (src/common/csv.c). */
#include <string.h>

#include "common/csv.h"
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

static const iof_test tests[] = { TEST(test_plain_and_trim), TEST(test_quotes), TEST(test_rejects), { 0, 0 } };

int main(void) { return iof_test_run(tests); }
