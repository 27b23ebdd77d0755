/* Feature modules on the Joy flow policy: the policy's hooks (flow/joyflow.h) feed a feature
 * set (features/feature.h) with each packet's data as Joy sees it, the record's state living in
 * its extension area; the Joy writer (kinds/joy_json.h) prints the modules at their slots. */
#ifndef IOF_FEATURES_JOYFEAT_H
#define IOF_FEATURES_JOYFEAT_H

#include "features/feature.h"
#include "flow/joyflow.h"

/* Sets cfg->hooks for s (s must outlive the policy); none when s is NULL or has no module. */
void iof__joyfeat_hooks(const iof__featset *s, iof__jf_config *cfg);
/* Before a flow is written (its cuts counted, its JSON): on both records of the flow of
 * primary, the states of the modules only the other direction's packets reached begun (the
 * states are created lazy), then the modules' finish. */
void iof__joyfeat_finish(const iof__featset *s, const iof__joyrec *primary);
/* The seen bits of the flow of primary (both directions'): iof__featset_joy_json's seen. */
uint32_t iof__joyfeat_seen(const iof__joyrec *primary);
/* The modules that lost something to a bound in the flow of primary: cuts[registry index]++. */
void iof__joyfeat_count_cuts(const iof__featset *s, const iof__joyrec *primary,
                             uint64_t cuts[IOF_FEAT_MAX_MODULES]);
/* The options -f joy runs with: the modules Joy's golden configuration (dist=1 entropy=1 wht=1
 * payload=1 ppi=1 hd=1 dns=1 tls=1 dhcp=1 idp=N) had on, idp = N (0: off, Joy's default). */
void iof__joyfeat_joy_defaults(iof__feat_opts *o, uint32_t idp);

#endif
