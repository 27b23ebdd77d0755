/* The --devices inventory loader (src/flow/inventory.c): header rows in any column order and
 * case, extra columns, MAC-only lists, the old headerless format, IP lists, and the messages of
 * every rejection (file:line, the column, the cap). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flow/inventory.h"
#include "iotflow/iotflow.h"
#include "kinds/addrtext.h"
#include "test.h"

static char path[64];
static char err[512];

static int load(const char *text, iof__inventory **inv)
{
    snprintf(path, sizeof path, "/tmp/iof-test-inv-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -100;
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n) {
        close(fd);
        return -101;
    }
    close(fd);
    err[0] = '\0';
    int rc = iof__inventory_load(inv, path, err, sizeof err);
    unlink(path);
    return rc;
}

/* err names path:line and holds `what` */
static int says(int line, const char *what)
{
    char want[96];
    snprintf(want, sizeof want, "%s:%d:", path, line);
    return strstr(err, want) != NULL && strstr(err, what) != NULL;
}

static const iof__device *dev(const iof__inventory *inv, const char *mac)
{
    uint8_t m[6];
    if (!iof__parse_mac(mac, strlen(mac), m))
        return NULL;
    long i = iof__inventory_find_mac(inv, m);
    return i < 0 ? NULL : iof__inventory_get(inv, (size_t)i);
}

static void test_old_format(void)
{
    iof__inventory *inv;
    ASSERT_EQ_INT(load("# comment\n\n02:00:00:00:00:01,hub,gateway\n"
                       "02-00-00-00-00-02 , cam , camera , 192.168.1.20 , fe80::1;10.0.0.2 10.0.0.3\n", &inv), IOF_OK);
    ASSERT_EQ_INT(iof__inventory_count(inv), 2);
    const iof__device *d = dev(inv, "02:00:00:00:00:02");
    ASSERT_TRUE(d != NULL);
    ASSERT_EQ_STR(d->name, "cam");
    ASSERT_EQ_STR(d->type, "camera");
    ASSERT_EQ_INT(d->n_ips, 4);
    ASSERT_EQ_INT(d->ip_ver[1], 6);
    ASSERT_TRUE(iof__inventory_has_ips(inv));
    uint8_t ip[16] = { 10, 0, 0, 3 };
    ASSERT_EQ_INT(iof__inventory_find_ip(inv, 4, ip), 1);
    iof__inventory_free(inv);
    /* the old header (mac first) still works, with IPs in several trailing fields */
    ASSERT_EQ_INT(load("MAC,Name,Type,IP\n02:00:00:00:00:03,a,b,10.0.0.1,10.0.0.2\n", &inv), IOF_OK);
    ASSERT_EQ_INT(dev(inv, "02:00:00:00:00:03")->n_ips, 2);
    iof__inventory_free(inv);
}

static void test_header_any_order(void)
{
    iof__inventory *inv;
    ASSERT_EQ_INT(load("\xEF\xBB\xBFType , IP,Vendor,mac,NAME,first_seen\n"
                       "camera,10.0.0.9;10.0.0.10,\"Acme, Inc.\",aa:bb:cc:00:00:01,\"cam, front\",2024-01-01T00:00:00Z\n"
                       "router,,,aa:bb:cc:00:00:02,gw\n", &inv), IOF_OK);
    ASSERT_EQ_INT(iof__inventory_count(inv), 2);
    const iof__device *d = dev(inv, "aa:bb:cc:00:00:01");
    ASSERT_EQ_STR(d->name, "cam, front");
    ASSERT_EQ_STR(d->type, "camera");
    ASSERT_EQ_INT(d->n_ips, 2);
    d = dev(inv, "aa:bb:cc:00:00:02"); /* a short row: missing trailing columns are empty */
    ASSERT_EQ_STR(d->name, "gw");
    ASSERT_EQ_INT(d->n_ips, 0);
    iof__inventory_free(inv);
    /* only some columns named */
    ASSERT_EQ_INT(load("name,mac\nx,aa:bb:cc:00:00:03\n", &inv), IOF_OK);
    ASSERT_EQ_STR(dev(inv, "aa:bb:cc:00:00:03")->name, "x");
    ASSERT_EQ_STR(dev(inv, "aa:bb:cc:00:00:03")->type, "");
    iof__inventory_free(inv);
}

static void test_mac_only(void)
{
    iof__inventory *inv;
    ASSERT_EQ_INT(load("aa:bb:cc:00:00:01\naa:bb:cc:00:00:02\n", &inv), IOF_OK);
    ASSERT_EQ_INT(iof__inventory_count(inv), 2);
    ASSERT_EQ_STR(dev(inv, "aa:bb:cc:00:00:02")->name, "");
    iof__inventory_free(inv);
    ASSERT_EQ_INT(load("mac\naa:bb:cc:00:00:01\n", &inv), IOF_OK);
    ASSERT_EQ_INT(iof__inventory_count(inv), 1);
    iof__inventory_free(inv);
    ASSERT_EQ_INT(load("aa:bb:cc:00:00:01,lamp\n", &inv), IOF_OK); /* mac,name */
    ASSERT_EQ_STR(dev(inv, "aa:bb:cc:00:00:01")->name, "lamp");
    iof__inventory_free(inv);
}

static void test_ip_cap(void)
{
    iof__inventory *inv;
    char text[1024];
    /* 8 in one field: fine; 9 in one field, or spread over trailing fields: the cap is named */
    snprintf(text, sizeof text, "mac,name,type,ip\naa:bb:cc:00:00:01,a,b,%s\n",
             "10.0.0.1;10.0.0.2;10.0.0.3;10.0.0.4;10.0.0.5;10.0.0.6;10.0.0.7;10.0.0.8");
    ASSERT_EQ_INT(load(text, &inv), IOF_OK);
    ASSERT_EQ_INT(dev(inv, "aa:bb:cc:00:00:01")->n_ips, 8);
    iof__inventory_free(inv);
    snprintf(text, sizeof text, "mac,name,type,ip\naa:bb:cc:00:00:01,a,b,%s\n",
             "10.0.0.1;10.0.0.2;10.0.0.3;10.0.0.4;10.0.0.5;10.0.0.6;10.0.0.7;10.0.0.8;10.0.0.9");
    ASSERT_EQ_INT(load(text, &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(2, "more than 8 IP addresses"));
    ASSERT_TRUE(strstr(err, "bad IP") == NULL);
    ASSERT_EQ_INT(load("aa:bb:cc:00:00:01,a,b,10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5,10.0.0.6,"
                       "10.0.0.7,10.0.0.8,10.0.0.9,10.0.0.10\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(1, "more than 8 IP addresses"));
}

static void test_errors(void)
{
    iof__inventory *inv;
    ASSERT_EQ_INT(load("mac,name\naa:bb:cc:00:00:01,a\nzz:bb:cc:00:00:02,b\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(3, "column 1 (mac): bad MAC address 'zz:bb:cc:00:00:02'"));
    ASSERT_EQ_INT(load("name,mac\nb,not-a-mac\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(2, "column 2 (mac)"));
    ASSERT_EQ_INT(load("name,mac,ip\nb,aa:bb:cc:00:00:01,10.0.0.300\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(2, "column 3 (ip): bad IP address '10.0.0.300'"));
    ASSERT_EQ_INT(load("mac,name,type,ip,vendor\naa:bb:cc:00:00:01,a,b,,v,extra\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(2, "6 fields, the header has 5"));
    ASSERT_EQ_INT(load("mac,name,MAC\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(1, "column 'mac' named twice (columns 1 and 3)"));
    ASSERT_EQ_INT(load("name,mac\nx,\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(2, "column 2 (mac) is empty"));
    ASSERT_EQ_INT(load("aa:bb:cc:00:00:01,a\naa:BB:cc:00:00:01,b\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(2, "duplicate MAC aa:bb:cc:00:00:01"));
    ASSERT_EQ_INT(load("aa:bb:cc:00:00:01,\"open\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(1, "malformed CSV row"));
    char longname[300];
    memset(longname, 'n', 200);
    longname[200] = '\0';
    char text[512];
    snprintf(text, sizeof text, "aa:bb:cc:00:00:01,%s\n", longname);
    ASSERT_EQ_INT(load(text, &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(1, "column 2 (name) longer than 127 bytes"));
    /* names and types become output text: a byte that is not UTF-8 is refused, where it is
     * (Parquet would write U+FFFD where CSV kept the byte: rules on device.name then disagreed) */
    ASSERT_EQ_INT(load("mac,name,type\naa:bb:cc:00:00:01,pl\xffug,plug\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(2, "column 2 (name) is not UTF-8 (byte 3 is 0xff)"));
    ASSERT_EQ_INT(load("aa:bb:cc:00:00:01,ok,t\xc3\n", &inv), IOF_E_INVAL);   /* a cut sequence */
    ASSERT_TRUE(says(1, "column 3 (type) is not UTF-8 (byte 2 is 0xc3)"));
    ASSERT_EQ_INT(load("aa:bb:cc:00:00:01,caf\xc3\xa9,\xe2\x82\xac\n", &inv), IOF_OK);   /* café, € */
    iof__inventory_free(inv);
    /* a header-like first row without "mac" is data, and a bad one */
    ASSERT_EQ_INT(load("device,name\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(says(1, "bad MAC address 'device'"));
    ASSERT_EQ_INT(iof__inventory_load(&inv, "/nonexistent/devices.csv", err, sizeof err), IOF_E_IO);
    ASSERT_TRUE(strstr(err, "/nonexistent/devices.csv") != NULL);
}

/* device_ids (kinds/addrtext.c): a name is cut to 63 bytes between two UTF-8 characters, and two
 * devices whose names give one device_id clash — also when only their cut parts are the same */
static void test_device_ids(void)
{
    char text[1024], name[80], id[64];
    memset(name, 'a', 62);
    memcpy(name + 62, "\xc3\xa9xyz", 6);      /* an é across the 63-byte mark, then more */
    snprintf(text, sizeof text, "mac,name\naa:bb:cc:00:00:01,%s\naa:bb:cc:00:00:02,%.62sb\n", name, name);
    iof__inventory *inv;
    ASSERT_EQ_INT(load(text, &inv), IOF_OK);
    uint32_t n = iof__device_id_text(iof__inventory_get(inv, 0), NULL, 4, NULL, false, id);
    ASSERT_EQ_INT(n, 62);                        /* not 63: that would split the é */
    ASSERT_TRUE(memcmp(id, name, 62) == 0 && id[62] == '\0');
    char msg[160];
    ASSERT_EQ_INT(iof__device_ids_clash(inv, msg, sizeof msg), IOF_OK);
    ASSERT_EQ_STR(msg, "");                      /* "a...a" and "a...ab": two ids */
    iof__inventory_free(inv);
    snprintf(text, sizeof text, "mac,name\naa:bb:cc:00:00:01,%s\naa:bb:cc:00:00:02,%.62s\xc3\xa9q\n", name, name);
    ASSERT_EQ_INT(load(text, &inv), IOF_OK);     /* the same first 62 bytes, cut before the é */
    ASSERT_EQ_INT(iof__device_ids_clash(inv, msg, sizeof msg), IOF_OK);
    ASSERT_TRUE(strstr(msg, "gives two devices the name") && strstr(msg, "keeps its first 63 bytes"));
    iof__inventory_free(inv);
    ASSERT_EQ_INT(iof__device_ids_clash(NULL, msg, sizeof msg), IOF_OK);
    ASSERT_EQ_STR(msg, "");
}

/* one address, two devices: refused with both lines (addresses compared as parsed); one device
 * listing an address twice is fine */
static void test_duplicate_ip(void)
{
    iof__inventory *inv;
    ASSERT_EQ_INT(load("mac,name,ip\naa:bb:cc:00:00:01,a,10.0.0.1\naa:bb:cc:00:00:02,b,10.0.0.2;10.0.0.1\n", &inv),
                  IOF_E_INVAL);
    ASSERT_TRUE(says(3, "duplicate IP 10.0.0.1 (first on line 2)"));
    ASSERT_EQ_INT(load("# v6\naa:bb:cc:00:00:01,a,b,fe80::1:2\naa:bb:cc:00:00:02,b,c,10.0.0.9\n"
                       "aa:bb:cc:00:00:03,c,d,10.0.0.3,FE80:0000::0001:0002\naa:bb:cc:00:00:04,d,e,10.0.0.9\n", &inv),
                  IOF_E_INVAL);
    ASSERT_TRUE(says(4, "duplicate IP fe80::1:2 (first on line 2)")); /* the earliest repeat, not line 5 */
    ASSERT_EQ_INT(load("aa:bb:cc:00:00:01,a,b,10.0.0.1;10.0.0.1\naa:bb:cc:00:00:02,b,c,::ffff:10.0.0.1\n", &inv),
                  IOF_OK); /* twice in one row; an IPv4-mapped IPv6 address is another address */
    ASSERT_EQ_INT(iof__inventory_count(inv), 2);
    iof__inventory_free(inv);
}

/* a file that lists no device is refused, naming it (a typo'd file gave an unattributed run) */
static void test_no_devices(void)
{
    iof__inventory *inv;
    ASSERT_EQ_INT(load("", &inv), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, path) && strstr(err, "has no devices (the file is empty)"));
    ASSERT_EQ_INT(load("mac,name,type,ip\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "has no devices (a header row and no device rows)"));
    ASSERT_EQ_INT(load("# nothing yet\n\n", &inv), IOF_E_INVAL);
    ASSERT_TRUE(strstr(err, "has no devices (only comments and blank lines)"));
    ASSERT_TRUE(inv == NULL);
}

static const iof_test tests[] = {
    TEST(test_old_format), TEST(test_header_any_order), TEST(test_mac_only), TEST(test_ip_cap),
    TEST(test_errors), TEST(test_device_ids), TEST(test_duplicate_ip), TEST(test_no_devices), { 0, 0 },
};

int main(void) { return iof_test_run(tests); }
