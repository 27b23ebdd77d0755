/* tls (Joy's tls=1; docs/JOY.md "tls"): the TLS handshake summary and record lengths/times of a
 * flow, as Joy 3.0.3 (tls.c tls_update, tls_handshake_buffer_parse, tls_print_json) prints them.
 *
 * Joy's tls_filter: the record's application was identified as TLS (app 443: its ClientHello /
 * ServerHello keyword) or its key has port 443 on either side, any protocol.
 *
 * Per record (one direction), fed each packet's data (Joy's size_payload from the IP length):
 * - until the handshake is "done", every packet whose first byte is not a ChangeCipherSpec,
 *   Alert or ApplicationData content type is appended whole to a handshake buffer (Joy's
 *   MAX_HANDSHAKE_LENGTH: a packet that does not fit is refused and the packet is not looked at
 *   further, as Joy returns there);
 * - the packet's records are walked from its start (or past the rest of a record split over
 *   segments: Joy's seg_offset), each one an srlt entry (content type, length, time);
 * - at the first CCS / Alert / ApplicationData record with something in the buffer, the buffer
 *   is parsed (hellos, ClientKeyExchange; the handshake types and lengths of each buffered
 *   record go to the srlt entry of the same index) and the handshake is done; without a version
 *   from a hello, the record header's version is taken (an unknown one ends the packet).
 *
 * The buffer is kept (never written after the handshake is done): the parse keeps offsets into
 * it (session id, suites, extension blocks, server name, ClientKeyExchange), read again through
 * proto/tls.h when the flow is written. Every read of the buffer and of the packet goes
 * through rd.h; bytes Joy would read past the data (a record header cut by the packet's end)
 * read as 0 here (docs/JOY.md "Differences from Joy"). A Certificate message's certificates
 * (at most 4) are noted by offset and written as Joy's s_cert / c_cert through proto/x509.h.
 *
 * Custom-flow columns (--features tls; docs/OUTPUT.md "Feature columns"): with cols_only the
 * state keeps a 4 KB buffer (filled up to its end, not Joy's whole-packet refusal; a record
 * longer than what it holds is read as far as it goes) and, in place of srlt and Joy's buffer,
 * a fixed per-side summary filled while the buffer is parsed: the ClientHello's version,
 * suites, extension types, groups, point formats, server name and JA3 string, the
 * ServerHello's version and suite, the first certificate's names, serial, validity and
 * algorithms. A side on another port than 443 is taken when its first data packet starts a
 * hello. The columns' buffer is also read when the record ends without a CCS (tls_finish), and
 * only as far as its bytes were captured and follow each other by TCP sequence number (hs_end);
 * only handshake records are read in it. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/hex.h"
#include "common/nametext.h"
#include "common/rd.h"
#include "features/feature.h"
#include "flow/attrib.h"
#include "proto/tls.h"
#include "proto/x509.h"

#define TLS_PORT 443
#define TLS_HS_BUF 11000      /* Joy's MAX_HANDSHAKE_LENGTH: handshake bytes kept per record */
#define TLS_SRLT 50           /* Joy's NUM_PKT_LEN_TLS: srlt entries printed (Joy stores
                                 MAX_NUM_RCD_LEN 100 and prints the first 50: 50 are kept) */
#define TLS_HS_PER_REC 5      /* Joy's MAX_TLS_HANDSHAKES: handshake types kept per record */
#define TLS_MAX_CS 256        /* Joy's MAX_CS: offered suites kept */
#define TLS_MAX_SRV_EXT_LEN 256  /* Joy stops the ServerHello's extensions at a longer one */
#define TLS_MAX_HEX 1024      /* Joy prints "" for a value longer than this */
#define TLS_MAX_CKE_BITS 8192 /* Joy's MAX_CKE_LEN (1024 bytes) in bits: a longer
                                 ClientKeyExchange is "possibly corrupted", not kept */
#define TLS_RANDOM 32
#define TLS_REC_HDR 5
#define TLS_HS_HDR 4
#define TLS_HS_CERTIFICATE 11
#define TLS_MAX_CERTS 4       /* Joy's MAX_CERTIFICATES: certificates kept per record */
#define TLS_MAX_RDN 12        /* Joy's MAX_RDN: issuer / subject entries printed */
#define TLS_MAX_CERT_EXT 12   /* Joy's MAX_CERT_EXTENSIONS: extensions printed */
#define TLS_MAX_SERIAL 24     /* Joy's MAX_CERT_SERIAL_LENGTH: a longer serial is not printed */
#define TLS_MAX_SIG 512       /* Joy: a signature over 4096 bits is "too large", not printed */
#define TLS_OSSL_STR 32       /* Joy's MAX_OPENSSL_STRING: names cut to 31 bytes */
#define TLS_EXT_TEXT 8192     /* bytes of an extension's text written (ours: Joy has no cap; a
                                 SAN of 200 names takes ~6 KB); a longer one is cut, counted */
/* custom-flow columns (cols_only): a smaller buffer, filled up to its end (not Joy's whole-packet
 * refusal): a ClientHello, or a ServerHello and the leaf certificate, fit in 4 KB */
#define TLS_COL_HS_BUF 4096
#define TLS_COL_CS 128        /* offered suites kept (real clients offer < 80) */
#define TLS_COL_EXT 64        /* extension types kept (< 30 in practice) */
#define TLS_COL_GROUPS 32     /* supported groups kept */
#define TLS_COL_FORMATS 8     /* EC point formats kept */
#define TLS_COL_ARENA 2048    /* bytes of the text cells of one side */

enum { ROLE_NONE = 0, ROLE_CLIENT, ROLE_SERVER };

typedef struct srlt_ent {
    int64_t us;                   /* the packet's time */
    uint16_t len;                 /* the record's length field */
    uint8_t tp;                   /* its content type */
    uint8_t nhs;                  /* handshake messages noted (<= TLS_HS_PER_REC) */
    uint8_t hs_t[TLS_HS_PER_REC];
    uint16_t hs_l[TLS_HS_PER_REC];   /* Joy's uint16_t: a body length modulo 2^16 */
} srlt_ent;

typedef struct span16 {
    uint16_t off, len;            /* into the handshake buffer */
} span16;

/* A certificate of a Certificate message: Joy's 16-bit length and where its DER starts. */
typedef struct cert_ent {
    uint16_t off, len;
} cert_ent;

/* Custom-flow columns (cols_only): what the handshake gave, summarised when it is done. */
enum { TXT_SNI = 0, TXT_JA3, TXT_CS, TXT_EXT, TXT_GROUPS, TXT_FORMATS, TXT_SUBJECT, TXT_ISSUER, TXT_SERIAL,
       TXT_NOT_BEFORE, TXT_NOT_AFTER, TXT_KEY_ALGO, TXT_SIG_ALGO, TXT_N };
typedef struct tls_sum {
    bool client, server;          /* a ClientHello / ServerHello was read on this side */
    bool hello_cut;               /* the ClientHello ran past the buffer's end: its extension lists
                                     and JA3 are unknown (null), not empty */
    bool has_cert;                /* the first certificate's fields were read */
    bool s_version_cut;           /* the ServerHello ran past the buffer's end before a
                                     supported_versions extension: the version it chose is
                                     unknown (null), not its legacy_version */
    uint8_t ncerts;               /* certificates of the side's Certificate message (<= 4) */
    uint16_t c_version, s_version, scs, key_bits;
    uint16_t ncs, next, ngroups, nformats;
    uint16_t used;                /* arena bytes used */
    span16 txt[TXT_N];            /* into arena (len 0 and no flag: none) */
    /* from here on, read only below their counts (tls_clean) */
    uint16_t cs[TLS_COL_CS], ext[TLS_COL_EXT], groups[TLS_COL_GROUPS];
    uint8_t formats[TLS_COL_FORMATS];
    char arena[TLS_COL_ARENA];    /* the text cells (UTF-8) */
} tls_sum;

typedef struct tls_state {
    bool seen;                    /* a packet passed the filter (Joy: record->tls allocated) */
    bool done;                    /* Joy's done_handshake */
    bool cols;                    /* cols_only: the columns' buffer and summary, no srlt */
    bool anon;                    /* cols: the anonymisation rule on the server name (opts) */
    bool cert_cut;                /* a certificate past Joy's 4, or cut by the buffer's end */
    bool sum_cut;                 /* cols: a list or text did not fit the summary */
    bool not_tls;                 /* cols: the side's first data packet starts no hello */
    uint8_t role;                 /* ROLE_* of the last hello parsed */
    uint8_t version;              /* Joy's internal version: 2 SSLv3 .. 6 TLS 1.3, 0 none */
    uint8_t sid_len;
    bool has_sni;
    uint8_t hs_refused;           /* packets the full buffer refused (saturating; Joy's too) */
    uint8_t ncert;                /* certificates noted (<= TLS_MAX_CERTS) */
    uint16_t op;                  /* records seen: Joy's uint16_t op (wraps as Joy's) */
    uint16_t hs_len;              /* buffer bytes (Joy's handshake_length) */
    uint16_t hs_def;              /* buffer bytes written or zeroed (>= hs_len; hs_define) */
    uint16_t hs_hole;             /* cols: 1 + the offset of the buffer's first byte that was not
                                     captured (a snaplen cut, zeros there; or where a segment is
                                     missing), 0: none (hs_end) */
    bool seq_set;                 /* cols: next_seq holds the sequence number after the side's
                                     last data segment */
    uint32_t next_seq;
    uint8_t srlt_def;             /* srlt entries zeroed (srlt_at) */
    uint16_t seg_offset;          /* bytes of a split record still to skip */
    uint16_t ncs;                 /* suites kept (a ServerHello's selected one: 1) */
    uint16_t next_c, next_s;      /* ClientHello / ServerHello extensions kept */
    uint16_t cke_bits;            /* ClientKeyExchange length in bits (0: none) */
    uint16_t sid_off, cs_off;
    span16 ext_c, ext_s, sni, cke;
    cert_ent cert[TLS_MAX_CERTS];
    uint8_t random[TLS_RANDOM];
    union {
        struct {                  /* Joy's */
            srlt_ent srlt[TLS_SRLT];
            uint8_t hs[TLS_HS_BUF];
        } j;
        struct {                  /* the custom-flow columns' */
            tls_sum sum;
            uint8_t hs[TLS_COL_HS_BUF];
        } c;
    } u;
} tls_state;

/* the handshake buffer and its size */
#define HS(s) ((s)->cols ? (s)->u.c.hs : (s)->u.j.hs)
#define HS_CAP(s) ((s)->cols ? (uint32_t)TLS_COL_HS_BUF : (uint32_t)TLS_HS_BUF)

/* The handshake buffer and Joy's srlt are outside the state's clean part (tls_clean) and are
 * zeroed as far as they are used. Joy's buffer is zeroed whole, and its bytes past what was
 * captured are read as zeros (a record's uncaptured bytes, a certificate cut by the buffer's
 * end): hs_define zeroes the bytes below end not written yet, before they are read. Why: the
 * whole 11,000 bytes zeroed at a direction's first TLS packet were 5 % of `-f joy`'s CPU on the
 * dense capture (its memset and page faults), the srlt's 1.6 KB half of every Joy direction's
 * clean part (bench/README.md "libdeflate members"). */
static void hs_define(tls_state *s, uint32_t end)
{
    if (end > HS_CAP(s))
        end = HS_CAP(s);
    if (end > s->hs_def) {
        memset(HS(s) + s->hs_def, 0, end - s->hs_def);
        s->hs_def = (uint16_t)end;
    }
}

/* Where the handshake bytes read end: the buffer's, or for the columns its first byte that was
 * not captured. Joy reads those as zeros; the columns do not, so a hello or a certificate cut by
 * the capture's snaplen is read as cut (null lists, no JA3), not as one whose extensions or name
 * are zeros ("vcs-v\000\000...", tls_ext "0,0,0,..."). */
static uint32_t hs_end(const tls_state *s)
{
    return s->cols && s->hs_hole ? s->hs_hole - 1u : s->hs_len;
}

/* Joy's srlt entry i (< TLS_SRLT), zeroed at its first use; read only below op (put_srlt),
 * each of those written by tls_update */
static srlt_ent *srlt_at(tls_state *s, uint32_t i)
{
    if (i >= s->srlt_def) {
        memset(&s->u.j.srlt[s->srlt_def], 0, (i + 1 - s->srlt_def) * sizeof(srlt_ent));
        s->srlt_def = (uint8_t)(i + 1);
    }
    return &s->u.j.srlt[i];
}

static bool tls_enabled(const iof__feat_opts *o) { return o->tls; }

static bool end_of_handshake(uint8_t type)
{
    return type == IOF_TLS_CCS || type == IOF_TLS_ALERT || type == IOF_TLS_APPDATA;
}

/* Joy's tls_version_to_internal: 3.0 .. 3.4 -> 2 .. 6, the TLS 1.3 draft 0x7f12 -> 6, else 0. */
static uint8_t joy_version(uint8_t major, uint8_t minor)
{
    if (major == 3 && minor <= 4)
        return (uint8_t)(2 + minor);
    return major == 0x7f && minor == 0x12 ? 6 : 0;
}

/* Joy's check of a handshake type: 0..4, 11..16 and 20..23 are known; another ends the parse. */
static bool hs_type_known(uint8_t t)
{
    return !((t > 4 && t < 11) || (t > 16 && t < 20) || t > 23);
}

static uint16_t buf_off(const tls_state *s, const uint8_t *p) { return (uint16_t)(p - HS(s)); }

/* An extension block's count, Joy's way: every extension (ClientHello), or those before the
 * first longer than TLS_MAX_SRV_EXT_LEN (ServerHello). *len becomes the bytes they take. */
static uint16_t count_ext(iof__span blk, bool server, uint16_t *len)
{
    iof__rd r = rd_init(blk.p, blk.len);
    uint16_t type, n = 0;
    iof__span val;
    *len = 0;
    while (n < IOF_TLS_MAX_EXTENSIONS && iof__tls_next_ext(&r, &type, &val) == IOF_TLS_EXT_ONE) {
        if (server && val.len > TLS_MAX_SRV_EXT_LEN)
            break;
        n++;
        *len = (uint16_t)rd_pos(&r, blk.p);
    }
    return n;
}

/* OpenSSL's ASN1_INTEGER content of a serial: without DER's leading 0x00 of a positive value,
 * the magnitude of a negative one. *n 0: longer than Joy's MAX_CERT_SERIAL_LENGTH. */
static void serial_bytes(iof__span v, uint8_t out[TLS_MAX_SERIAL], size_t *n)
{
    bool neg = v.len && (v.p[0] & 0x80);
    size_t skip = !neg && v.len > 1 && v.p[0] == 0 ? 1 : 0;
    *n = v.len - skip;
    if (*n > TLS_MAX_SERIAL) {
        *n = 0;
        return;
    }
    memcpy(out, v.p + skip, *n);
    if (!neg)
        return;
    unsigned carry = 1;   /* two's complement: invert, add 1 */
    for (size_t i = *n; i-- > 0;) {
        unsigned x = (uint8_t)~out[i] + carry;
        out[i] = (uint8_t)x;
        carry = x >> 8;
    }
    if (*n > 1 && out[0] == 0)
        memmove(out, out + 1, --*n);
}

/* ---- custom-flow columns' summary (cols_only), filled while the buffer is parsed ---- */

/* Appends text cell id (t: n bytes of valid UTF-8) to the side's arena, cut between two of its
 * units when it does not fit (sum_cut) */
static void sum_text(tls_state *s, unsigned id, const char *t, size_t n)
{
    tls_sum *u = &s->u.c.sum;
    size_t room = sizeof(u->arena) - u->used;
    if (n > room) {
        n = iof__name_cut(t, n, room);
        s->sum_cut = true;
    }
    memcpy(u->arena + u->used, t, n);
    u->txt[id] = (span16){ u->used, (uint16_t)n };
    u->used = (uint16_t)(u->used + n);
}

/* A list of numbers as text ("1,2,3"; JA3's "1-2-3" with sep '-') into out (cap bytes); the
 * numbers that do not fit are left out (sum_cut) */
static size_t num_list(tls_state *s, const uint16_t *v, uint16_t n, char sep, char *out, size_t cap)
{
    size_t o = 0;
    for (uint16_t i = 0; i < n; i++) {
        if (o + 7 >= cap) {   /* a separator and 5 digits, and a byte to spare */
            s->sum_cut = true;
            break;
        }
        if (i)
            out[o++] = sep;
        int w = snprintf(out + o, cap - o, "%u", v[i]);
        o += w > 0 ? (size_t)w : 0;
    }
    return o;
}

/* RFC 8701's GREASE values (0x?a?a): left out of JA3 */
static bool grease(uint16_t v) { return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff); }

/* Appends v to list (n of cap kept; one more: sum_cut) */
static void keep(tls_state *s, uint16_t *list, uint16_t *n, uint16_t cap, uint16_t v)
{
    if (*n < cap)
        list[(*n)++] = v;
    else
        s->sum_cut = true;
}

/* The lists of a ClientHello's extensions: types, supported groups (10), EC point formats (11) */
static void sum_client_ext(tls_state *s, iof__span blk)
{
    tls_sum *u = &s->u.c.sum;
    iof__rd r = rd_init_opt(blk.p, blk.len);
    uint16_t type;
    iof__span val;
    for (unsigned k = 0; k < IOF_TLS_MAX_EXTENSIONS && iof__tls_next_ext(&r, &type, &val) == IOF_TLS_EXT_ONE; k++) {
        keep(s, u->ext, &u->next, TLS_COL_EXT, type);
        iof__rd v = rd_init(val.p, val.len);
        if (type == 10) {
            iof__rd l = rd_sub(&v, rd_be16(&v));
            while (!l.err && rd_left(&l) >= 2)
                keep(s, u->groups, &u->ngroups, TLS_COL_GROUPS, rd_be16(&l));
        } else if (type == 11) {
            iof__rd l = rd_sub(&v, rd_u8(&v));
            while (!l.err && rd_left(&l) && u->nformats < TLS_COL_FORMATS)
                u->formats[u->nformats++] = rd_u8(&l);
        }
    }
}

/* JA3's string: version,suites,extensions,groups,formats (GREASE left out) */
static void sum_ja3(tls_state *s)
{
    tls_sum *u = &s->u.c.sum;
    uint16_t tmp[TLS_COL_CS], n;
    char t[TLS_COL_ARENA / 2];
    size_t o = (size_t)snprintf(t, sizeof(t), "%u,", u->c_version);
    const uint16_t *lists[] = { u->cs, u->ext, u->groups };
    const uint16_t counts[] = { u->ncs, u->next, u->ngroups };
    for (int l = 0; l < 3; l++) {
        n = 0;
        for (uint16_t i = 0; i < counts[l]; i++)
            if (!grease(lists[l][i]))
                tmp[n++] = lists[l][i];
        o += num_list(s, tmp, n, '-', t + o, sizeof(t) - o);
        if (o < sizeof(t) - 1)
            t[o++] = ',';
    }
    for (uint16_t i = 0; i < u->nformats; i++)
        tmp[i] = u->formats[i];
    o += num_list(s, tmp, u->nformats, '-', t + o, sizeof(t) - o);
    sum_text(s, TXT_JA3, t, o);
}

static void sum_hello(tls_state *s, const iof__tls_hello *h, bool cut)
{
    tls_sum *u = &s->u.c.sum;
    char t[TLS_COL_ARENA / 2];
    if (h->type == IOF_TLS_SERVER_HELLO) {
        if (u->server)
            return;
        u->server = true;
        u->s_version = h->version;
        u->scs = h->suite;
        iof__span blk = h->extensions.p ? h->extensions : h->ext_cut;   /* a cut one: as far as captured */
        iof__rd r = rd_init_opt(blk.p, blk.len);
        uint16_t type;
        iof__span val;
        bool chosen = false;
        for (unsigned k = 0; k < IOF_TLS_MAX_EXTENSIONS && iof__tls_next_ext(&r, &type, &val) == IOF_TLS_EXT_ONE; k++)
            if (type == 43 && val.len == 2) {   /* supported_versions: the version chosen (TLS 1.3) */
                u->s_version = (uint16_t)(val.p[0] << 8 | val.p[1]);
                chosen = true;
            }
        if (cut && !chosen) {
            /* the extension that names a TLS 1.3 server's version may lie past the cut (it
             * was not among the extensions whole before it): its legacy_version (771 for every
             * TLS 1.3 server) would pass for TLS 1.2 */
            u->s_version_cut = true;
            s->sum_cut = true;
        }
        return;
    }
    if (u->client)
        return;
    u->client = true;
    u->c_version = h->version;
    iof__rd r = rd_init_opt(h->suites.p, h->suites.len);
    while (rd_left(&r) >= 2)
        keep(s, u->cs, &u->ncs, TLS_COL_CS, rd_be16(&r));
    if (cut) {
        /* the hello's end is past the buffer (a post-quantum key share, a long padding): its
         * extensions are partly or not at all in it, so a JA3 or a list made of what is there
         * would pass for another client's; they stay null, and the record counts as cut */
        u->hello_cut = true;
        s->sum_cut = true;
    } else {
        sum_client_ext(s, h->extensions);
    }
    if (h->sni.p) {
        size_t o = 0;
        if (!iof__name_escape(h->sni.p, h->sni.len, 0, t, sizeof(t), &o))
            s->sum_cut = true;   /* a name whose escaped text passes 1 KB: its start */
        t[o] = '\0';
        const char *name = iof__name_anon(t, s->anon);   /* a local address literal (attrib.h) */
        sum_text(s, TXT_SNI, name, name == t ? o : strlen(name));
    }
    sum_text(s, TXT_CS, t, num_list(s, u->cs, u->ncs, ',', t, sizeof(t)));
    if (u->hello_cut)
        return;
    sum_text(s, TXT_EXT, t, num_list(s, u->ext, u->next, ',', t, sizeof(t)));
    sum_text(s, TXT_GROUPS, t, num_list(s, u->groups, u->ngroups, ',', t, sizeof(t)));
    uint16_t f[TLS_COL_FORMATS];
    for (uint16_t i = 0; i < u->nformats; i++)
        f[i] = u->formats[i];
    sum_text(s, TXT_FORMATS, t, num_list(s, f, u->nformats, ',', t, sizeof(t)));
    sum_ja3(s);
}

/* "C=US, O=Org, CN=name": a name's entries in order, OpenSSL's short names where we know them
 * (else the long name or dotted OID), values escaped as names are (common/nametext.h) */
static void sum_name(tls_state *s, unsigned id, iof__span name)
{
    static const struct { const char *ln, *sn; } shortn[] = {
        { "commonName", "CN" }, { "countryName", "C" }, { "localityName", "L" },
        { "stateOrProvinceName", "ST" }, { "organizationName", "O" }, { "organizationalUnitName", "OU" },
        { "domainComponent", "DC" }, { "streetAddress", "street" },
    };
    char t[TLS_COL_ARENA / 2];
    size_t o = 0;
    iof__x509_names w = iof__x509_names_open(name);
    iof__x509_attr a;
    for (unsigned i = 0; iof__x509_next_attr(&w, &a); i++) {
        char label[IOF_X509_OID_TEXT];
        size_t n = iof__x509_oid_label(a.oid, label, sizeof(label));
        for (size_t k = 0; k < sizeof(shortn) / sizeof(shortn[0]); k++)
            if (strcmp(label, shortn[k].ln) == 0)
                n = (size_t)snprintf(label, sizeof(label), "%s", shortn[k].sn);
        if (o + n + 4 >= sizeof(t)) {
            s->sum_cut = true;
            break;
        }
        if (i) {
            memcpy(t + o, ", ", 2);
            o += 2;
        }
        memcpy(t + o, label, n);
        o += n;
        t[o++] = '=';
        if (!iof__name_escape(a.val.p, a.val.len, 0, t, sizeof(t), &o)) {
            s->sum_cut = true;
            break;
        }
    }
    sum_text(s, id, t, o);
}

/* The first certificate of the side's Certificate message (the server's own) */
static void sum_cert(tls_state *s, cert_ent ce)
{
    tls_sum *u = &s->u.c.sum;
    iof__x509 c;
    uint32_t have = hs_end(s) > ce.off ? hs_end(s) - ce.off : 0;
    if (iof__x509_parse(HS(s) + ce.off, ce.len < have ? ce.len : have, &c) == IOF_PROTO_MALFORMED || !c.subject.p)
        return;   /* cut before its subject: nothing worth a column */
    u->has_cert = true;
    sum_name(s, TXT_SUBJECT, c.subject);
    sum_name(s, TXT_ISSUER, c.issuer);
    char t[IOF_X509_TIME_TEXT * 2];
    uint8_t ser[TLS_MAX_SERIAL];
    size_t n;
    serial_bytes(c.serial, ser, &n);
    sum_text(s, TXT_SERIAL, t, iof__hex_encode(t, ser, n));
    sum_text(s, TXT_NOT_BEFORE, t, iof__x509_time_iso(c.nb_tag, c.not_before, t));
    sum_text(s, TXT_NOT_AFTER, t, iof__x509_time_iso(c.na_tag, c.not_after, t));
    u->key_bits = (uint16_t)iof__x509_key_bits(&c);
    if (c.key_alg.p)
        sum_text(s, TXT_KEY_ALGO, t, iof__x509_oid_label(c.key_alg, t, sizeof(t)));
    if (c.sig_alg.p)
        sum_text(s, TXT_SIG_ALGO, t, iof__x509_oid_label(c.sig_alg, t, sizeof(t)));
}

/* A hello whose handshake header is at off - 4, its body at off (avail buffer bytes from off).
 * Joy keeps the first random / session id / suites of either hello (while none are kept), the
 * first non-empty extension list of each kind and the server name of the ClientHello whose
 * extensions it keeps. */
static void take_hello(tls_state *s, uint32_t off, uint32_t body, uint32_t avail)
{
    iof__tls_hello h;
    uint32_t n = body < avail ? body : avail;
    (void)iof__tls_hello_parse(HS(s) + off - TLS_HS_HDR, TLS_HS_HDR + n, &h);
    if (s->cols)
        sum_hello(s, &h, body > avail);
    bool server = h.type == IOF_TLS_SERVER_HELLO;
    s->role = server ? ROLE_SERVER : ROLE_CLIENT;
    if (!s->ncs) {
        if (h.random.p)
            memcpy(s->random, h.random.p, TLS_RANDOM);
        if (h.sid.p && h.sid.len) {   /* Joy keeps an earlier one over an empty one */
            s->sid_len = (uint8_t)h.sid.len;
            s->sid_off = buf_off(s, h.sid.p);
        }
        if (server && h.sid.p && (size_t)(h.sid.p + h.sid.len + 2 - (HS(s) + off)) <= n) {
            s->cs_off = (uint16_t)(buf_off(s, h.sid.p) + h.sid.len);
            s->ncs = 1;
        } else if (!server && h.suites.p) {
            size_t k = h.suites.len / 2;
            s->cs_off = buf_off(s, h.suites.p);
            s->ncs = (uint16_t)(k > TLS_MAX_CS ? TLS_MAX_CS : k);
        }
    }
    uint16_t *next = server ? &s->next_s : &s->next_c;
    if (*next || !h.extensions.p)
        return;
    span16 *e = server ? &s->ext_s : &s->ext_c;
    *next = count_ext(h.extensions, server, &e->len);
    e->off = buf_off(s, h.extensions.p);
    if (!server && *next && h.sni.p) {
        s->has_sni = true;
        s->sni = (span16){ buf_off(s, h.sni.p), (uint16_t)h.sni.len };
    }
}

/* Joy's tls_certificate_parse over a Certificate message whose body is at off: its 16-bit
 * total and certificate lengths (the low bytes of the 24-bit fields), each certificate noted
 * (offset, length) while the total is not used up, at most TLS_MAX_CERTS. Joy reads past its
 * buffer where a certificate runs beyond it; here the walk stops there (cert_cut). */
static void take_certs(tls_state *s, uint32_t off, uint32_t body)
{
    iof__rd r = rd_init(HS(s) + off, (s->cols ? hs_end(s) : HS_CAP(s)) - off);
    hs_define(s, off + 3); /* the walk may read past hs_len: zeros there, as Joy's (not the
                              columns': past hs_end, r.err) */
    rd_skip(&r, 1);
    uint16_t total = rd_be16(&r);
    if (r.err && s->cols)
        s->cert_cut = true;   /* the message's start was not captured */
    if (r.err || total > body)
        return;   /* Joy: the certificates claim more than the message */
    for (uint16_t rem = total; rem > 0 && rem <= total;) {
        if (s->ncert >= TLS_MAX_CERTS) {
            s->cert_cut = true;   /* Joy: "cannot hold anymore certificates" */
            return;
        }
        hs_define(s, (uint32_t)rd_pos(&r, HS(s)) + 3);
        rd_skip(&r, 1);
        uint16_t len = rd_be16(&r);
        if (r.err) {
            s->cert_cut = true;
            return;
        }
        if (len == 0 || len > rem)
            return;   /* Joy: an empty certificate, or longer than the rest */
        uint32_t at = (uint32_t)rd_pos(&r, HS(s));
        hs_define(s, at + len); /* put_cert parses it to the buffer's end */
        s->cert[s->ncert++] = (cert_ent){ (uint16_t)at, len };
        if (s->cols) {
            s->u.c.sum.ncerts = s->ncert;
            if (s->ncert == 1)
                sum_cert(s, s->cert[0]);
        }
        if (at + len > hs_end(s))
            s->cert_cut = true;   /* its end is not in the buffer (or was not captured) */
        rem = (uint16_t)(rem - 3);
        rem = (uint16_t)(rem - len);   /* uint16_t as Joy's: a wrap ends the walk */
        rd_skip(&r, len);
    }
}

/* One handshake message of the buffer; false ends the parse (Joy returns). */
static bool take_message(tls_state *s, uint8_t type, uint32_t off, uint32_t body, uint32_t avail)
{
    if (type == IOF_TLS_CLIENT_HELLO || type == IOF_TLS_SERVER_HELLO) {
        if (!s->version) {
            iof__rd r = rd_init(HS(s) + off, avail);
            uint8_t major = rd_u8(&r), minor = rd_u8(&r);
            uint8_t v = r.err ? 0 : joy_version(major, minor);
            if (!v)
                return false;
            s->version = v;
        }
        take_hello(s, off, body, avail);
    } else if (type == 16 && !s->cke_bits) {   /* ClientKeyExchange: its whole body, once */
        if (body * 8u <= TLS_MAX_CKE_BITS && body) {
            s->cke_bits = (uint16_t)(body * 8u);
            s->cke = (span16){ (uint16_t)off, (uint16_t)body };
            hs_define(s, off + body); /* put_hex writes it to the buffer's end */
        }
    } else if (type == TLS_HS_CERTIFICATE) {
        take_certs(s, off, body);
    }
    return true;
}

/* Joy's tls_handshake_buffer_parse, on the bytes kept (pos + left == hs_len throughout). */
static void hs_parse(tls_state *s)
{
    int32_t left = (int32_t)hs_end(s);
    uint32_t pos = 0, msg = 0;
    while (left > 0) {
        iof__rd r = rd_init(HS(s) + pos, (size_t)left);
        uint8_t ctype = rd_u8(&r);
        rd_skip(&r, 2);
        int32_t rlen = rd_be16(&r);
        if (r.err || (rlen > left && !s->cols))
            return;   /* Joy: no room for a header / "corrupt buffer data" (the columns' buffer
                         keeps the start of a record it cannot hold: its messages are read as
                         far as they go) */
        if (s->cols && !end_of_handshake(ctype) && ctype != IOF_TLS_HANDSHAKE)
            return;   /* the columns': not a TLS record (a record that began mid-stream: its first
                         bytes were the rest of an encrypted one), not read as a hello */
        if (end_of_handshake(ctype)) {
            pos += (uint32_t)rlen + TLS_REC_HDR;
            left -= rlen + TLS_REC_HDR;
            msg++;
            continue;
        }
        pos += TLS_REC_HDR;
        left -= TLS_REC_HDR;
        if (left <= 0)
            return;
        for (int32_t rem = rlen; rem > 0;) {
            if (left <= 0)
                return;   /* (cols: a message ran past the buffer) */
            iof__rd m = rd_init(HS(s) + pos, (size_t)left);
            uint8_t type = rd_u8(&m);
            uint32_t hi = rd_u8(&m);
            uint32_t body = hi << 16 | rd_be16(&m);
            if (m.err || !hs_type_known(type) || body > (uint32_t)rem)
                return;
            pos += TLS_HS_HDR;
            left -= TLS_HS_HDR;
            if (left <= 0 || !take_message(s, type, pos, body, (uint32_t)left))
                return;
            srlt_ent *e = !s->cols && msg < TLS_SRLT ? srlt_at(s, msg) : NULL;
            if (e && e->nhs < TLS_HS_PER_REC) {
                e->hs_t[e->nhs] = type;
                e->hs_l[e->nhs] = (uint16_t)body;
                e->nhs++;
            }
            pos += body;
            left -= (int32_t)body;
            rem -= (int32_t)body + TLS_HS_HDR;
        }
        msg++;
    }
}

/* The data byte at i (0 past the captured data: Joy reads whatever follows). */
static uint8_t byte_at(const iof__feat_pkt *fp, uint32_t i)
{
    iof__rd r = rd_init(fp->data, fp->data ? fp->len : 0);
    rd_skip(&r, i);
    uint8_t v = rd_u8(&r);
    return r.err ? 0 : v;
}

/* Custom flows (no application identified, unlike Joy's app 443): a side on another port than
 * 443 (8443, MQTT's 8883...) is taken when its first data packet starts a handshake record with
 * a ClientHello / ServerHello; a side whose first data packet does not is left alone. */
static bool hello_start(tls_state *s, const iof__feat_pkt *fp)
{
    if (s->seen || s->not_tls || !fp->len)
        return s->seen;
    iof__tls_record rec;
    uint8_t type = byte_at(fp, IOF_TLS_RECORD_HDR);
    bool hello = iof__tls_record_hdr(fp->data, fp->len, &rec) == IOF_PROTO_OK && rec.type == IOF_TLS_HANDSHAKE &&
                 (type == IOF_TLS_CLIENT_HELLO || type == IOF_TLS_SERVER_HELLO);
    s->not_tls = !hello;
    return hello;
}

/* Off the TLS port without Joy's TLS keyword; for the columns (which also take a handshake on
 * another port, hello_start) a packet without data there (hello_start answers s->seen, which
 * stays, and len is 0): decided without reading the state (feature.h) */
/* the packet is TLS by its application or its port (else only a custom-flow record's hello
 * start makes it so) */
static bool tls_by_port(const iof__feat_pkt *fp)
{
    return fp->app_tls || fp->key_sp == TLS_PORT || fp->key_dp == TLS_PORT;
}

static bool tls_idle(const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    bool tls = tls_by_port(fp);
    return o->cols_only ? !tls && !fp->len && !fp->wire_len : !tls;
}

static void tls_update(void *st, const iof__feat_pkt *fp, const iof__feat_opts *o)
{
    tls_state *s = st;
    if (tls_idle(fp, o))
        return;
    if (!(tls_by_port(fp) || (o->cols_only && hello_start(s, fp))))
        return;
    s->seen = true;
    uint32_t len = fp->wire_len;
    if (len == 0)
        return;
    s->cols = o->cols_only;
    s->anon = o->anonymise;
    if (s->cols && fp->tcp && fp->pkt) {
        /* custom flows follow no sequence numbers: the columns' buffer does. A retransmission
         * (or an overlap) brings nothing new and is not appended again; a segment that does not
         * follow the last one means bytes are missing: the buffer's bytes end there (hs_end), so
         * what follows is not read as the handshake's next bytes */
        uint32_t seq = fp->pkt->tcp_seq;
        if (s->seq_set) {
            int32_t d = (int32_t)(seq - s->next_seq);
            if (d < 0)
                return;
            if (d > 0 && !s->hs_hole && !s->done)
                s->hs_hole = (uint16_t)(s->hs_len + 1u);
        }
        s->seq_set = true;
        s->next_seq = seq + len;
    }
    if (!s->done && !end_of_handshake(byte_at(fp, 0))) {
        uint32_t room = HS_CAP(s) - s->hs_len, take = len;
        if (len >= room) {
            if (s->hs_refused < UINT8_MAX)
                s->hs_refused++;
            if (!s->cols)
                return;   /* Joy: "not enough space for handshake data" ends the packet */
            take = room;   /* the columns' buffer: what fits */
        }
        /* the captured bytes, then zeros for the uncaptured rest */
        uint32_t have = fp->data ? fp->len : 0;   /* fp->len <= len */
        have = have < take ? have : take;
        iof__rd r = rd_init(fp->data, have);
        rd_copy(&r, HS(s) + s->hs_len, have);
        if (have < take && !s->hs_hole)
            s->hs_hole = (uint16_t)(s->hs_len + have + 1u);
        if (s->hs_def < s->hs_len + have)
            s->hs_def = (uint16_t)(s->hs_len + have);
        hs_define(s, s->hs_len + take);
        s->hs_len = (uint16_t)(s->hs_len + take);
    }
    int64_t rem = len;
    uint32_t pos = 0;
    if (s->seg_offset) {
        if (s->seg_offset > len) {
            s->seg_offset = (uint16_t)(s->seg_offset - len);
            return;
        }
        pos = s->seg_offset;
        rem -= s->seg_offset;
        s->seg_offset = 0;
    }
    while (rem > 0) {
        uint8_t type = byte_at(fp, pos);
        uint32_t mlen = (uint32_t)byte_at(fp, pos + 3) << 8 | byte_at(fp, pos + 4);
        if (mlen > (uint64_t)rem)   /* Joy's test (not mlen + 5): a record split over segments */
            s->seg_offset = (uint16_t)(mlen - ((uint32_t)rem - TLS_REC_HDR));
        if (!s->done && s->hs_len && end_of_handshake(type)) {
            hs_parse(s);
            s->done = true;
            if (!s->version) {
                s->version = joy_version(byte_at(fp, pos + 1), byte_at(fp, pos + 2));
                if (!s->version)
                    return;
            }
        }
        if (!s->cols && s->op < TLS_SRLT) {
            srlt_ent *e = srlt_at(s, s->op);
            e->tp = type;
            e->len = (uint16_t)mlen;
            e->us = fp->ts_us;
        }
        s->op = (uint16_t)(s->op + 1);   /* Joy's uint16_t: wraps */
        rem -= (int64_t)mlen + TLS_REC_HDR;
        pos += mlen + TLS_REC_HDR;
    }
}

/* The columns (cols_only) at the record's end: a handshake whose ChangeCipherSpec (or Alert,
 * ApplicationData) never came in the record — the capture or the record's window ended first,
 * the server never answered — is read from what the buffer holds, as the CCS would have (a hello
 * cut short is read as one: hello_cut). Joy reads it only at that record (its flows: nothing). */
static void tls_finish(void *st, const iof__feat_opts *o)
{
    tls_state *s = st;
    if (!o->cols_only || s->done || !s->hs_len)
        return;
    hs_parse(s);
    s->done = true;
}

/* Joy's zprintf_raw_as_hex_tls: "" for more than TLS_MAX_HEX bytes. Bytes past the buffer
 * (a ClientKeyExchange Joy copied from past its buffer) are written as 00. */
static void put_hex(iof__tbuf *b, const char *key, const tls_state *s, span16 sp)
{
    iof__tb_puts(b, ",\"");
    iof__tb_puts(b, key);
    iof__tb_puts(b, "\":\"");
    if (sp.len <= TLS_MAX_HEX) {
        size_t have = sp.off < TLS_HS_BUF ? TLS_HS_BUF - sp.off : 0;
        size_t n = sp.len < have ? sp.len : have;
        iof__tb_hex(b, HS(s) + sp.off, n);
        for (size_t i = n; i < sp.len; i++)
            iof__tb_puts(b, "00");
    }
    iof__tb_putc(b, '"');
}

static void put_random(iof__tbuf *b, const char *key, const tls_state *s)
{
    iof__feat_put_hex(b, key, s->random, TLS_RANDOM);
}

static void put_cs(iof__tbuf *b, const tls_state *s, bool list)
{
    iof__rd r = rd_init(HS(s) + s->cs_off, (size_t)s->ncs * 2);
    iof__tb_puts(b, list ? ",\"cs\":[" : ",\"scs\":");
    for (uint16_t i = 0; i < s->ncs; i++) {
        static const char hx[] = "0123456789abcdef";
        uint16_t v = rd_be16(&r);
        char t[7] = { '"', hx[v >> 12], hx[v >> 8 & 15], hx[v >> 4 & 15], hx[v & 15], '"', ',' };
        iof__tb_put(b, t, i + 1u < s->ncs ? 7 : 6);
    }
    if (list)
        iof__tb_putc(b, ']');
}

/* Joy's names of extension types 0..25, 35 and 65281 (IANA's, without spaces). */
static const char *ext_name(uint16_t t)
{
    static const char *const low[] = {
        "server_name", "max_fragment_length", "client_certificate_url", "trusted_ca_keys",
        "truncated_hmac", "status_request", "user_mapping", "client_authz", "server_authz",
        "cert_type", "supported_groups", "ec_point_formats", "srp", "signature_algorithms",
        "use_srtp", "heartbeat", "application_layer_protocol_negotiation", "status_request_v2",
        "signed_certificate_timestamp", "client_certificate_type", "server_certificate_type",
        "padding", "encrypt_then_mac", "extended_master_secret", "token_binding", "cached_info",
    };
    if (t < sizeof(low) / sizeof(low[0]))
        return low[t];
    return t == 35 ? "session_ticket" : t == 65281 ? "renegotiation_info" : NULL;
}

static void put_ext(iof__tbuf *b, const tls_state *s, bool server)
{
    span16 e = server ? s->ext_s : s->ext_c;
    uint16_t n = server ? s->next_s : s->next_c;
    iof__rd r = rd_init(HS(s) + e.off, e.len);
    iof__tb_puts(b, server ? ",\"s_extensions\":[" : ",\"c_extensions\":[");
    for (uint16_t i = 0; i < n; i++) {
        uint16_t type;
        iof__span val = { NULL, 0 };
        (void)iof__tls_next_ext(&r, &type, &val);
        const char *name = ext_name(type);
        if (i)
            iof__tb_putc(b, ',');
        iof__tb_puts(b, "{\"");
        if (name) {
            iof__tb_puts(b, name);
            iof__tb_puts(b, "\":");
        } else {
            iof__tb_puts(b, "kind\":");
            iof__tb_int(b, type);
            iof__tb_puts(b, ",\"data\":");
        }
        iof__tb_putc(b, '"');
        if (val.len <= TLS_MAX_HEX)
            iof__tb_hex(b, val.p, val.len);
        iof__tb_puts(b, "\"}");
    }
    iof__tb_putc(b, ']');
}

/* Joy prints the name with %s (up to a zero byte, unescaped); here as a JSON string. */
static void put_sni(iof__tbuf *b, const tls_state *s)
{
    const uint8_t *p = HS(s) + s->sni.off;
    const uint8_t *z = memchr(p, 0, s->sni.len);
    iof__tb_puts(b, ",\"sni\":[");
    iof__tb_json_str(b, p, z ? (size_t)(z - p) : s->sni.len);
    iof__tb_putc(b, ']');
}

/* key (its opening bracket included), then n values and ']' */
static void put_list(iof__tbuf *b, const char *key, const uint16_t *v, uint8_t n)
{
    iof__tb_puts(b, key);
    for (uint8_t i = 0; i < n; i++) {
        if (i)
            iof__tb_putc(b, ',');
        iof__tb_int(b, v[i]);
    }
    iof__tb_putc(b, ']');
}

static void put_srlt_ent(iof__tbuf *b, const srlt_ent *e, const char *dir, uint32_t ipt)
{
    iof__tb_puts(b, "{\"b\":");
    iof__tb_int(b, e->len);
    iof__tb_puts(b, ",\"dir\":\"");
    iof__tb_puts(b, dir);
    iof__tb_puts(b, "\",\"ipt\":");
    iof__tb_int(b, ipt);
    iof__tb_puts(b, ",\"tp\":");
    iof__tb_int(b, e->tp);
    if (e->nhs) {
        uint16_t types[TLS_HS_PER_REC];
        for (uint8_t i = 0; i < e->nhs; i++)
            types[i] = e->hs_t[i];
        put_list(b, ",\"hs_types\":[", types, e->nhs);
        put_list(b, ",\"hs_lens\":[", e->hs_l, e->nhs);
    }
    iof__tb_putc(b, '}');
}

/* Joy's len_time_print_interleaved_tls. Its markers: the record's (out) entries are ">" in a
 * pair and "<" alone, the twin's "<". A pair starts from the earlier first time, a twin with
 * no record counting as time 0 (Joy's zeroed array: ipt is then the epoch in ms, wrapped). */
static void put_srlt(iof__tbuf *b, const tls_state *so, const tls_state *si)
{
    uint32_t imax = so->op < TLS_SRLT ? so->op : TLS_SRLT;
    uint32_t jmax = si ? (si->op < TLS_SRLT ? si->op : TLS_SRLT) : 0;
    iof__tb_puts(b, ",\"srlt\":[");
    if (!si) {
        for (uint32_t i = 0; i < imax; i++) {
            if (i)
                iof__tb_putc(b, ',');
            put_srlt_ent(b, &so->u.j.srlt[i], "<",
                         i ? iof__joy_ms(so->u.j.srlt[i].us - so->u.j.srlt[i - 1].us) : 0);
        }
        iof__tb_putc(b, ']');
        return;
    }
    int64_t t2 = si->op ? si->u.j.srlt[0].us : 0;   /* Joy's times2[0] (zero when never set) */
    int64_t last = so->u.j.srlt[0].us < t2 ? so->u.j.srlt[0].us : t2;
    uint32_t i = 0, j = 0;
    while (i < imax || j < jmax) {
        bool mine = j >= jmax || (i < imax && so->u.j.srlt[i].us < si->u.j.srlt[j].us);
        const srlt_ent *e = mine ? &so->u.j.srlt[i++] : &si->u.j.srlt[j++];
        put_srlt_ent(b, e, mine ? ">" : "<", iof__joy_ms(e->us - last));
        last = e->us;
        if (i < imax || j < jmax)
            iof__tb_putc(b, ',');
    }
    iof__tb_putc(b, ']');
}

/* Joy's joy_utils_convert_to_json_string on n bytes, quoted: up to a zero byte, a byte outside
 * 0x20..0x7e or one of \\ / " as '.' */
static void put_joy_text(iof__tbuf *b, const char *p, size_t n)
{
    iof__tb_putc(b, '"');
    for (size_t i = 0; i < n && p[i]; i++) {
        char c = p[i];
        iof__tb_putc(b, c < 0x20 || c > 0x7e || c == '\\' || c == '/' || c == '"' ? '.' : c);
    }
    iof__tb_putc(b, '"');
}

/* {"label":"text"} of an OID (OpenSSL's long name or dotted form, cut to 31 bytes) */
static void put_item(iof__tbuf *b, iof__span oid, const char *text, size_t n)
{
    char id[TLS_OSSL_STR];
    iof__tb_puts(b, "{\"");
    iof__tb_put(b, id, iof__x509_oid_label(oid, id, sizeof(id)));
    iof__tb_puts(b, "\":");
    put_joy_text(b, text, n);
    iof__tb_putc(b, '}');
}

/* a name's first TLS_MAX_RDN entries (Joy's issuer / subject lists) */
static void put_name(iof__tbuf *b, const char *key, iof__span name)
{
    iof__x509_names w = iof__x509_names_open(name);
    iof__x509_attr a;
    unsigned i = 0;
    for (; i < TLS_MAX_RDN && iof__x509_next_attr(&w, &a); i++) {
        iof__tb_puts(b, i ? "," : key);
        put_item(b, a.oid, (const char *)a.val.p, a.val.len);
    }
    if (i)
        iof__tb_putc(b, ']');
}

/* Joy's tls_certificate_print_json (what OpenSSL read of the certificate: nothing but its
 * length when d2i_X509 would fail) */
static void put_cert(iof__tbuf *b, const tls_state *s, cert_ent ce)
{
    iof__tb_puts(b, "{\"length\":");
    iof__tb_int(b, ce.len);
    iof__x509 c;
    uint32_t have = HS_CAP(s) - ce.off;
    if (iof__x509_parse(HS(s) + ce.off, ce.len < have ? ce.len : have, &c) != IOF_PROTO_OK) {
        iof__tb_putc(b, '}');
        return;
    }
    uint8_t ser[TLS_MAX_SERIAL];
    size_t nser;
    serial_bytes(c.serial, ser, &nser);
    if (nser)
        iof__feat_put_hex(b, "serial_number", ser, nser);
    if (c.signature.len <= TLS_MAX_SIG) {
        char algo[TLS_OSSL_STR];
        size_t n = iof__x509_oid_label(c.sig_alg, algo, sizeof(algo));
        iof__feat_put_hex(b, "signature", c.signature.p, c.signature.len);
        iof__tb_puts(b, ",\"signature_algo\":");
        put_joy_text(b, algo, n);
        if (c.signature.len) {
            iof__tb_puts(b, ",\"signature_key_size\":");
            iof__tb_int(b, (int64_t)c.signature.len * 8);
        }
    }
    put_name(b, ",\"issuer\":[", c.issuer);
    put_name(b, ",\"subject\":[", c.subject);
    iof__rd er = rd_init_opt(c.extensions.p, c.extensions.len);
    iof__x509_ext e;
    char text[TLS_EXT_TEXT];
    unsigned i = 0;
    for (; i < TLS_MAX_CERT_EXT && iof__x509_next_ext(&er, &e); i++) {
        iof__tb_puts(b, i ? "," : ",\"extensions\":[");
        size_t n = iof__x509_ext_text(&e, text, sizeof(text));
        put_item(b, e.oid, text, n < sizeof(text) ? n : sizeof(text) - 1);
    }
    if (i)
        iof__tb_putc(b, ']');
    char t[IOF_X509_TIME_TEXT];
    iof__tb_puts(b, ",\"validity_not_before\":");
    put_joy_text(b, t, iof__x509_time_text(c.nb_tag, c.not_before, t));
    iof__tb_puts(b, ",\"validity_not_after\":");
    put_joy_text(b, t, iof__x509_time_text(c.na_tag, c.not_after, t));
    uint32_t bits = iof__x509_key_bits(&c);
    if (bits) {
        char algo[TLS_OSSL_STR];
        iof__tb_puts(b, ",\"subject_public_key_algo\":");
        put_joy_text(b, algo, iof__x509_oid_label(c.key_alg, algo, sizeof(algo)));
        iof__tb_puts(b, ",\"subject_public_key_size\":");
        iof__tb_int(b, bits);
    }
    iof__tb_putc(b, '}');
}

static void put_certs(iof__tbuf *b, const char *key, const tls_state *s)
{
    if (!s || !s->ncert)
        return;
    iof__tb_puts(b, key);
    for (uint8_t i = 0; i < s->ncert; i++) {
        if (i)
            iof__tb_putc(b, ',');
        put_cert(b, s, s->cert[i]);
    }
    iof__tb_putc(b, ']');
}

static void put_version(iof__tbuf *b, const char *key, uint8_t v)
{
    iof__tb_puts(b, key);
    iof__tb_int(b, v);
}

/* The two sides tls_print_json(out, twin) looks at (*si NULL: a one-way flow, or a twin that never
 * passed the filter, for which Joy passes NULL), and whether it writes a tls object at all. */
static bool tls_sides(const void *out, const void *in, const tls_state **so, const tls_state **si)
{
    *so = out;
    *si = in && ((const tls_state *)in)->seen ? in : NULL;
    if ((*so)->cols || (*si && (*si)->cols))
        return false;   /* cols_only: the columns' state, no srlt (no Joy object) */
    return (*so)->seen && (*so)->version && (!*si || (*si)->version);
}

/* Joy's tls_print_json(out, twin). */
static void tls_json(iof__tbuf *b, const void *out, const void *in, const iof__feat_opts *o)
{
    (void)o;
    const tls_state *so, *si;
    if (!tls_sides(out, in, &so, &si))
        return;
    iof__tb_puts(b, ",\"tls\":{");
    if (so->role == ROLE_NONE) {
        iof__tb_puts(b, "\"error\":\"no role\"}");
        return;
    }
    bool client = so->role == ROLE_CLIENT;
    /* both versions are the out side's: Joy prints data->version for its twin too */
    put_version(b, client ? "\"c_version\":" : "\"s_version\":", so->version);
    if (si) {
        if (si->role == so->role) {
            iof__tb_puts(b, client ? ",\"error\":\"twin clients\"}" : ",\"error\":\"twin servers\"}");
            return;
        }
        put_version(b, client ? ",\"s_version\":" : ",\"c_version\":", so->version);
    }
    const tls_state *k = so->cke_bits ? so : si && si->cke_bits ? si : NULL;
    if (k) {
        iof__tb_puts(b, ",\"c_key_length\":");
        iof__tb_int(b, k->cke_bits);
        put_hex(b, "c_key_exchange", k, k->cke);
    }
    put_random(b, client ? "c_random" : "s_random", so);
    if (si)
        put_random(b, client ? "s_random" : "c_random", si);
    if (so->sid_len) {
        put_hex(b, client ? "c_sid" : "s_sid", so, (span16){ so->sid_off, so->sid_len });
        if (si && si->sid_len)
            put_hex(b, client ? "s_sid" : "c_sid", si, (span16){ si->sid_off, si->sid_len });
    }
    if (so->has_sni)
        put_sni(b, so);
    else if (si && si->has_sni)
        put_sni(b, si);
    const tls_state *srv = client ? si : so, *cli = client ? so : si;
    if (srv && srv->ncs == 1)
        put_cs(b, srv, false);
    if (cli && cli->ncs)
        put_cs(b, cli, true);
    if (so->next_c && client)
        put_ext(b, so, false);
    else if (si && si->next_c && si->role == ROLE_CLIENT)
        put_ext(b, si, false);
    if (so->next_s && !client)
        put_ext(b, so, true);
    else if (si && si->next_s && si->role == ROLE_SERVER)
        put_ext(b, si, true);
    put_certs(b, client ? ",\"c_cert\":[" : ",\"s_cert\":[", so);
    put_certs(b, client ? ",\"s_cert\":[" : ",\"c_cert\":[", si);
    if (so->op)
        put_srlt(b, so, si);
    iof__tb_putc(b, '}');
}

/* whether an extension text of s's certificates (as put_cert writes them) passes TLS_EXT_TEXT */
static bool ext_text_cut(const tls_state *s)
{
    for (uint8_t i = 0; s && i < s->ncert; i++) {
        iof__x509 c;
        uint32_t have = HS_CAP(s) - s->cert[i].off;
        uint32_t n = s->cert[i].len < have ? s->cert[i].len : have;
        if (iof__x509_parse(HS(s) + s->cert[i].off, n, &c) != IOF_PROTO_OK)
            continue;
        iof__rd er = rd_init_opt(c.extensions.p, c.extensions.len);
        iof__x509_ext e;
        for (unsigned k = 0; k < TLS_MAX_CERT_EXT && iof__x509_next_ext(&er, &e); k++)
            if (iof__x509_ext_text(&e, NULL, 0) >= TLS_EXT_TEXT)
                return true;
    }
    return false;
}

/* a flow whose tls object is written (tls_json's test) lacks a handshake packet the full buffer
 * refused (Joy refuses it too, silently), a certificate (past Joy's 4, or cut by the buffer's
 * end) or the end of an extension's text (past TLS_EXT_TEXT); a flow without the object (QUIC
 * on UDP 443: no version ever) is not counted. On custom flows (cols_only): a side whose
 * buffer, lists or texts lost something. */
static bool tls_cut(const void *out, const void *in)
{
    const tls_state *so = out, *si = in;
    if (so->cols || (si && si->cols))
        return so->hs_refused || so->sum_cut || so->cert_cut ||
               (si && (si->hs_refused || si->sum_cut || si->cert_cut));
    if (!tls_sides(out, in, &so, &si))
        return false;
    return so->hs_refused || so->cert_cut || (si && (si->hs_refused || si->cert_cut)) || ext_text_cut(so) ||
           ext_text_cut(si);
}

static size_t tls_size(const iof__feat_opts *o)
{
    return o->cols_only ? offsetof(tls_state, u) + sizeof(((tls_state *)0)->u.c) : sizeof(tls_state);
}

/* The handshake buffer (4 KB, Joy's 11,000 bytes) and Joy's srlt are left out of the clean
 * part: they are zeroed as far as they are used (hs_define, srlt_at). The summary's lists and
 * texts are read only below their counts and spans. */
static size_t tls_clean(const iof__feat_opts *o)
{
    return o->cols_only ? offsetof(tls_state, u.c.sum.cs) : offsetof(tls_state, u);
}

/* the columns read the summary's lists below their counts and its texts below `used`, never the
 * handshake buffer */
static uint32_t tls_used(const void *st, const iof__feat_opts *o, iof__feat_span sp[IOF_FEAT_MAX_SPANS])
{
    (void)o;
    const tls_sum *u = &((const tls_state *)st)->u.c.sum;
    sp[0] = IOF_FEAT_SPAN(tls_state, u.c.sum.cs, u->ncs * sizeof(u->cs[0]));
    sp[1] = IOF_FEAT_SPAN(tls_state, u.c.sum.ext, u->next * sizeof(u->ext[0]));
    sp[2] = IOF_FEAT_SPAN(tls_state, u.c.sum.groups, u->ngroups * sizeof(u->groups[0]));
    sp[3] = IOF_FEAT_SPAN(tls_state, u.c.sum.formats, u->nformats);
    sp[4] = IOF_FEAT_SPAN(tls_state, u.c.sum.arena, u->used);
    return 5;
}

/* Custom-flow columns: the client's from the side that sent a ClientHello (out first), the
 * server's from the side that sent a ServerHello, the certificate's from the side whose
 * Certificate message was read. */
enum { COL_C_VERSION = 0, COL_S_VERSION, COL_SNI, COL_CS, COL_SCS, COL_EXT, COL_GROUPS, COL_FORMATS, COL_JA3,
       COL_CERTS, COL_SUBJECT, COL_ISSUER, COL_SERIAL, COL_NOT_BEFORE, COL_NOT_AFTER, COL_KEY_ALGO, COL_KEY_BITS,
       COL_SIG_ALGO, COL_LIST = 64 };   /* + COL_CS.. COL_FORMATS: the nested layout's lists */

static int tls_declare(iof__schema *s, const iof__feat_opts *o, bool wide, uint16_t field, uint32_t base)
{
    (void)o;
    static const struct { uint32_t id; const char *name; iof__vtype t; bool list; const char *doc; } c[] = {
        { COL_C_VERSION, "tls_c_version", IOF_VT_INT32, false,
          "the ClientHello's legacy_version, e.g. 771 = 0x0303 (null: no ClientHello read)" },
        { COL_S_VERSION, "tls_s_version", IOF_VT_INT32, false,
          "the version the ServerHello chose: its supported_versions extension (TLS 1.3: 772), else its "
          "legacy_version (null: no ServerHello read, or one cut before that extension)" },
        { COL_SNI, "tls_sni", IOF_VT_STRING, false,
          "the ClientHello's server name (escaped as names are; null: none)" },
        { COL_CS, "tls_cs", IOF_VT_INT32, true,
          "the cipher suites the ClientHello offers, in order (null: no ClientHello)" },
        { COL_SCS, "tls_scs", IOF_VT_INT32, false, "the cipher suite the ServerHello chose (null: no ServerHello)" },
        { COL_EXT, "tls_ext", IOF_VT_INT32, true,
          "the ClientHello's extension types, in order (null: no ClientHello)" },
        { COL_GROUPS, "tls_groups", IOF_VT_INT32, true,
          "the ClientHello's supported groups (extension 10), in order (null: no ClientHello)" },
        { COL_FORMATS, "tls_ec_formats", IOF_VT_INT32, true,
          "the ClientHello's EC point formats (extension 11), in order (null: no ClientHello)" },
        { COL_JA3, "tls_ja3", IOF_VT_STRING, false,
          "JA3's string of the ClientHello: version,suites,extensions,groups,formats, '-' within a field, "
          "GREASE values left out (its MD5 is the JA3 hash; null: no ClientHello)" },
        { COL_CERTS, "tls_certs", IOF_VT_INT32, false,
          "certificates in the server's Certificate message (TLS <= 1.2; at most 4; null: none read)" },
        { COL_SUBJECT, "tls_cert_subject", IOF_VT_STRING, false,
          "the first certificate's subject, \"C=US, O=Org, CN=name\" in its order (null: none)" },
        { COL_ISSUER, "tls_cert_issuer", IOF_VT_STRING, false, "the first certificate's issuer, as tls_cert_subject" },
        { COL_SERIAL, "tls_cert_serial", IOF_VT_STRING, false,
          "the first certificate's serial number, hex (null: none)" },
        { COL_NOT_BEFORE, "tls_cert_not_before", IOF_VT_STRING, false,
          "the first certificate's notBefore, \"2020-01-02T03:04:05Z\" (null: none or unreadable)" },
        { COL_NOT_AFTER, "tls_cert_not_after", IOF_VT_STRING, false,
          "the first certificate's notAfter, as tls_cert_not_before" },
        { COL_KEY_ALGO, "tls_cert_key_algo", IOF_VT_STRING, false,
          "the first certificate's public key algorithm, OpenSSL's name (rsaEncryption, id-ecPublicKey...) or OID" },
        { COL_KEY_BITS, "tls_cert_key_bits", IOF_VT_INT32, false,
          "the first certificate's public key size in bits (RSA modulus, EC curve; null: not read)" },
        { COL_SIG_ALGO, "tls_cert_sig_algo", IOF_VT_STRING, false,
          "the first certificate's signature algorithm, OpenSSL's name (sha256WithRSAEncryption...) or OID" },
    };
    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        bool nested = c[i].list && !wide;
        IOF_TRY(iof__schema_add(s, c[i].name, nested ? IOF_VT_INT32 : c[i].list ? IOF_VT_STRING : c[i].t, true, nested,
                                field, base + c[i].id + (nested ? COL_LIST : 0), c[i].doc));
    }
    return IOF_OK;
}

/* the side whose summary has what column id needs (out first), NULL: neither */
static const tls_sum *col_side(const tls_state *a, const tls_state *t, uint32_t id)
{
    const tls_sum *sa = &a->u.c.sum, *st = t ? &t->u.c.sum : NULL;
    bool server = id == COL_S_VERSION || id == COL_SCS, cert = id >= COL_CERTS && id <= COL_SIG_ALGO;
#define HAS(u) ((u) && (cert ? (u)->has_cert || (u)->ncerts : server ? (u)->server : (u)->client))
    return HAS(sa) ? sa : HAS(st) ? st : NULL;
#undef HAS
}

/* a column of the ClientHello's extensions, unknown when the hello was cut (hello_cut) */
static bool ext_col(uint32_t col) { return col == COL_EXT || col == COL_GROUPS || col == COL_FORMATS || col == COL_JA3; }

/* the length of list column col (COL_CS .. COL_FORMATS) */
static uint16_t list_len(const tls_sum *u, uint32_t col)
{
    return col == COL_CS ? u->ncs : col == COL_EXT ? u->next : col == COL_GROUPS ? u->ngroups : u->nformats;
}

static void tls_get(const void *out, const void *in, uint32_t id, uint32_t k, iof__value *v)
{
    static const uint8_t txt_of[] = { [COL_SNI] = TXT_SNI + 1, [COL_CS] = TXT_CS + 1, [COL_EXT] = TXT_EXT + 1,
                                      [COL_GROUPS] = TXT_GROUPS + 1, [COL_FORMATS] = TXT_FORMATS + 1,
                                      [COL_JA3] = TXT_JA3 + 1, [COL_SUBJECT] = TXT_SUBJECT + 1,
                                      [COL_ISSUER] = TXT_ISSUER + 1, [COL_SERIAL] = TXT_SERIAL + 1,
                                      [COL_NOT_BEFORE] = TXT_NOT_BEFORE + 1, [COL_NOT_AFTER] = TXT_NOT_AFTER + 1,
                                      [COL_KEY_ALGO] = TXT_KEY_ALGO + 1, [COL_SIG_ALGO] = TXT_SIG_ALGO + 1,
                                      [COL_SIG_ALGO + 1] = 0 };
    bool list = id >= COL_LIST;
    uint32_t col = list ? id - COL_LIST : id;
    const tls_sum *u = col_side(out, in, col);
    v->null = true;
    if (!u || (u->hello_cut && ext_col(col)))
        return;
    if (list) {
        v->null = k >= list_len(u, col);
        v->i = v->null ? 0 : col == COL_CS ? u->cs[k] : col == COL_EXT ? u->ext[k] : col == COL_GROUPS ? u->groups[k]
                                                                                                  : u->formats[k];
        return;
    }
    v->null = false;
    switch (col) {
    case COL_C_VERSION: v->i = u->c_version; return;
    case COL_S_VERSION: v->i = u->s_version; v->null = u->s_version_cut; return;
    case COL_SCS: v->i = u->scs; return;
    case COL_CERTS: v->i = u->ncerts; return;
    case COL_KEY_BITS: v->i = u->key_bits; v->null = !u->key_bits; return;
    default: break;
    }
    unsigned t = col < sizeof(txt_of) ? txt_of[col] : 0;
    if (!t)
        return;
    span16 sp = u->txt[t - 1];
    /* an empty list's text is "" (the hello had none); an absent text is null */
    bool listtxt = col == COL_CS || col == COL_EXT || col == COL_GROUPS || col == COL_FORMATS;
    v->null = !sp.len && !listtxt;
    v->p = (const uint8_t *)u->arena + sp.off;
    v->len = sp.len;
}

static uint32_t tls_count(const void *out, const void *in, uint32_t id)
{
    if (id < COL_LIST)
        return 0;
    uint32_t col = id - COL_LIST;
    const tls_sum *u = col_side(out, in, col);
    return !u || (u->hello_cut && ext_col(col)) ? UINT32_MAX : list_len(u, col);
}

static const iof__feat_cols tls_cols = {
    .declare = tls_declare,
    .get = tls_get,
    .count = tls_count,
    .cut = tls_cut,
};

const iof__feature iof__feat_tls = {
    .name = "tls",
    .joy_slot = IOF_FEAT_JOY_MODULES,
    .enabled = tls_enabled,
    .state_size = tls_size,
    .clean_size = tls_clean,
    .used = tls_used,
    .update = tls_update,
    .idle = tls_idle,
    .finish = tls_finish,
    .joy_json = tls_json,
    .cols = &tls_cols,
    .cut = tls_cut,
};
