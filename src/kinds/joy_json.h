/* Joy JSON (-f joy): a flow of the Joy policy (flow/joyflow.h) as one JSON object with Joy
 * 3.0.3's field names, order and value conventions for its base fields (docs/JOY.md). */
#ifndef IOF_KINDS_JOY_JSON_H
#define IOF_KINDS_JOY_JSON_H

#include "features/feature.h"
#include "flow/joyflow.h"
#include "kinds/labelcols.h"
#include "labels/rules.h"
#include "output/textbuf.h"

/* Appends the flow whose primary record is r as one line (object + '\n'): the base fields and
 * the modules of fs (NULL: none) at Joy's places; fs must be the set whose hooks fed the
 * policy (joyfeat.h), its states are read from the records' extension areas. With labels (not
 * NULL, labels->lb set: --rules), each key K of the run ends the object as "K":value and
 * "K_rule":provenance (null when no rule matched and K has no default), as the seed-001
 * annotated files end with "flow_type". With end_reason (--end-reason), "end_reason":"<why>"
 * (flow/endreason.h) follows Joy's expire_type, before the labels: not a Joy member. */
void iof__joy_json_flow(iof__tbuf *b, const iof__joyrec *r, const iof__featset *fs,
                        const iof__lbl_row *labels, bool end_reason);
/* The flow whose primary record is r as the label rules see it (kinds/joy_attrs.c). */
void iof__joy_lbl_attrs(const iof__joyrec *primary, iof__lbl_attrs *a);
/* What the rules read of a Joy flow, as Joy writes it (a flow of ours, or a line of a written Joy
 * file: iotflow label): sa/sp, da/dp, pr, ip.out.ttl, ip.in.ttl (has_in: the flow has an in
 * side), time_start / time_end in µs. */
typedef struct iof__joy_lbl_src {
    uint8_t proto, ipver;
    const uint8_t *sa, *da;
    uint16_t sp, dp;
    uint8_t ttl_out, ttl_in;
    bool has_in;
    int64_t start_us, end_us;
} iof__joy_lbl_src;
void iof__joy_lbl_attrs_from(const iof__joy_lbl_src *s, iof__lbl_attrs *a);
/* Whether a label key K (or K_rule) would repeat a member name Joy writes at the top level
 * of a flow object (sa, packets, tls, ...). */
bool iof__joy_json_key_taken(const char *key);

#endif
