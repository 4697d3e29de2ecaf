/*
 * pingclient.c — request/response load generator for `make bench`.
 *
 *   pingclient ping  --socket PATH [--line STR] [--check echo|ok|none]
 *                    [--conns C] [--duration S | --count N] [--warmup S]
 *                    [--timeout S]
 *   pingclient lines --socket PATH --file FILE [--window W]
 *                    [--check ok|none] [--timeout S]
 *
 * ping:  C connections (one thread each); each sends LINE (default
 *        {"id":1,"cmd":"ping"}), waits for the one-line reply, repeats, for S
 *        seconds (default 2) or N round trips in total. Warm-up round trips
 *        (default 0.2 s) are not counted. --check echo: the reply must equal
 *        the request (echo server); ok: the reply's top-level "ok" must be
 *        true (daemon). Prints round trips per second and latency percentiles.
 * lines: one connection; sends each line of FILE, keeping at most W requests
 *        in flight (W=1: strictly sequential; default 1), reads one reply line
 *        per request, and checks each reply's top-level "ok" is true and its
 *        top-level "id" equals the request's. Prints the rate.
 *
 * Output: one JSON object on stdout. Exit status 0 when every reply passed
 * its check, 1 when some did not or the connection failed, 2 on bad usage.
 * Every socket wait is bounded by --timeout (default 10 s).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PROGRAM "pingclient"
#include "common.h"

#define MAX_LINE (1 << 20)
#define HIST_US 100000 /* 1 µs buckets up to 100 ms, then one overflow bucket */

enum check { CHECK_NONE, CHECK_ECHO, CHECK_OK };

/* ---- JSON helpers ------------------------------------------------------ */

/*
 * Finds the raw text of the value of top-level key KEY in the JSON object
 * LINE[0..n). Returns 1 and sets *v,*vn on success. Not a validator: just
 * enough structure (strings, escapes, nesting) not to be fooled by a nested
 * "id" or by key order.
 */
static int top_level_value(const char *s, size_t n, const char *key, const char **v, size_t *vn) {
    size_t klen = strlen(key);
    int depth = 0;
    size_t i = 0;
    while (i < n) {
        char c = s[i];
        if (c == '"') {
            size_t start = ++i;
            while (i < n && s[i] != '"') i += (s[i] == '\\') ? 2 : 1;
            if (i >= n) return 0;
            size_t end = i++;
            if (depth != 1) continue;
            size_t j = i;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) j++;
            if (j >= n || s[j] != ':') continue; /* a value, not a key */
            if (end - start != klen || memcmp(s + start, key, klen) != 0) continue;
            j++;
            while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\r')) j++;
            size_t vs = j;
            int d = 0;
            while (j < n) {
                char d_c = s[j];
                if (d_c == '"') {
                    j++;
                    while (j < n && s[j] != '"') j += (s[j] == '\\') ? 2 : 1;
                    j++;
                    continue;
                }
                if (d_c == '{' || d_c == '[') d++;
                else if (d_c == '}' || d_c == ']') {
                    if (d == 0) break;
                    d--;
                } else if (d_c == ',' && d == 0) break;
                j++;
            }
            if (j > n) j = n;
            size_t ve = j;
            while (ve > vs && (s[ve - 1] == ' ' || s[ve - 1] == '\t' || s[ve - 1] == '\r')) ve--;
            *v = s + vs;
            *vn = ve - vs;
            return 1;
        }
        if (c == '{' || c == '[') depth++;
        else if (c == '}' || c == ']') depth--;
        i++;
    }
    return 0;
}

static int reply_ok(const char *s, size_t n) {
    const char *v;
    size_t vn;
    return top_level_value(s, n, "ok", &v, &vn) && vn == 4 && memcmp(v, "true", 4) == 0;
}

/* ---- sockets ----------------------------------------------------------- */

static int connect_unix(const char *path, double timeout, char *err, size_t errn) {
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof a.sun_path) {
        snprintf(err, errn, "socket path too long");
        return -1;
    }
    strcpy(a.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errn, "socket: %s", strerror(errno));
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        snprintf(err, errn, "connect %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    struct timeval tv = {(time_t)timeout, (suseconds_t)((timeout - (double)(time_t)timeout) * 1e6)};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* ---- ping mode --------------------------------------------------------- */

struct worker {
    pthread_t thread;
    int fd;
    uint64_t quota; /* count mode: round trips to do; 0 = until stop */
    uint64_t done, errors, warm_errors;
    double max_s;
    uint32_t *hist; /* HIST_US + 1 buckets */
    char *buf;
    size_t have;
    char err[400];
};

static const char *g_line;
static size_t g_line_len;
static enum check g_check = CHECK_OK;
static double g_warmup = 0.2;
static atomic_int g_stop;
static pthread_barrier_t g_barrier;

/* One round trip. Returns 0 on success, -1 on a transport error, 1 on a bad reply. */
static int round_trip(struct worker *w) {
    if (write_all(w->fd, g_line, g_line_len) < 0) {
        snprintf(w->err, sizeof w->err, "write: %s", strerror(errno));
        return -1;
    }
    for (;;) {
        char *nl = w->have ? memchr(w->buf, '\n', w->have) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - w->buf);
            int bad = 0;
            if (g_check == CHECK_ECHO)
                bad = !(n + 1 == g_line_len && memcmp(w->buf, g_line, n) == 0);
            else if (g_check == CHECK_OK)
                bad = !reply_ok(w->buf, n);
            if (bad && !w->err[0]) {
                char tmp[300];
                size_t m = n < 200 ? n : 200;
                memcpy(tmp, w->buf, m);
                tmp[m] = 0;
                snprintf(w->err, sizeof w->err, "bad reply: %s", tmp);
            }
            memmove(w->buf, nl + 1, w->have - n - 1);
            w->have -= n + 1;
            return bad;
        }
        if (w->have == MAX_LINE) {
            snprintf(w->err, sizeof w->err, "reply longer than 1 MiB");
            return -1;
        }
        ssize_t r = read(w->fd, w->buf + w->have, MAX_LINE - w->have);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(w->err, sizeof w->err, "read: %s", errno == EAGAIN ? "timed out" : strerror(errno));
            return -1;
        }
        if (r == 0) {
            snprintf(w->err, sizeof w->err, "connection closed by peer");
            return -1;
        }
        w->have += (size_t)r;
    }
}

static void *ping_thread(void *arg) {
    struct worker *w = arg;
    int failed = 0;
    double warm_end = now_s() + g_warmup;
    while (now_s() < warm_end) {
        int r = round_trip(w);
        if (r < 0) { failed = 1; break; }
        if (r > 0) w->warm_errors++;
    }
    pthread_barrier_wait(&g_barrier);
    if (failed) { w->errors++; return NULL; }
    while (!atomic_load_explicit(&g_stop, memory_order_relaxed)) {
        if (w->quota && w->done >= w->quota) break;
        double t0 = now_s();
        int r = round_trip(w);
        double dt = now_s() - t0;
        if (r < 0) { w->errors++; break; }
        if (r > 0) w->errors++;
        w->done++;
        if (dt > w->max_s) w->max_s = dt;
        uint64_t us = (uint64_t)(dt * 1e6);
        w->hist[us < HIST_US ? us : HIST_US]++;
    }
    return NULL;
}

static double hist_pct(const uint64_t *h, uint64_t total, double p, double max_us) {
    if (total == 0) return 0;
    uint64_t want = (uint64_t)(p * (double)total);
    if (want >= total) want = total - 1;
    uint64_t acc = 0;
    for (int i = 0; i <= HIST_US; i++) {
        acc += h[i];
        if (acc > want) return i == HIST_US ? max_us : (double)i + 0.5;
    }
    return max_us;
}

static int run_ping(const char *path, int conns, double duration, uint64_t count, double timeout) {
    struct worker *ws = calloc((size_t)conns, sizeof *ws);
    char err[400] = {0};
    for (int i = 0; i < conns; i++) {
        ws[i].fd = connect_unix(path, timeout, err, sizeof err);
        if (ws[i].fd < 0) {
            printf("{\"mode\":\"ping\",\"socket\":");
            json_str(stdout, path, strlen(path));
            printf(",\"conns\":%d,\"rps\":0,\"errors\":1,\"error\":", conns);
            json_str(stdout, err, strlen(err));
            printf("}\n");
            return 1;
        }
        ws[i].hist = calloc(HIST_US + 1, sizeof(uint32_t));
        ws[i].buf = malloc(MAX_LINE);
        if (count) ws[i].quota = count / (uint64_t)conns + ((uint64_t)i < count % (uint64_t)conns ? 1 : 0);
    }
    pthread_barrier_init(&g_barrier, NULL, (unsigned)conns + 1);
    for (int i = 0; i < conns; i++) pthread_create(&ws[i].thread, NULL, ping_thread, &ws[i]);
    pthread_barrier_wait(&g_barrier);
    double t0 = now_s();
    if (!count) {
        struct timespec ts = {(time_t)duration, (long)((duration - (double)(time_t)duration) * 1e9)};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {}
        atomic_store(&g_stop, 1);
    }
    for (int i = 0; i < conns; i++) pthread_join(ws[i].thread, NULL);
    double elapsed = now_s() - t0;

    uint64_t *h = calloc(HIST_US + 1, sizeof(uint64_t));
    uint64_t done = 0, errors = 0, warm_errors = 0;
    double max_s = 0;
    const char *first_err = NULL;
    for (int i = 0; i < conns; i++) {
        done += ws[i].done;
        errors += ws[i].errors;
        warm_errors += ws[i].warm_errors;
        if (ws[i].max_s > max_s) max_s = ws[i].max_s;
        for (int b = 0; b <= HIST_US; b++) h[b] += ws[i].hist[b];
        if (!first_err && ws[i].err[0]) first_err = ws[i].err;
        close(ws[i].fd);
    }
    double max_us = max_s * 1e6;
    printf("{\"mode\":\"ping\",\"socket\":");
    json_str(stdout, path, strlen(path));
    printf(",\"conns\":%d,\"requests\":%llu,\"seconds\":%.6f,\"rps\":%.1f,\"errors\":%llu,\"warmup_errors\":%llu,"
           "\"lat_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}",
           conns, (unsigned long long)done, elapsed, elapsed > 0 ? (double)done / elapsed : 0.0,
           (unsigned long long)errors, (unsigned long long)warm_errors, hist_pct(h, done, 0.50, max_us), hist_pct(h, done, 0.90, max_us),
           hist_pct(h, done, 0.99, max_us), hist_pct(h, done, 0.999, max_us), max_us);
    if (first_err) {
        printf(",\"error\":");
        json_str(stdout, first_err, strlen(first_err));
    }
    printf("}\n");
    return (errors || warm_errors) ? 1 : 0;
}

/* ---- lines mode -------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int run_lines(const char *path, const char *file, int window, enum check check, double timeout) {
    FILE *f = fopen(file, "rb");
    if (!f) die_usage("cannot open --file");
    size_t cap = 1 << 16, len = 0;
    char *data = malloc(cap);
    for (;;) {
        if (len + 4096 > cap) data = realloc(data, cap *= 2);
        size_t r = fread(data + len, 1, cap - len - 1, f);
        if (r == 0) break;
        len += r;
    }
    fclose(f);
    if (len && data[len - 1] != '\n') data[len++] = '\n';
    size_t n = 0;
    for (size_t i = 0; i < len; i++) n += data[i] == '\n';
    size_t *off = malloc((n + 1) * sizeof *off);
    off[0] = 0;
    for (size_t i = 0, k = 1; i < len; i++)
        if (data[i] == '\n') off[k++] = i + 1;

    double *sent_at = calloc(n ? n : 1, sizeof(double));
    double *lat = calloc(n ? n : 1, sizeof(double));
    size_t rcap = 1 << 16, rhave = 0;
    char *rbuf = malloc(rcap);
    char err[600] = {0};
    size_t next = 0, woff = 0, replies = 0, ok = 0, not_ok = 0, id_mismatch = 0;

    int fd = connect_unix(path, timeout, err, sizeof err);
    double t0 = now_s();
    if (fd >= 0) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    while (fd >= 0 && replies < n) {
        /* Send while the window allows. */
        while (next < n && next - replies < (size_t)window) {
            size_t ls = off[next], le = off[next + 1];
            if (woff == 0) sent_at[next] = now_s();
            ssize_t w = write(fd, data + ls + woff, le - ls - woff);
            if (w < 0) {
                if (errno == EINTR) continue;
                if (errno == EAGAIN) break;
                snprintf(err, sizeof err, "write: %s", strerror(errno));
                goto done;
            }
            woff += (size_t)w;
            if (woff == le - ls) { next++; woff = 0; }
        }
        struct pollfd p = {fd, POLLIN | ((next < n && next - replies < (size_t)window) ? POLLOUT : 0), 0};
        int pr = poll(&p, 1, (int)(timeout * 1000));
        if (pr < 0 && errno == EINTR) continue;
        if (pr < 0) { snprintf(err, sizeof err, "poll: %s", strerror(errno)); break; }
        if (pr == 0) {
            snprintf(err, sizeof err, "timed out after %.1f s waiting for reply %zu of %zu", timeout, replies + 1, n);
            break;
        }
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        if (rhave == rcap) {
            if (rcap >= (size_t)64 << 20) { snprintf(err, sizeof err, "reply longer than 64 MiB"); break; }
            rbuf = realloc(rbuf, rcap *= 2);
        }
        ssize_t r = read(fd, rbuf + rhave, rcap - rhave);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (r < 0) { snprintf(err, sizeof err, "read: %s", strerror(errno)); break; }
        if (r == 0) {
            snprintf(err, sizeof err, "connection closed by peer after %zu of %zu replies", replies, n);
            break;
        }
        size_t scan = rhave;
        rhave += (size_t)r;
        double t = now_s();
        size_t start = 0;
        for (size_t i = scan; i < rhave; i++) {
            if (rbuf[i] != '\n') continue;
            const char *line = rbuf + start;
            size_t ln = i - start;
            if (replies >= next) { snprintf(err, sizeof err, "reply without a request"); goto done; }
            lat[replies] = t - sent_at[replies];
            int good = 1;
            if (check == CHECK_OK) {
                const char *qv, *rv;
                size_t qn, rn;
                const char *q = data + off[replies];
                size_t qlen = off[replies + 1] - off[replies] - 1;
                if (top_level_value(q, qlen, "id", &qv, &qn) &&
                    !(top_level_value(line, ln, "id", &rv, &rn) && rn == qn && memcmp(rv, qv, qn) == 0)) {
                    id_mismatch++;
                    good = 0;
                }
                if (!reply_ok(line, ln)) good = 0;
            }
            if (good) ok++;
            else {
                not_ok++;
                if (!err[0]) {
                    size_t m = ln < 400 ? ln : 400;
                    snprintf(err, sizeof err, "reply %zu: %.*s", replies + 1, (int)m, line);
                }
            }
            replies++;
            start = i + 1;
        }
        memmove(rbuf, rbuf + start, rhave - start);
        rhave -= start;
    }
done:;
    double elapsed = now_s() - t0;
    if (fd >= 0) close(fd);
    qsort(lat, replies, sizeof(double), cmp_double);
#define PCT(p) (replies ? lat[(size_t)((p) * (double)(replies - 1))] * 1e3 : 0.0)
    printf("{\"mode\":\"lines\",\"socket\":");
    json_str(stdout, path, strlen(path));
    printf(",\"window\":%d,\"requests\":%zu,\"sent\":%zu,\"replies\":%zu,\"ok\":%zu,\"not_ok\":%zu,"
           "\"id_mismatch\":%zu,\"seconds\":%.6f,\"rps\":%.1f,"
           "\"lat_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f}",
           window, n, next, replies, ok, not_ok, id_mismatch, elapsed,
           elapsed > 0 ? (double)replies / elapsed : 0.0, PCT(0.50), PCT(0.90), PCT(0.99), PCT(1.0));
    if (err[0]) {
        printf(",\"error\":");
        json_str(stdout, err, strlen(err));
    }
    printf("}\n");
    return (replies == n && not_ok == 0) ? 0 : 1;
}

/* ---- main -------------------------------------------------------------- */

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc < 2) die_usage("missing mode (ping or lines)");
    const char *mode = argv[1], *path = NULL, *file = NULL;
    const char *line = "{\"id\":1,\"cmd\":\"ping\"}";
    int conns = 1, window = 1;
    double duration = 2.0, timeout = 10.0;
    uint64_t count = 0;
    enum check check = CHECK_OK;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) die_usage("option needs a value");
        const char *v = argv[++i];
        if (!strcmp(a, "--socket")) path = v;
        else if (!strcmp(a, "--line")) line = v;
        else if (!strcmp(a, "--file")) file = v;
        else if (!strcmp(a, "--conns")) conns = atoi(v);
        else if (!strcmp(a, "--window")) window = atoi(v);
        else if (!strcmp(a, "--duration")) duration = atof(v);
        else if (!strcmp(a, "--count")) count = strtoull(v, NULL, 10);
        else if (!strcmp(a, "--warmup")) g_warmup = atof(v);
        else if (!strcmp(a, "--timeout")) timeout = atof(v);
        else if (!strcmp(a, "--check")) {
            if (!strcmp(v, "echo")) check = CHECK_ECHO;
            else if (!strcmp(v, "ok")) check = CHECK_OK;
            else if (!strcmp(v, "none")) check = CHECK_NONE;
            else die_usage("--check must be echo, ok or none");
        } else die_usage("unknown option");
    }
    if (!path) die_usage("--socket is required");
    if (conns < 1 || conns > 1024) die_usage("--conns must be 1..1024");
    if (window < 1) die_usage("--window must be >= 1");
    if (timeout <= 0) die_usage("--timeout must be > 0");
    if (!strcmp(mode, "ping")) {
        if (duration <= 0 && !count) die_usage("--duration must be > 0");
        size_t n = strlen(line);
        char *l = malloc(n + 2);
        memcpy(l, line, n);
        if (!n || l[n - 1] != '\n') l[n++] = '\n';
        l[n] = 0;
        g_line = l;
        g_line_len = n;
        g_check = check;
        return run_ping(path, conns, duration, count, timeout);
    }
    if (!strcmp(mode, "lines")) {
        if (!file) die_usage("--file is required in lines mode");
        if (check == CHECK_ECHO) die_usage("--check echo is for ping mode");
        return run_lines(path, file, window, check, timeout);
    }
    die_usage("mode must be ping or lines");
}
