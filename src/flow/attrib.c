#include <string.h>

#include "flow/attrib.h"

bool iof__ip_is_local(uint8_t ipver, const uint8_t a[16])
{
    if (ipver == 4)
        return a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) ||
               (a[0] == 192 && a[1] == 168) || (a[0] == 169 && a[1] == 254);
    return (a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
}

bool iof__ip_is_group(uint8_t ipver, const uint8_t a[16])
{
    if (ipver == 4)
        return (a[0] & 0xf0) == 224 || (a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255);
    return a[0] == 0xff;
}

const uint8_t *iof__ip_anon(uint8_t ipver, const uint8_t ip[16], bool anonymise)
{
    static const uint8_t zero[16];
    return anonymise && iof__ip_is_local(ipver, ip) ? zero : ip;
}

static bool mac_is_group(const uint8_t m[6]) { return (m[0] & 1) != 0; }

static void set_view(iof__view *v, int32_t dev, uint8_t dir, const iof__pkt *p)
{
    v->device = dev;
    v->dir = dir;
    v->ipver = p->ipver;
    v->proto = p->proto;
    if (dir) {
        v->dev_ip = p->src_ip;
        v->rem_ip = p->dst_ip;
        v->dev_port = p->sport;
        v->rem_port = p->dport;
    } else {
        v->dev_ip = p->dst_ip;
        v->rem_ip = p->src_ip;
        v->dev_port = p->dport;
        v->rem_port = p->sport;
    }
}

int iof__attribute(const iof__pkt *p, const iof__inventory *inv, iof__view views[2])
{
    long src = -1, dst = -1;
    bool src_dev, dst_dev;
    bool dst_group = iof__ip_is_group(p->ipver, p->dst_ip);
    if (inv) {
        /* MACs decide; the inventory's IPs stand in only where the link has no MAC (raw IP,
         * loopback, the missing destination of Linux cooked captures) */
        if (p->flags & IOF_PKT_HAS_SRC_MAC)
            src = iof__inventory_find_mac(inv, p->src_mac);
        else if (iof__inventory_has_ips(inv))
            src = iof__inventory_find_ip(inv, p->ipver, p->src_ip);
        if (!dst_group) {
            if (p->flags & IOF_PKT_HAS_DST_MAC) {
                if (!mac_is_group(p->dst_mac))
                    dst = iof__inventory_find_mac(inv, p->dst_mac);
            } else if (iof__inventory_has_ips(inv)) {
                dst = iof__inventory_find_ip(inv, p->ipver, p->dst_ip);
            }
        }
        src_dev = src >= 0;
        dst_dev = dst >= 0;
    } else {
        /* A frame sent to a group MAC (broadcast, multicast) is not for one device, whatever
         * its IP says (a subnet-directed broadcast 192.168.1.255 goes to ff:ff:ff:ff:ff:ff); a
         * group source MAC is not a station at all. */
        bool src_group_mac = (p->flags & IOF_PKT_HAS_SRC_MAC) && mac_is_group(p->src_mac);
        bool dst_group_mac = (p->flags & IOF_PKT_HAS_DST_MAC) && mac_is_group(p->dst_mac);
        src_dev = !src_group_mac && iof__ip_is_local(p->ipver, p->src_ip);
        dst_dev = !dst_group && !dst_group_mac && iof__ip_is_local(p->ipver, p->dst_ip);
    }
    int n = 0;
    if (src_dev)
        set_view(&views[n++], (int32_t)src, 1, p);
    if (dst_dev) {
        /* A packet from an endpoint to itself (same address and port) is one view, not two
         * mirrored views of the same key. */
        bool same = src_dev && p->sport == p->dport && src == dst &&
                    memcmp(p->src_ip, p->dst_ip, 16) == 0;
        if (!same)
            set_view(&views[n++], (int32_t)dst, 0, p);
    }
    return n;
}
