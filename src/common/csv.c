#include "common/csv.h"

static char *skip_blanks(char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int iof__csv_split(char *line, char **f, size_t *flen, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        p = skip_blanks(p);
        char *start, *end;
        if (*p == '"') {
            char *w = ++p;
            start = p;
            for (;;) {
                if (*p == '\0')
                    return -1; /* unterminated quote */
                if (*p == '"') {
                    if (p[1] == '"') {
                        *w++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *w++ = *p++;
            }
            end = w;
            p = skip_blanks(p);
            if (*p != ',' && *p != '\0')
                return -1; /* text after the closing quote */
        } else {
            start = p;
            while (*p && *p != ',')
                p++;
            end = p;
            while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
                end--;
        }
        char delim = *p; /* read before terminating: end may equal p */
        f[n] = start;
        if (flen)
            flen[n] = (size_t)(end - start);
        *end = '\0';
        n++;
        if (delim == '\0')
            return n;
        p++;
    }
}
