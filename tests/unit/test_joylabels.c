/* Labels on Joy flows (kinds/joy_attrs.c, the label members of kinds/joy_json.c, docs/LABELS.md
 * "Joy flows"): a flow is seen from Joy's "out" side (src = sa/sp, dst = da/dp, ttl.out =
 * ip.out.ttl), a one-way flow has no ttl.in (the seed scripts' "Flow Error"), ports only for
 * TCP/UDP, and the keys end the JSON object as "K", "K_rule" (null without a default). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kinds/joy_json.h"
#include "labels/labeller.h"
#include "test.h"

static iof__joyrec rec(uint8_t proto, const char *sa, const char *da, uint16_t sp, uint16_t dp,
                       uint8_t ttl, int64_t start_us)
{
    iof__joyrec r;
    memset(&r, 0, sizeof r);
    r.ipver = 4;
    r.proto = proto;
    inet_pton(AF_INET, sa, r.sa);
    inet_pton(AF_INET, da, r.da);
    r.sp = sp;
    r.dp = dp;
    r.ttl = ttl;
    r.np = 1;
    r.start_us = r.end_us = start_us;
    r.primary = true;
    return r;
}

static char errbuf[512];

static iof__labeller *load(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ASSERT_TRUE(f);
    fputs(text, f);
    fclose(f);
    iof__labeller *lb = NULL;
    const char *paths[] = { path };
    int rc = iof__labeller_load(&lb, paths, 1, errbuf, sizeof errbuf);
    if (rc)
        fprintf(stderr, "  %s\n", errbuf);
    ASSERT_EQ_INT(rc, 0);
    return lb;
}

static void json(const iof__joyrec *r, const iof__lbl_row *row, char *out, size_t n)
{
    iof__tbuf b = { 0 };
    iof__joy_json_flow(&b, r, NULL, row, false);
    ASSERT_TRUE(!b.oom && b.len < n);
    memcpy(out, b.p, b.len);
    out[b.len] = '\0';
    iof__tb_free(&b);
}

static void test_attrs(void)
{
    /* a pair: UDP 192.168.3.213:5684 <- 192.168.3.177:51197 created first by the client */
    iof__joyrec c = rec(17, "192.168.3.177", "192.168.3.213", 51197, 5684, 64, 1000000);
    iof__joyrec s = rec(17, "192.168.3.213", "192.168.3.177", 5684, 51197, 255, 1500000);
    s.primary = false;
    c.twin = &s;
    s.twin = &c;
    c.end_us = 9000000;
    iof__lbl_attrs a;
    iof__joy_lbl_attrs(&c, &a);
    ASSERT_EQ_INT(a.proto, 17);
    ASSERT_EQ_INT(a.first_dir, IOF_LBL_OUTBOUND);
    ASSERT_EQ_INT(a.dev_port, 51197);
    ASSERT_EQ_INT(a.rem_port, 5684);
    ASSERT_EQ_INT(a.dev_ip[3], 177);
    ASSERT_EQ_INT(a.rem_ip[3], 213);
    ASSERT_TRUE(a.has & IOF_LBL_HAS_PORTS);
    ASSERT_TRUE((a.has & (IOF_LBL_HAS_TTL_OUT | IOF_LBL_HAS_TTL_IN)) == (IOF_LBL_HAS_TTL_OUT | IOF_LBL_HAS_TTL_IN));
    ASSERT_EQ_INT(a.ttl_out, 64);
    ASSERT_EQ_INT(a.ttl_in, 255);
    ASSERT_TRUE(a.first_ns == 1000000000LL);
    ASSERT_TRUE(a.last_ns == 9000000000LL);
    /* one-way ICMP: no ports, no ttl.in */
    iof__joyrec i = rec(1, "192.168.3.213", "192.168.3.177", 0, 0, 255, 2000000);
    iof__joy_lbl_attrs(&i, &a);
    ASSERT_TRUE(!(a.has & IOF_LBL_HAS_PORTS));
    ASSERT_TRUE(!(a.has & IOF_LBL_HAS_TTL_IN));
    ASSERT_TRUE(a.has & IOF_LBL_HAS_TTL_OUT);
    ASSERT_EQ_INT(a.ttl_out, 255);
}

static void test_json_members(void)
{
    char path[] = "/tmp/iof-joylabels-XXXXXX";
    int fd = mkstemp(path);
    ASSERT_TRUE(fd >= 0);
    close(fd);
    iof__labeller *lb = load(path, "key flow_type default \"Unknown\" on-missing \"Flow Error\"\n"
                                   "key note\n"
                                   "rule \"app\": flow_type = \"Ikea Application Data\" if dport 5684 and ttl.in 255\n"
                                   "note = \"ok\" if proto 17\n");
    iof__lbl_row row = { .lb = lb };
    char out[4096], want[512];
    /* a one-way flow to 5684: ttl.in unknown -> on-missing, named by its rule; note has no
     * default: null on the ICMP flow below */
    iof__joyrec c = rec(17, "192.168.3.177", "192.168.3.213", 51197, 5684, 64, 1000000);
    iof__lbl_attrs a;
    iof__joy_lbl_attrs(&c, &a);
    iof__lbl_row_fill(&row, &a);
    json(&c, &row, out, sizeof out);
    snprintf(want, sizeof want, ",\"flow_type\":\"Flow Error\",\"flow_type_rule\":\"app\",\"note\":\"ok\","
                                "\"note_rule\":\"%s:4\"}\n", path);
    ASSERT_TRUE(strlen(out) > strlen(want));
    ASSERT_EQ_STR(out + strlen(out) - strlen(want), want);
    iof__joyrec i = rec(1, "192.168.3.213", "192.168.3.177", 0, 0, 255, 2000000);
    iof__joy_lbl_attrs(&i, &a);
    iof__lbl_row_fill(&row, &a);
    json(&i, &row, out, sizeof out);
    const char *tail = ",\"flow_type\":\"Unknown\",\"flow_type_rule\":\"default\",\"note\":null,\"note_rule\":null}\n";
    ASSERT_EQ_STR(out + strlen(out) - strlen(tail), tail);
    /* without labels the object is unchanged */
    char plain[4096];
    json(&i, NULL, plain, sizeof plain);
    ASSERT_TRUE(strstr(plain, "flow_type") == NULL);
    ASSERT_TRUE(strncmp(plain, out, strlen(plain) - 2) == 0);
    iof__labeller_free(lb);
    unlink(path);
}

static void test_key_taken(void)
{
    ASSERT_TRUE(iof__joy_json_key_taken("packets"));
    ASSERT_TRUE(iof__joy_json_key_taken("sa"));
    ASSERT_TRUE(iof__joy_json_key_taken("tls"));
    ASSERT_TRUE(!iof__joy_json_key_taken("flow_type"));
    ASSERT_TRUE(!iof__joy_json_key_taken("label"));
}

int main(void)
{
    static const iof_test tests[] = { TEST(test_attrs), TEST(test_json_members), TEST(test_key_taken), { 0, 0 } };
    return iof_test_run(tests);
}
