#include "common/err.h"

const char *iof_strerror(int err)
{
    switch (err) {
#define IOF_ERR_TEXT_(name, code, text) case code: return text;
        IOF_ERRNO_MAP(IOF_ERR_TEXT_)
#undef IOF_ERR_TEXT_
    }
    return "unknown error";
}

const char *iof_errname(int err)
{
    switch (err) {
#define IOF_ERR_NAME_(name, code, text) case code: return "IOF_" #name;
        IOF_ERRNO_MAP(IOF_ERR_NAME_)
#undef IOF_ERR_NAME_
    }
    return "IOF_UNKNOWN";
}

const char *iof_version_string(void) { return IOF_VERSION_STRING; }


int iof__fail(char *buf, size_t len, int code, const char *fmt, ...)
{
    if (buf && len) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, len, fmt, ap);
        va_end(ap);
    }
    return code;
}

void iof__say(iof_message_fn fn, void *ctx, const char *fmt, ...)
{
    if (!fn)
        return;
    char text[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    fn(ctx, text);
}
