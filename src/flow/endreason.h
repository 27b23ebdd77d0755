/* Why a flow or record ended (--end-reason; docs/OUTPUT.md "Why a record ended"): one list of
 * the words every output writes, whichever flow policy ended it. Each policy maps its own end
 * codes onto it (cflow.h iof__cf_end_reason, joyflow.h iof__jf_end_reason). */
#ifndef IOF_FLOW_ENDREASON_H
#define IOF_FLOW_ENDREASON_H

typedef enum iof__end_reason {
    IOF_END_WINDOW = 0, /* custom flows: the packet clock passed the record's fixed window */
    IOF_END_IDLE,       /* Joy flows: inactive timeout (expire_type "i") */
    IOF_END_ACTIVE,     /* Joy flows: active timeout (expire_type "a") */
    IOF_END_EVICTED,    /* --max-flows or --max-memory reached: emitted early, oldest first */
    IOF_END_INPUT,      /* still open at the end of the input (its window past the clock) */
    IOF_END_STOPPED,    /* still open when the run was stopped: a signal, or --duration ran out */
    IOF_END__COUNT
} iof__end_reason;

/* The column / member that carries it, in every output */
#define IOF__END_REASON_KEY "end_reason"

/* The word written for e: window, idle, active, evicted, end_of_input, stopped. */
const char *iof__end_reason_name(iof__end_reason e);

#endif
