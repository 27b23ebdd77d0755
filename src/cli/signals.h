#ifndef IOF_CLI_SIGNALS_H
#define IOF_CLI_SIGNALS_H
#include "iotflow/iotflow.h"
void iof_cli_signals_install(iof_run *run);
void iof_cli_signals_clear(void);
#endif
