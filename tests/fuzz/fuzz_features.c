/* fuzz_features: the feature modules (src/features) on arbitrary segments, and Joy's TCP option
 * decoder (iof__feat_tcp_opts_json, a parser of packet bytes) on arbitrary option bytes.
 *
 * Input: byte 0 picks hd (1..32) and byte 1 idp (1..1500 through a scale); then records of
 *   [side|tcp|time|dhcp|long bits] [tcp flags] [option length 0..40] [data length] [options]
 *   [data]
 * each fed to one of two records' states with every module on, times increasing by the record
 * index; bit 8 gives the record a DHCP key (UDP 68 -> 67: the dhcp module parses the data),
 * bit 16 adds 240 to the data length (a whole DHCP fixed part), bit 32 a DNS key (UDP 53 ->
 * 40000: the dns module renders the data as a DNS message), bit 64 a TLS key (TCP 50000 -> 443:
 * the tls module gathers and parses the handshake), bits 32 and 64 together an HTTP key (TCP
 * 40000 -> 80: the http module parses the data as a message head), bit 128 adds 1400 to the
 * data length (a full segment: the handshake buffer fills in a few); the option-length byte's top bit gives a
 * wire length 70000 bytes longer than the data. Then every slot is written one way and as a
 * pair. Invariants: the text of each slot is
 * empty or starts with ',' and its brackets and braces balance outside strings; the option
 * decoder, given an exactly-sized heap copy of min(len, 24) bytes, writes a balanced list.
 * Byte 0's top bit switches to the custom-flow columns (cols_only, splt on): then every column
 * of every module's cols hook, both layouts, is read one way and as a pair: a list's length is
 * bounded, each text cell's bytes are readable (ASan) and printable where the module says.
 * Seeds seed-tls12-handshake (a ServerHello and Certificate: s_cert, x509 through f_tls) and
 * seed-tls-firefox58 also come with byte 0's top bit set (-columns: the tls columns' summary,
 * certificate included). */
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/schema.h"
#include "features/feature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static volatile uint32_t sink;

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define FF_MAX_INPUT 65535

static alignas(16) unsigned char ext[2][32768];
/* the same flow's states created lazy (Joy's records: feature.h iof__featset_update), over
 * bytes that are not zero: a module read before it began shows up in the comparison */
static alignas(16) unsigned char lz[2][32768];
#define FF_LAZY_FILL 0x5a

static void check_text(const iof__tbuf *b, size_t from)
{
    CHECK(!b->oom);
    if (b->len == from)
        return;
    CHECK(b->p[from] == ',');
    int depth = 0;
    bool str = false;
    for (size_t i = from; i < b->len; i++) {
        char c = b->p[i];
        if (str && c == '\\')
            i++;   /* an escaped character (a DNS name's '"' or '\\') */
        else if (c == '"')
            str = !str;
        else if (!str && (c == '[' || c == '{'))
            depth++;
        else if (!str && (c == ']' || c == '}'))
            CHECK(--depth >= 0);
    }
    CHECK(depth == 0 && !str);
}

/* A custom-flow record's copy carries its states packed (kinds/cf_kind.c); read_cols compares
 * every cell of the states unpacked from it with the live states' */
static alignas(16) unsigned char packed[sizeof(ext[0])], back[2][sizeof(ext[0])];

static bool same_value(const iof__value *a, const iof__value *b, iof__vtype t)
{
    if (a->null || b->null)
        return a->null == b->null;
    if (t == IOF_VT_STRING || t == IOF_VT_BINARY)
        return a->len == b->len && (!a->len || memcmp(a->p, b->p, a->len) == 0);
    if (t == IOF_VT_FLOAT64)
        return memcmp(&a->f, &b->f, sizeof(a->f)) == 0;
    return a->i == b->i;
}

/* Packs both live states and unpacks them into back[] (over bytes that are neither zero nor the
 * states': a getter reading past what its module's `used` hook names reads them). */
static void pack_back(const iof__featset *fs)
{
    for (int side = 0; side < 2; side++) {
        size_t n = iof__featset_pack_size(fs, ext[side]);
        CHECK(n <= sizeof(packed));
        CHECK(iof__featset_pack(fs, packed, ext[side]) == packed + n);
        memset(back[side], 0x5a, sizeof(back[side]));
        CHECK(iof__featset_unpack(fs, back[side], packed) == packed + n);
    }
}

/* Every cell of the modules' custom-flow columns (cols hooks) of both states, both layouts, and
 * the same cell of the states unpacked from their packed copy (pack_back). */
static void read_cols(const iof__featset *fs)
{
    pack_back(fs);
    uint32_t acc = 0;
    for (uint32_t i = 0; i < fs->n; i++) {
        const iof__feature *m = fs->mod[i];
        if (!m->cols)
            continue;
        for (int wide = 0; wide < 2; wide++) {
            iof__schema s;
            CHECK(iof__schema_init(&s, "fuzz", (iof__row_ops){ 0 }) == 0);
            CHECK(m->cols->declare(&s, &fs->opts, wide, 0, 0) == 0);
            for (size_t c = 0; c < s.n; c++) {
                for (int pair = 0; pair < 2; pair++) {
                    const void *out = ext[0] + fs->off[i], *in = pair ? ext[1] + fs->off[i] : NULL;
                    const void *bout = back[0] + fs->off[i], *bin = pair ? back[1] + fs->off[i] : NULL;
                    uint32_t id = s.cols[c].index, n = s.cols[c].list ? m->cols->count(out, in, id) : 1;
                    CHECK(n == UINT32_MAX || n <= 4096);
                    CHECK(!s.cols[c].list || m->cols->count(bout, bin, id) == n);
                    for (uint32_t k = 0; n != UINT32_MAX && k < n; k++) {
                        iof__value v = { .null = true }, bv = { .null = true };
                        m->cols->get(out, in, id, k, &v);
                        m->cols->get(bout, bin, id, k, &bv);
                        CHECK(same_value(&v, &bv, s.cols[c].type));
                        if (v.null || s.cols[c].type != IOF_VT_STRING)
                            continue;
                        CHECK(v.len < 4096 && (v.p || !v.len));
                        for (uint32_t j = 0; j < v.len; j++) {
                            CHECK(v.p[j] >= 0x20);   /* dns escapes control bytes, dhcp makes them '?' */
                            acc += v.p[j];
                        }
                    }
                }
            }
            iof__schema_free(&s);
        }
    }
    sink += acc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2 || size > FF_MAX_INPUT)
        return 0;
    iof__feat_opts o = { .dist = true, .entropy = true, .wht = true, .payload = true, .ppi = true,
                         .dns = true, .tls = true, .dhcp = true, .http = true, .hd = 1u + data[0] % IOF_FEAT_MAX_HD,
                         .idp = 1u + (uint32_t)data[1] * IOF_FEAT_MAX_IDP / 256u,
                         .splt = (data[0] & 0x80) != 0, .cols_only = (data[0] & 0x80) != 0,
                         .anonymise = (data[1] & 1) != 0 };
    iof__featset fs;
    CHECK(iof__featset_init(&fs, &o) == 0);
    CHECK(fs.ext_size <= sizeof(ext[0]));
    memset(ext, 0, sizeof(ext));
    iof__featset_init_state(&fs, ext[0], false, false);
    iof__featset_init_state(&fs, ext[1], false, false);
    memset(lz, FF_LAZY_FILL, sizeof(lz));
    iof__featset_init_state(&fs, lz[0], false, true);
    iof__featset_init_state(&fs, lz[1], false, true);
    uint32_t seen[2] = { 0, 0 };
    iof__tbuf b = { 0 };
    uint32_t data_pkts[2] = { 0, 0 };
    size_t pos = 2;
    for (int64_t k = 0; size - pos >= 4; k++) {
        uint8_t bits = data[pos], flags = data[pos + 1];
        bool long_wire = (data[pos + 2] & 0x80) != 0;
        uint32_t olen = data[pos + 2] % 41u, dlen = data[pos + 3] + (bits & 16 ? 240u : 0u) +
                                                      (bits & 128 ? 1400u : 0u);
        pos += 4;
        if (olen > size - pos)
            olen = (uint32_t)(size - pos);
        /* exactly-sized copies: ASan sees a read past them */
        uint8_t *opts = malloc(olen ? olen : 1), *d = NULL;
        if (!opts)
            break;
        memcpy(opts, data + pos, olen);
        pos += olen;
        if (dlen > size - pos)
            dlen = (uint32_t)(size - pos);
        d = malloc(dlen ? dlen : 1);
        if (!d) {
            free(opts);
            break;
        }
        memcpy(d, data + pos, dlen);
        pos += dlen;
        int side = bits & 1;
        bool http = (bits & 96) == 96;   /* both: an HTTP key (TCP 40000 -> 80) */
        data_pkts[side] += dlen != 0 && data_pkts[side] < 255;
        iof__pkt p = { .tcp_seq = (uint32_t)k * 1000u, .tcp_ack = flags * 7u, .tcp_flags = flags,
                       .l4_hlen = 20 + olen };
        iof__feat_pkt fp = { .pkt = &p, .data = d, .len = dlen, .ip = d, .ip_len = dlen,
                             .data_pkts = data_pkts[side], .tcp = (bits & 2) != 0,
                             .ts_us = k * 1000 - (bits & 4 ? 5000 : 0), .tcp_opts = opts,
                             .tcp_opts_len = olen, .key_proto = bits & 8 ? 17 : 6,
                             .key_sp = http ? 40000 : bits & 64 ? 50000 : bits & 32 ? 53 : 68,
                             .key_dp = http ? 80 : bits & 64 ? 443 : bits & 32 ? 40000 : 67,
                             .wire_len = dlen + (long_wire ? 70000u : 0u) };
        iof__featset_update(&fs, ext[side], &fp, IOF_FEAT_SEEN_ALL);
        if (!o.cols_only)   /* the columns read every state: created eager */
            seen[side] = iof__featset_update(&fs, lz[side], &fp, seen[side]);
        /* the option decoder alone on these bytes (it reads at most 24) */
        uint32_t keep = olen < IOF_FEAT_TCP_OPT_LEN ? olen : IOF_FEAT_TCP_OPT_LEN;
        uint8_t *o24 = malloc(keep ? keep : 1);
        if (o24) {
            memcpy(o24, opts, keep);
            size_t from = b.len;
            iof__feat_tcp_opts_json(&b, o24, olen);
            check_text(&b, from);
            free(o24);
        }
        free(opts);
        free(d);
    }
    iof__featset_finish(&fs, ext[0], IOF_FEAT_SEEN_ALL);
    iof__featset_finish(&fs, ext[1], IOF_FEAT_SEEN_ALL);
    for (int pair = 0; pair < 2; pair++) {
        uint32_t both = seen[0] | (pair ? seen[1] : 0);
        if (pair && !o.cols_only) {   /* as iof__joyfeat_finish: both directions' modules begun */
            iof__featset_begin(&fs, lz[0], seen[0], both);
            iof__featset_begin(&fs, lz[1], seen[1], both);
        }
        if (!o.cols_only)
            iof__featset_finish(&fs, lz[0], both);
        for (int slot = 0; slot < IOF_FEAT_JOY_SLOTS; slot++) {
            size_t from = b.len;
            iof__featset_joy_json(&fs, (iof__feat_joy_slot)slot, &b, ext[0], pair ? ext[1] : NULL,
                                  IOF_FEAT_SEEN_ALL);
            check_text(&b, from);
            if (o.cols_only)
                continue;
            /* lazy states and seen bits: the same text and counts (feature.h idle) */
            size_t eager = b.len - from;
            iof__featset_joy_json(&fs, (iof__feat_joy_slot)slot, &b, lz[0], pair ? lz[1] : NULL, both);
            CHECK(b.oom || (b.len - from == 2 * eager && memcmp(b.p + from, b.p + from + eager, eager) == 0));
            b.len = from + eager;
            if (slot == 0) {
                uint64_t c1[IOF_FEAT_MAX_MODULES] = { 0 }, c2[IOF_FEAT_MAX_MODULES] = { 0 };
                iof__featset_count_cuts(&fs, ext[0], pair ? ext[1] : NULL, IOF_FEAT_SEEN_ALL, c1);
                iof__featset_count_cuts(&fs, lz[0], pair ? lz[1] : NULL, both, c2);
                CHECK(memcmp(c1, c2, sizeof(c1)) == 0);
            }
        }
    }
    if (o.cols_only)
        read_cols(&fs);
    uint32_t acc = 0;
    for (size_t i = 0; i < b.len; i++)
        acc += (uint8_t)b.p[i];
    sink += acc;
    iof__tb_free(&b);
    return 0;
}
