/* fuzz_devices: a sequence of Ethernet frames (each: 2-byte big-endian length, then the frame)
 * through the decoder into the device table, then every row's role and evidence. Invariants:
 * group and all-zero MACs never get rows; per-device caps hold; every kept string is
 * NUL-terminated valid text within its buffer; evidence is never empty. Frames are copied into
 * exactly-sized heap blocks so ASan sees over-reads of the DHCP/DNS/SSDP parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/rd.h"
#include "decode/decode.h"
#include "devices/devcsv.h"
#include "devices/devtab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
static volatile uint32_t sink;

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define MAX_FRAMES 64

static void text_ok(const char *s, size_t cap)
{
    size_t n = strnlen(s, cap);
    CHECK(n < cap);
    for (size_t i = 0; i < n; i++)
        CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iof__devtab *t = iof__devtab_create();
    if (!t)
        return 0;
    iof__rd r = rd_init(data, size);
    for (int k = 0; k < MAX_FRAMES && rd_left(&r) >= 2; k++) {
        size_t len = rd_be16(&r);
        if (len > rd_left(&r))
            len = rd_left(&r);
        uint8_t *frame = malloc(len ? len : 1);
        if (!frame)
            break;
        rd_copy(&r, frame, len);
        iof__pkt p;
        if (iof__decode(&p, IOF_LINKTYPE_ETHERNET, frame, (uint32_t)len, (uint32_t)len, (int64_t)k * 1000000) ==
            IOF_DROP_OK)
            iof__devtab_packet(t, &p);
        free(frame);
    }
    uint32_t acc = 0;
    for (size_t i = 0; i < iof__devtab_count(t); i++) {
        const iof__devrow *row = iof__devtab_row(t, i);
        CHECK(iof__mac_is_device(row->mac));
        CHECK(row->n_local <= IOF_DEV_MAX_IPS && row->n_public <= IOF_DEV_MAX_IPS);
        CHECK(row->n_local <= row->local_total && row->n_public <= row->public_total);
        CHECK(row->n_mdns <= IOF_DEV_MAX_MDNS && row->n_mdns <= row->mdns_total);
        CHECK(row->dhcp_clients <= row->dhcp_replies);
        text_ok(row->dhcp_host, sizeof row->dhcp_host);
        text_ok(row->dhcp_vc, sizeof row->dhcp_vc);
        text_ok(row->ssdp_server, sizeof row->ssdp_server);
        text_ok(row->ssdp_location, sizeof row->ssdp_location);
        for (unsigned m = 0; m < row->n_mdns; m++)
            text_ok(row->mdns[m], sizeof row->mdns[m]);
        char ev[IOF_DEV_EVIDENCE];
        iof__dev_role role = iof__dev_guess_role(t, row, ev, sizeof ev);
        CHECK(ev[0] != '\0' && strlen(ev) < sizeof ev);
        acc += (uint32_t)role + (uint32_t)strlen(ev);
    }
    sink += acc;
    iof__devtab_free(t);
    return 0;
}
