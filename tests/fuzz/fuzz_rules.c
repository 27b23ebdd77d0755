/* fuzz_rules: the label rule parser (untrusted text, docs/LABELS.md) from memory, includes
 * refused, then every loaded rule set evaluated on fixed attribute sets (IPv4 outbound UDP with
 * every optional attribute, IPv6 inbound TCP with inventory strings, ICMP with nothing optional).
 * Invariants: a rejection always says why and leaves no rule set; an accepted set answers for
 * every key, the same twice, with a value exactly when it says how it got one. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "labels/rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(c) do { if (!(c)) abort(); } while (0)
static volatile uint32_t sink;

static void attr_sets(iof__lbl_attrs a[3])
{
    static const char *const names[] = { "cdn.example.com", "a.b" };
    memset(a, 0, 3 * sizeof *a);
    a[0].has = IOF_LBL_HAS_PORTS | IOF_LBL_HAS_TTL_OUT | IOF_LBL_HAS_TTL_IN | IOF_LBL_HAS_DNS |
               IOF_LBL_HAS_SNI | IOF_LBL_HAS_APP | IOF_LBL_HAS_DEVICE_NAME | IOF_LBL_HAS_DEVICE_TYPE;
    a[0].proto = 17;
    a[0].ipver = 4;
    a[0].ttl_out = 255;
    a[0].ttl_in = 64;
    a[0].dev_port = 5684;
    a[0].rem_port = 53;
    inet_pton(AF_INET, "192.168.1.20", a[0].dev_ip);
    inet_pton(AF_INET, "224.0.0.251", a[0].rem_ip);
    a[0].first_ns = 1700000000000000000;
    a[0].last_ns = a[0].first_ns + 5;
    a[0].dns = names;
    a[0].n_dns = 2;
    a[0].sni = "x.example.com";
    a[0].app = "DNS";
    a[0].device_name = "Ikea Hub";
    a[0].device_type = "gateway";
    a[1].has = IOF_LBL_HAS_PORTS | IOF_LBL_HAS_TTL_IN | IOF_LBL_HAS_DEVICE_NAME;
    a[1].proto = 6;
    a[1].ipver = 6;
    a[1].first_dir = IOF_LBL_INBOUND;
    a[1].ttl_in = 128;
    a[1].dev_port = 80;
    a[1].rem_port = 80;
    inet_pton(AF_INET6, "fd00::1", a[1].dev_ip);
    inet_pton(AF_INET6, "2001:db8::2", a[1].rem_ip);
    a[1].first_ns = 0;
    a[1].last_ns = INT64_MAX;
    a[1].device_name = "";
    a[2].proto = 1;
    a[2].ipver = 4;
    inet_pton(AF_INET, "255.255.255.255", a[2].rem_ip);
    a[2].first_ns = -1;
    a[2].last_ns = INT64_MIN;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iof__ruleset *rs = (iof__ruleset *)&sink; /* must come back NULL on failure */
    char err[IOF_RULES_ERR_LEN];
    err[0] = '\0';
    int rc = iof__rules_load_mem("fuzz.rules", (const char *)data, size, IOF_RULES_NO_INCLUDE, &rs,
                                 err, sizeof err);
    if (rc != 0) {
        CHECK(rs == NULL && err[0] != '\0' && rc < 0);
        return 0;
    }
    size_t nk = iof__rules_nkeys(rs);
    CHECK(nk <= IOF_RULES_MAX_KEYS && iof__rules_nrules(rs) <= IOF_RULES_MAX_RULES);
    for (size_t i = 0; i < iof__rules_nwarnings(rs) && i < IOF_RULES_MAX_WARNINGS; i++)
        CHECK(iof__rules_warning(rs, i) != NULL);
    iof__lbl_attrs a[3];
    attr_sets(a);
    iof__lbl_result r1[IOF_RULES_MAX_KEYS], r2[IOF_RULES_MAX_KEYS];
    uint32_t acc = 0;
    for (int s = 0; s < 3; s++) {
        iof__rules_eval(rs, &a[s], r1);
        iof__rules_eval(rs, &a[s], r2);
        for (size_t k = 0; k < nk; k++) {
            CHECK(r1[k].value == r2[k].value && r1[k].rule == r2[k].rule && r1[k].how == r2[k].how);
            CHECK((r1[k].value == NULL) == (r1[k].how == IOF_LBL_NONE));
            CHECK((r1[k].rule == NULL) == (r1[k].how == IOF_LBL_NONE));
            CHECK(iof__rules_key_index(rs, iof__rules_key_name(rs, k)) == (long)k);
            if (r1[k].value)
                acc += (uint32_t)strlen(r1[k].value) + (uint32_t)strlen(r1[k].rule);
        }
    }
    sink += acc;
    iof__rules_free(rs);
    return 0;
}
