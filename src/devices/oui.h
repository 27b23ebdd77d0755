/* Vendor of a MAC address from its OUI (or a longer IEEE assignment), read from Wireshark's
 * `manuf` file or the IEEE text registries Debian ships in ieee-data (oui.txt, mam.txt,
 * oui36.txt). Both are untrusted text: lines are bounded, entries are capped, and every error
 * names file:line.
 *
 * manuf lines: `PREFIX[/BITS] <tab> SHORT [<tab> LONG] [<tab> # comment]`, PREFIX = 1-6 hex
 *   octets separated by ':', '-' or '.'; BITS defaults to 8 x octets (so /28 and /36 blocks
 *   and well-known addresses are read as they are). The long name is kept, else the short.
 * IEEE lines: `XX-XX-XX   (hex) <tabs> Organization`, optionally followed by
 *   `LLLLLL-HHHHHH   (base 16) ...`, which narrows the entry to that range of the OUI
 *   (MA-M /28, MA-S /36); every other line (addresses, headers) is ignored. A file is read
 *   as IEEE when its first line starts with "OUI" or holds "(hex)".
 * A lookup returns the longest matching prefix; among equal prefixes the first file wins.
 */
#ifndef IOF_DEVICES_OUI_H
#define IOF_DEVICES_OUI_H

#include <stddef.h>
#include <stdint.h>

#define IOF_OUI_MAX_ENTRIES 262144 /* 2024's manuf has 52 k; IEEE's three registries ~50 k */
#define IOF_OUI_MAX_LINE 1024      /* bytes in one line (real ones: < 200) */
#define IOF_OUI_MAX_NAME 64        /* bytes of a vendor name kept (cut at a character) */

typedef struct iof__oui iof__oui;

/* An empty database. NULL when out of memory. */
iof__oui *iof__oui_create(void);
void iof__oui_free(iof__oui *db);

/* Adds one file. Returns 0, IOF_E_IO (cannot open/read: message names the file and errno
 * text), IOF_E_INVAL (a malformed line: file:line and what is wrong; more than
 * IOF_OUI_MAX_ENTRIES entries), IOF_E_NOMEM. On error the database keeps earlier files. */
int iof__oui_add_file(iof__oui *db, const char *path, char *err, size_t errlen);

/* Entries loaded. */
size_t iof__oui_count(const iof__oui *db);

/* Vendor name of the longest prefix matching mac, or NULL. */
const char *iof__oui_lookup(iof__oui *db, const uint8_t mac[6]);

#endif
