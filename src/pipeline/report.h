/* Shared table printers for the run summary and `iotflow stats`. */
#ifndef IOF_PIPELINE_REPORT_H
#define IOF_PIPELINE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "output/textbuf.h"
#include "pipeline/stats.h"

#define IOF_PRINT_MAX_DEVICES 50   /* device rows printed in a summary; JSON has them all */
#define IOF_PRINT_MAX_LABELS 20    /* label values printed per key; JSON has them all */
#define IOF_PRINT_MAX_FILES 20     /* output files listed in a summary; JSON has them all */

void iof__print_tables(const iof__stats *st, FILE *fp, bool show_uni);
void iof__stats_json_tables(const iof__stats *st, iof__tbuf *b);

#endif
