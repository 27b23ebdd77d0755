/* pipeline/hub.c: view consumers in registration order, record stages in their fixed order
 * (finish -> label -> stats -> sink) whatever the registration order, the first error kept. */
#include <string.h>

#include "common/err.h"
#include "pipeline/hub.h"
#include "test.h"

typedef struct trace {
    char s[256];
    int fail_at; /* the call number that fails (0: none) */
    int calls;
} trace;

static int log_call(trace *t, const char *what)
{
    strncat(t->s, what, sizeof t->s - strlen(t->s) - 1);
    return ++t->calls == t->fail_at ? IOF_E_OUTPUT : IOF_OK;
}

static int st_finish(void *c, const iof__row_kind *k, const void *r) { (void)k, (void)r; return log_call(c, "F"); }
static int st_label(void *c, const iof__row_kind *k, const void *r) { (void)k, (void)r; return log_call(c, "L"); }
static int st_stats(void *c, const iof__row_kind *k, const void *r) { (void)k, (void)r; return log_call(c, "T"); }
static int st_sink(void *c, const iof__row_kind *k, const void *r) { (void)k, (void)r; return log_call(c, "S"); }

static void test_stage_order(void)
{
    iof__pipe p;
    memset(&p, 0, sizeof p);
    trace t = { .fail_at = 0 };
    /* registered backwards: the hub still runs them in stage order */
    ASSERT_EQ_INT(iof__pipe_on_record(&p, IOF_HUB_SINK, st_sink, &t), IOF_OK);
    ASSERT_EQ_INT(iof__pipe_on_record(&p, IOF_HUB_STATS, st_stats, &t), IOF_OK);
    ASSERT_EQ_INT(iof__pipe_on_record(&p, IOF_HUB_LABEL, st_label, &t), IOF_OK);
    ASSERT_EQ_INT(iof__pipe_on_record(&p, IOF_HUB_FINISH, st_finish, &t), IOF_OK);
    ASSERT_EQ_INT(iof__pipe_on_record(&p, IOF_HUB_STATS, st_sink, &t), IOF_OK); /* 2nd of a stage */
    ASSERT_EQ_INT(iof__pipe_record(&p, NULL, NULL), IOF_OK);
    ASSERT_EQ_STR(t.s, "FLTSS");
    /* an error stops the stages after it and stays */
    t = (trace){ .fail_at = 3 };
    ASSERT_EQ_INT(iof__pipe_record(&p, NULL, NULL), IOF_E_OUTPUT);
    ASSERT_EQ_STR(t.s, "FLT");
    ASSERT_EQ_INT(iof__pipe_record(&p, NULL, NULL), IOF_E_OUTPUT);
    ASSERT_EQ_STR(t.s, "FLT");
    /* caps */
    for (int k = 0; k < IOF_HUB_MAX_PER_STAGE - 1; k++)
        ASSERT_EQ_INT(iof__pipe_on_record(&p, IOF_HUB_LABEL, st_label, &t), IOF_OK);
    ASSERT_EQ_INT(iof__pipe_on_record(&p, IOF_HUB_LABEL, st_label, &t), IOF_E_LIMIT);
    ASSERT_EQ_INT(iof__pipe_on_record(&p, IOF_HUB__COUNT, st_label, &t), IOF_E_LIMIT);
}

typedef struct cons {
    trace *t;
    char tag;
} cons;

static int c_packet(void *ctx, const iof__pkt *pkt, const iof__view *v, int n)
{
    (void)pkt, (void)v;
    cons *c = ctx;
    char s[4] = { c->tag, (char)('0' + n), 0 };
    return log_call(c->t, s);
}
static int c_advance(void *ctx, int64_t ns)
{
    cons *c = ctx;
    char s[4] = { c->tag, ns == 7 ? 'a' : '?', 0 };
    return log_call(c->t, s);
}
static int c_flush(void *ctx, bool interrupted)
{
    cons *c = ctx;
    char s[4] = { c->tag, interrupted ? 'i' : 'e', 0 };
    return log_call(c->t, s);
}

static void test_consumers(void)
{
    iof__pipe p;
    memset(&p, 0, sizeof p);
    trace t = { .fail_at = 0 };
    cons a = { &t, 'A' }, b = { &t, 'B' };
    iof__view_consumer ca = { "a", &a, c_packet, c_advance, c_flush, NULL };
    iof__view_consumer cb = { "b", &b, c_packet, c_advance, c_flush, NULL };
    ASSERT_EQ_INT(iof__pipe_add_consumer(&p, &ca), IOF_OK);
    ASSERT_EQ_INT(iof__pipe_add_consumer(&p, &cb), IOF_OK);
    iof__pkt pkt;
    iof__view v[2];
    memset(&pkt, 0, sizeof pkt);
    memset(v, 0, sizeof v);
    ASSERT_EQ_INT(iof__pipe_packet(&p, &pkt, v, 2), IOF_OK);
    ASSERT_EQ_INT(iof__pipe_advance(&p, 7), IOF_OK);
    ASSERT_EQ_INT(iof__pipe_flush(&p, false), IOF_OK);
    ASSERT_EQ_STR(t.s, "A2B2AaBaAeBe");
    /* the first consumer fails: the second is not fed, and nothing is after that */
    t = (trace){ .fail_at = 1 };
    ASSERT_EQ_INT(iof__pipe_packet(&p, &pkt, v, 1), IOF_E_OUTPUT);
    ASSERT_EQ_INT(iof__pipe_flush(&p, true), IOF_E_OUTPUT);
    ASSERT_EQ_STR(t.s, "A1");
    for (size_t k = p.n_vc; k < IOF_MAX_VIEW_CONSUMERS; k++)
        ASSERT_EQ_INT(iof__pipe_add_consumer(&p, &ca), IOF_OK);
    ASSERT_EQ_INT(iof__pipe_add_consumer(&p, &ca), IOF_E_LIMIT);
}

static const iof_test tests[] = { TEST(test_stage_order), TEST(test_consumers), { 0, 0 } };

int main(void) { return iof_test_run(tests); }
