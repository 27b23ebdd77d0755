/* Joy JSON (-f joy): a flow of the Joy policy (flow/joyflow.h) as one JSON object with Joy
 * 3.0.3's field names, order and value conventions for its base fields (docs/JOY.md). */
#ifndef IOF_KINDS_JOY_JSON_H
#define IOF_KINDS_JOY_JSON_H

#include "features/feature.h"
#include "flow/joyflow.h"
#include "output/textbuf.h"

/* Appends the flow whose primary record is r as one line (object + '\n'): the base fields and
 * the modules of fs (NULL: none) at Joy's places; fs must be the set whose hooks fed the
 * policy (joyfeat.h), its states are read from the records' extension areas. */
void iof__joy_json_flow(iof__tbuf *b, const iof__joyrec *r, const iof__featset *fs);

#endif
