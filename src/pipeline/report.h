/* Shared table printers for the run summary and `iotflow stats`. */
#ifndef IOF_PIPELINE_REPORT_H
#define IOF_PIPELINE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "output/textbuf.h"
#include "pipeline/stats.h"

void iof__print_tables(const iof__stats *st, FILE *fp, bool show_uni);
void iof__stats_json_tables(const iof__stats *st, iof_tbuf *b);

#endif
