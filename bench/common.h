/*
 * common.h — the small helpers both bench clients (pingclient.c, httpclient.c) use:
 * a monotonic clock, the usage exit, and a JSON string writer for their result line.
 * Each client defines BENCH_PROGRAM (its name) before including this file.
 */
#ifndef ZHICHENG_BENCH_COMMON_H
#define ZHICHENG_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die_usage(const char *msg) {
    fprintf(stderr, "%s: %s\n(see the comment at the top of bench/%s.c)\n", BENCH_PROGRAM, msg, BENCH_PROGRAM);
    exit(2);
}

/* `n` bytes of `s` as a JSON string. */
static void json_str(FILE *f, const char *s, size_t n) {
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
        else if (c == '\n') fputs("\\n", f);
        else if (c == '\r') fputs("\\r", f);
        else if (c < 0x20) fprintf(f, "\\u%04x", c);
        else fputc(c, f);
    }
    fputc('"', f);
}

#endif
