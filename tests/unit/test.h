/* Minimal test harness (libuv test/task.h idea): typed assertions that print both values,
 * a registry in each test file, and a closing "N passed, N failed" line.
 *
 *   static void test_foo(void) { ASSERT_EQ_INT(1 + 1, 2); }
 *   static const iof_test tests[] = { TEST(test_foo), {0} };
 *   int main(void) { return iof_test_run(tests); }
 */
#ifndef IOF_TEST_H
#define IOF_TEST_H
#include <inttypes.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { const char *name; void (*fn)(void); } iof_test;
#define TEST(fn) { #fn, fn }

static jmp_buf iof_test_jmp;
static int iof_test_failed_now;

#define IOF_TEST_FAIL_(...) do { fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); iof_test_failed_now = 1; \
    longjmp(iof_test_jmp, 1); } while (0)
#define ASSERT_TRUE(c) do { if (!(c)) IOF_TEST_FAIL_("assertion failed: %s", #c); } while (0)
#define ASSERT_EQ_INT(a, b) do { long long a_ = (long long)(a), b_ = (long long)(b); \
    if (a_ != b_) IOF_TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_); } while (0)
#define ASSERT_EQ_U64(a, b) do { unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b); \
    if (a_ != b_) IOF_TEST_FAIL_("%s == %s: %llu != %llu", #a, #b, a_, b_); } while (0)
#define ASSERT_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    if (!a_ || !b_ || strcmp(a_, b_) != 0) IOF_TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, \
        a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
#define ASSERT_EQ_MEM(a, b, n) do { if (memcmp((a), (b), (n)) != 0) \
    IOF_TEST_FAIL_("%s == %s over %zu bytes differ", #a, #b, (size_t)(n)); } while (0)

static inline int iof_test_run(const iof_test *tests)
{
    volatile int passed = 0, failed = 0;
    for (const iof_test *volatile t = tests; t->name; t++) {
        iof_test_failed_now = 0;
        if (setjmp(iof_test_jmp) == 0)
            t->fn();
        if (iof_test_failed_now) {
            failed++;
            fprintf(stderr, "FAIL %s\n", t->name);
        } else {
            passed++;
            printf("ok   %s\n", t->name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
#endif
