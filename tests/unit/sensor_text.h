/* Unit-test helper: a sensor readings CSV given as text, read with the sensor reader (no
 * inventory); the test fails when it does not load. Include after test.h. */
#ifndef IOF_TEST_SENSOR_TEXT_H
#define IOF_TEST_SENSOR_TEXT_H

#include <stdio.h>
#include <string.h>

#include "sensors/sensors.h"

static iof__sensors *sensors_of(const char *text, char *err, size_t errlen)
{
    FILE *fp = fmemopen((void *)text, strlen(text), "r");
    ASSERT_TRUE(fp != NULL);
    iof__sensors_config sc = { 0 };
    iof__sensors *s = NULL;
    int rc = iof__sensors_read(fp, "mem.csv", &sc, &s, NULL, err, errlen);
    fclose(fp);
    ASSERT_EQ_INT(rc, 0);
    return s;
}

#endif
