/* --features: the feature names a user asks for (include/iotflow/iotflow.h iof_feature_bits).
 * One table, so the parser, the messages and the metadata text say the same names. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "iotflow/iotflow.h"

/* The names --features takes, in the order messages and metadata list them; an alias is another
 * spelling a user may reach for (the label rules call the TLS server name `sni`), taken but
 * never listed. */
static const struct {
    const char *name;
    unsigned bit;
    bool alias;
} names[] = {
    { "dns", IOF_FEATURE_DNS, false },
    { "tls", IOF_FEATURE_TLS, false },
    { "byte_dist", IOF_FEATURE_BYTE_DIST, false },
    { "entropy", IOF_FEATURE_ENTROPY, false },
    { "splt", IOF_FEATURE_SPLT, false },
    { "wht", IOF_FEATURE_WHT, false },
    { "dhcp", IOF_FEATURE_DHCP, false },
    { "payload", IOF_FEATURE_PAYLOAD, false },
    { "http", IOF_FEATURE_HTTP, false },
    { "idp", IOF_FEATURE_IDP, false },
    { "hd", IOF_FEATURE_HD, false },
    { "ppi", IOF_FEATURE_PPI, false },
    { "l7", IOF_FEATURE_L7, false },
    { "sni", IOF_FEATURE_TLS, true },
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

iof_err iof_features_parse(const char *list, unsigned *out, char *errbuf, size_t errlen)
{
    *out = 0;
    const char *p = list;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, ","), end = n; /* "dns, tls": spaces around a name are not part of it */
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        unsigned bit = 0;
        /* every feature the run's table takes: iof_run_create resolves it */
        if (n == 3 && strncmp(p, "all", 3) == 0)
            bit = IOF_FEATURE_ALL;
        for (size_t i = 0; i < N_NAMES && !bit; i++)
            if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0)
                bit = names[i].bit;
        if (!bit) {
            char known[128] = "";
            for (size_t i = 0, off = 0; i < N_NAMES && off < sizeof(known); i++)
                if (!names[i].alias)
                    off += (size_t)snprintf(known + off, sizeof(known) - off, "%s, ", names[i].name);
            return iof__fail(errbuf, errlen, IOF_E_INVAL, "--features: unknown feature '%.*s' (known: %sall)",
                             (int)(n > 64 ? 64 : n), p, known);
        }
        *out |= bit;
        if (!p[end])
            return IOF_OK;
        p += end + 1;
    }
}

const char *iof_features_text(unsigned features, char *buf, size_t len)
{
    size_t off = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < N_NAMES; i++)
        if ((features & names[i].bit) && !names[i].alias && off < len)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", names[i].name);
    return buf;
}
