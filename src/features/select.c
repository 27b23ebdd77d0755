/* --features: the feature names a user asks for (include/iotflow/iotflow.h iof_feature_bits).
 * One table, so the parser, the messages and the metadata text say the same names. */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "iotflow/iotflow.h"

static const struct {
    const char *name;
    unsigned bit;
} names[] = {
    { "dns", IOF_FEATURE_DNS },
    { "tls", IOF_FEATURE_TLS },
};
#define N_NAMES (sizeof(names) / sizeof(names[0]))

iof_err iof_features_parse(const char *list, unsigned *out, char *errbuf, size_t errlen)
{
    *out = 0;
    const char *p = list;
    for (;;) {
        size_t n = strcspn(p, ",");
        unsigned bit = 0;
        if (n == 3 && strncmp(p, "all", 3) == 0)
            for (size_t i = 0; i < N_NAMES; i++)
                bit |= names[i].bit;
        for (size_t i = 0; i < N_NAMES && !bit; i++)
            if (strlen(names[i].name) == n && strncmp(p, names[i].name, n) == 0)
                bit = names[i].bit;
        if (!bit) {
            char known[128];
            iof_features_text(~0u, known, sizeof(known));
            return iof__fail(errbuf, errlen, IOF_E_INVAL, "--features: unknown feature '%.*s' (known: %s, all)",
                             (int)(n > 64 ? 64 : n), p, known);
        }
        *out |= bit;
        if (!p[n])
            return IOF_OK;
        p += n + 1;
    }
}

const char *iof_features_text(unsigned features, char *buf, size_t len)
{
    size_t off = 0;
    if (len)
        buf[0] = '\0';
    for (size_t i = 0; i < N_NAMES; i++)
        if ((features & names[i].bit) && off < len)
            off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", names[i].name);
    return buf;
}
