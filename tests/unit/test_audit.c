/* analysis/audit: the leakage score on hand-made columns with exact answers — a categorical
 * column that names the label (score 1), unique values (0: nothing is memorised), a column
 * that only tells one label apart, time windows (ordered 1-NN), ties, nulls, shuffled-label
 * control, caps and unlabelled rows. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "analysis/audit.h"
#include "common/err.h"
#include "test.h"

static iof__audit_val I(int64_t v)
{
    return (iof__audit_val){ .i = v };
}

static iof__audit_val S(const char *s)
{
    return (iof__audit_val){ .is_bytes = true, .p = (const uint8_t *)s, .len = strlen(s) };
}

static const iof__audit_val NUL = { .null = true };

static void add(iof__audit *a, const char *label, iof__audit_val v0, iof__audit_val v1)
{
    iof__audit_val v[2] = { v0, v1 };
    ASSERT_EQ_INT(iof__audit_add(a, (const uint8_t *)label, label ? strlen(label) : 0, v), 0);
}

#define NEAR(x, y) ASSERT_TRUE(fabs((x) - (y)) < 1e-9)

static void test_categorical(void)
{
    /* col 0: the address names the label; col 1: a unique id per row */
    iof__audit_kind k[2] = { IOF_AUDIT_CATEGORICAL, IOF_AUDIT_CATEGORICAL };
    iof__audit *a;
    ASSERT_EQ_INT(iof__audit_create(&a, 2, k, 1000), 0);
    char id[16];
    for (int i = 0; i < 30; i++) {
        snprintf(id, sizeof id, "r%d", i);
        add(a, i < 20 ? "benign" : "mirai", S(i < 20 ? (i % 2 ? "10.0.0.1" : "10.0.0.2") : "6.6.6.6"), S(id));
    }
    iof__audit_col_result r[2];
    ASSERT_EQ_INT(iof__audit_score(a, 0, r), 0);
    NEAR(r[0].score, 1.0);
    NEAR(r[0].balanced_accuracy, 1.0);
    ASSERT_EQ_INT(r[0].distinct, 3);
    ASSERT_EQ_INT(r[0].rows, 30);
    /* unique ids: every row falls back to the majority (benign): BA = (1 + 0) / 2, score 0 */
    NEAR(r[1].balanced_accuracy, 0.5);
    NEAR(r[1].score, 0.0);
    ASSERT_EQ_INT(r[1].distinct, 30);
    uint64_t rows;
    ASSERT_EQ_INT(iof__audit_nlabels(a), 2);
    ASSERT_EQ_STR(iof__audit_label(a, 1, &rows), "mirai");
    ASSERT_EQ_INT(rows, 10);
    iof__audit_free(a);
}

static void test_partial_and_ties(void)
{
    /* 3 labels; value "x" holds all of A (4) and B (4) alternately, "y" all of C (4):
     * in "x" a row of A sees A 3, B 4 -> predicted B (wrong), and B likewise -> A (wrong);
     * C is right: BA = 1/3 = chance -> score 0 */
    iof__audit_kind k[2] = { IOF_AUDIT_CATEGORICAL, IOF_AUDIT_ORDERED };
    iof__audit *a;
    ASSERT_EQ_INT(iof__audit_create(&a, 2, k, 100), 0);
    for (int i = 0; i < 4; i++) {
        add(a, "A", S("x"), I(i));
        add(a, "B", S("x"), I(100 + i));
        add(a, "C", S("y"), NUL);
    }
    iof__audit_col_result r[2];
    ASSERT_EQ_INT(iof__audit_score(a, 0, r), 0);
    NEAR(r[0].balanced_accuracy, 1.0 / 3);
    NEAR(r[0].score, 0.0);
    /* ordered column: C is null (skipped); A at 0..3 and B at 100..103 separate: BA 1 over the
     * 2 labels present */
    ASSERT_EQ_INT(r[1].rows, 8);
    NEAR(r[1].score, 1.0);
    iof__audit_free(a);
}

static void test_time_windows_and_control(void)
{
    /* an attack window: rows 400..499 of 1000 one-second records are "ddos" -> the time
     * column separates them (1-NN errs only at the two window edges), the port column (same
     * for all) does not; the shuffled-label control scores ~0 */
    iof__audit_kind k[2] = { IOF_AUDIT_ORDERED, IOF_AUDIT_CATEGORICAL };
    iof__audit *a;
    ASSERT_EQ_INT(iof__audit_create(&a, 2, k, 10000), 0);
    for (int i = 0; i < 1000; i++)
        add(a, i >= 400 && i < 500 ? "ddos" : "benign", I(1700000000000000LL + i * 1000000LL), I(443));
    iof__audit_col_result r[2], c[2];
    ASSERT_EQ_INT(iof__audit_score(a, 0, r), 0);
    /* the window's first row (400) takes its earlier neighbour 399 (benign): 99/100 ddos right;
     * the benign row 500 takes 499 (ddos): 899/900 benign right */
    NEAR(r[0].balanced_accuracy, (99.0 / 100 + 899.0 / 900) / 2);
    ASSERT_TRUE(r[0].score > 0.98);
    NEAR(r[1].score, 0.0);
    ASSERT_EQ_INT(r[1].distinct, 1);
    ASSERT_EQ_INT(iof__audit_score(a, 12345, c), 0);
    ASSERT_TRUE(fabs(c[0].score) < 0.1);
    ASSERT_TRUE(fabs(c[1].score) < 1e-9);
    /* the same seed gives the same control */
    iof__audit_col_result c2[2];
    ASSERT_EQ_INT(iof__audit_score(a, 12345, c2), 0);
    NEAR(c2[0].score, c[0].score);
    iof__audit_free(a);
}

/* The same rows in another order score the same (duplicate values in an ordered column are
 * where a row-order tie-break would show). */
static void test_order_independent(void)
{
    iof__audit_kind k[2] = { IOF_AUDIT_ORDERED, IOF_AUDIT_CATEGORICAL };
    static const int v[] = { 5, 5, 5, 7, 9, 9, 12, 5, 7, 30, 31, 9 };
    static const char *const l[] = { "a", "b", "a", "b", "b", "a", "a", "b", "a", "b", "b", "a" };
    enum { N = sizeof v / sizeof v[0] };
    iof__audit_col_result r[2][2];
    for (int pass = 0; pass < 2; pass++) {
        iof__audit *a;
        ASSERT_EQ_INT(iof__audit_create(&a, 2, k, 100), 0);
        for (int i = 0; i < N; i++) {
            int j = pass ? N - 1 - i : i;
            add(a, l[j], I(v[j]), I(v[j] % 3));
        }
        ASSERT_EQ_INT(iof__audit_score(a, 0, r[pass]), 0);
        iof__audit_free(a);
    }
    for (int c = 0; c < 2; c++) {
        NEAR(r[0][c].score, r[1][c].score);
        NEAR(r[0][c].best_j, r[1][c].best_j);
    }
    /* value 5: a b a b -> LOO: a row of a sees a1 b2 -> b (wrong), b sees a2 b1 -> a (wrong);
     * 7: b a -> each predicts the other (wrong); 9: b a a -> b sees a2 -> a (wrong), a sees a1 b1
     * -> tie: a (6 rows each overall, smaller id: a) right x2; 12 alone -> nearest 9 (majority a)
     * right; 30 -> 31 (b) right; 31 -> 30 (b) right. a: 3 of 6 right, b: 2 of 6 */
    NEAR(r[0][0].balanced_accuracy, (3.0 / 6 + 2.0 / 6) / 2);
}

static void test_caps_and_unlabelled(void)
{
    iof__audit_kind k[2] = { IOF_AUDIT_CATEGORICAL, IOF_AUDIT_ORDERED };
    iof__audit *a;
    ASSERT_EQ_INT(iof__audit_create(&a, 2, k, 5), 0);
    for (int i = 0; i < 8; i++)
        add(a, i % 2 ? "a" : "b", I(i % 2), I(i));
    add(a, NULL, I(0), I(0));
    uint64_t kept, over, unl;
    iof__audit_counts(a, &kept, &over, &unl);
    ASSERT_EQ_INT(kept, 5);
    ASSERT_EQ_INT(over, 3);
    ASSERT_EQ_INT(unl, 1);
    iof__audit_col_result r[2];
    ASSERT_EQ_INT(iof__audit_score(a, 0, r), 0);
    NEAR(r[0].score, 1.0);
    iof__audit_free(a);
    /* one label only: not scored */
    ASSERT_EQ_INT(iof__audit_create(&a, 2, k, 5), 0);
    add(a, "a", I(1), I(1));
    add(a, "a", I(2), I(2));
    ASSERT_EQ_INT(iof__audit_score(a, 0, r), 0);
    ASSERT_TRUE(isnan(r[0].score));
    iof__audit_free(a);
    ASSERT_EQ_INT(iof__audit_create(&a, 0, k, 5), IOF_E_INVAL);
    ASSERT_EQ_INT(iof__audit_create(&a, 2, k, 0), IOF_E_INVAL);
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_categorical), TEST(test_partial_and_ties),
                                      TEST(test_time_windows_and_control), TEST(test_order_independent), TEST(test_caps_and_unlabelled), { 0, 0 } };
    return iof_test_run(tests);
}
