/* The words of iof__end_reason: see endreason.h. */
#include "flow/endreason.h"

const char *iof__end_reason_name(iof__end_reason e)
{
    static const char *const names[IOF_END__COUNT] = {
        [IOF_END_WINDOW] = "window",     [IOF_END_IDLE] = "idle",          [IOF_END_ACTIVE] = "active",
        [IOF_END_EVICTED] = "evicted",   [IOF_END_INPUT] = "end_of_input", [IOF_END_STOPPED] = "stopped",
    };
    return (unsigned)e < IOF_END__COUNT ? names[e] : "";
}
