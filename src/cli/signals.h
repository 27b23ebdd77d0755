#ifndef IOF_CLI_SIGNALS_H
#define IOF_CLI_SIGNALS_H
#include "iotflow/iotflow.h"
void iof_cli_signals_install(iof_run *run);
/* For runs without an iof_run (iotflow devices): the first signal sets *flag. */
void iof_cli_signals_install_flag(volatile sig_atomic_t *flag);
void iof_cli_signals_clear(void);
#endif
