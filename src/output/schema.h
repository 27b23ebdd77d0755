/* The schema moved to common/schema.h (it describes columns, whoever writes or reads them).
 * This forward stays only for output/parquet/, which is being split on another branch: its
 * headers switch to common/schema.h with that split. */
#ifndef IOF_OUTPUT_SCHEMA_H
#define IOF_OUTPUT_SCHEMA_H

#include "common/schema.h"

#endif
