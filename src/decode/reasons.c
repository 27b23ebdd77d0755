/* Names and one-line docs of the drop reasons and notes, generated from the X-macros in
 * reasons.h so the enum and the counter names cannot drift. */
#include <stddef.h>

#include "decode/reasons.h"

static const char *const drop_names[IOF_DROP__COUNT] = {
#define X_(e, name, doc) name,
    IOF_DROP_REASONS(X_)
#undef X_
};

static const char *const drop_docs[IOF_DROP__COUNT] = {
#define X_(e, name, doc) doc,
    IOF_DROP_REASONS(X_)
#undef X_
};

static const char *const note_names[IOF_NOTE__COUNT] = {
#define X_(e, name, doc) name,
    IOF_NOTES(X_)
#undef X_
};

static const char *const note_docs[IOF_NOTE__COUNT] = {
#define X_(e, name, doc) doc,
    IOF_NOTES(X_)
#undef X_
};

/* Notes are bits of a uint32_t. */
_Static_assert(IOF_NOTE__COUNT <= 32, "too many notes for iof__pkt.notes");

const char *iof__drop_name(iof__drop d)
{
    return (unsigned)d < IOF_DROP__COUNT ? drop_names[d] : "unknown";
}

const char *iof__drop_doc(iof__drop d)
{
    return (unsigned)d < IOF_DROP__COUNT ? drop_docs[d] : "unknown drop reason";
}

const char *iof__note_name(unsigned bit)
{
    return bit < IOF_NOTE__COUNT ? note_names[bit] : "unknown";
}

const char *iof__note_doc(unsigned bit)
{
    return bit < IOF_NOTE__COUNT ? note_docs[bit] : "unknown note";
}
