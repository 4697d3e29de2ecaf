/*
 * httpclient.c — closed-loop HTTP/1.1 load generator for `make bench`.
 *
 *   httpclient --port P [--host 127.0.0.1] [--conns C] [--duration S]
 *              [--warmup S] [--timeout S] [--method GET] --path PATH
 *              [--body STR] [--header "Name: value"]... [--tokens FILE]
 *              [--ids FIRST:COUNT] [--status 200] [--contains STR]
 *
 * C keep-alive connections, all driven by one thread through epoll (so the
 * client needs little CPU next to the server on a small machine). Each
 * connection sends a request, reads the whole response, checks it, and sends
 * the next one, for S seconds (default 2) after W seconds of warm-up (default
 * 0.3; responses completing in the warm-up are not counted). Requests still in
 * flight at the end are awaited (bounded by --timeout) and checked, not counted.
 *
 *   --tokens FILE     connection k sends "Authorization: Bearer <line k mod n>"
 *   --ids FIRST:COUNT every request takes the next id of FIRST..FIRST+COUNT-1
 *                     (each id once, over all connections); "{id}" in PATH and
 *                     BODY is replaced by it. The run ends early when the ids
 *                     run out ("exhausted": true; the rate stays exact).
 *   --status N        the status every response must have (default 200)
 *   --contains STR    the (de-chunked) body must contain STR
 *
 * Responses may use Content-Length or chunked encoding. Output: one JSON object
 * on stdout (rate, latency percentiles, errors, the first bad response).
 * Exit status 0 when every response passed its check, 1 otherwise or on a
 * transport failure or time-out, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BENCH_PROGRAM "httpclient"
#include "common.h"

#define MAX_HEADERS 16
#define MAX_RESPONSE (64 << 20)

/* ---- options ------------------------------------------------------------ */

static const char *o_host = "127.0.0.1", *o_method = "GET", *o_path, *o_body, *o_contains;
static const char *o_headers[MAX_HEADERS];
static int o_nheaders, o_port, o_conns = 1, o_status = 200;
static double o_duration = 2.0, o_warmup = 0.3, o_timeout = 10.0;
static char **g_tokens;
static int g_ntokens;
static long long g_next_id = -1, g_end_id = -1; /* -1: no ids */
static long long g_first_id;

/* ---- growable buffer ----------------------------------------------------- */

struct buf {
    char *p;
    size_t len, cap;
};

static void buf_reserve(struct buf *b, size_t extra) {
    if (b->len + extra <= b->cap) return;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) { perror("realloc"); exit(1); }
    b->cap = cap;
}

static void buf_add(struct buf *b, const char *s, size_t n) {
    buf_reserve(b, n + 1);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static void buf_adds(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

/* Appends TEMPLATE with every "{id}" replaced by ID. */
static void buf_add_template(struct buf *b, const char *t, long long id) {
    char num[32];
    snprintf(num, sizeof num, "%lld", id);
    for (const char *p = t; *p;) {
        const char *hit = id >= 0 ? strstr(p, "{id}") : NULL;
        if (!hit) { buf_adds(b, p); break; }
        buf_add(b, p, (size_t)(hit - p));
        buf_adds(b, num);
        p = hit + 4;
    }
}

/* ---- connections --------------------------------------------------------- */

struct conn {
    int fd, index;
    struct buf out, in;
    size_t out_off;
    int busy;        /* a request is in flight */
    double sent_at;
};

static struct sockaddr_storage g_addr;
static socklen_t g_addrlen;
static int g_ep;

static int open_conn(struct conn *c, char *err, size_t errn) {
    int fd = socket(g_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) { snprintf(err, errn, "socket: %s", strerror(errno)); return -1; }
    if (connect(fd, (struct sockaddr *)&g_addr, g_addrlen) < 0) {
        snprintf(err, errn, "connect %s:%d: %s", o_host, o_port, strerror(errno));
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    if (epoll_ctl(g_ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
        snprintf(err, errn, "epoll_ctl: %s", strerror(errno));
        close(fd);
        return -1;
    }
    c->fd = fd;
    c->in.len = 0;
    c->busy = 0;
    return 0;
}

static void close_conn(struct conn *c) {
    if (c->fd >= 0) {
        epoll_ctl(g_ep, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
        c->fd = -1;
    }
    c->busy = 0;
}

/* Builds the next request into c->out; returns 0, or -1 when the ids ran out. */
static int build_request(struct conn *c) {
    long long id = -1;
    if (g_next_id >= 0) {
        if (g_next_id >= g_end_id) return -1;
        id = g_next_id++;
    }
    struct buf *b = &c->out;
    b->len = 0;
    c->out_off = 0;
    buf_adds(b, o_method);
    buf_adds(b, " ");
    buf_add_template(b, o_path, id);
    char line[300];
    snprintf(line, sizeof line, " HTTP/1.1\r\nHost: %s:%d\r\n", o_host, o_port);
    buf_adds(b, line);
    if (g_ntokens) {
        buf_adds(b, "Authorization: Bearer ");
        buf_adds(b, g_tokens[c->index % g_ntokens]);
        buf_adds(b, "\r\n");
    }
    for (int i = 0; i < o_nheaders; i++) {
        buf_adds(b, o_headers[i]);
        buf_adds(b, "\r\n");
    }
    if (o_body) {
        struct buf body = {0};
        buf_add_template(&body, o_body, id);
        snprintf(line, sizeof line, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", body.len);
        buf_adds(b, line);
        buf_add(b, body.p, body.len);
        free(body.p);
    } else {
        buf_adds(b, "\r\n");
    }
    return 0;
}

/* Writes what it can of c->out. Returns 0 (done or would block), -1 on error. */
static int flush_out(struct conn *c, char *err, size_t errn) {
    while (c->out_off < c->out.len) {
        ssize_t w = write(c->fd, c->out.p + c->out_off, c->out.len - c->out_off);
        if (w < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) {
                struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.ptr = c};
                epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
                return 0;
            }
            snprintf(err, errn, "write: %s", strerror(errno));
            return -1;
        }
        c->out_off += (size_t)w;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(g_ep, EPOLL_CTL_MOD, c->fd, &ev);
    return 0;
}

/* ---- response parsing ---------------------------------------------------- */

struct response {
    int status, close;
    size_t total;            /* bytes of the whole response in the buffer */
    const char *body;        /* de-chunked when needed (then in `g_dechunked`) */
    size_t body_len;
    size_t wire_body;        /* body bytes (chunk payloads) */
};

static struct buf g_dechunked;

static const char *find_header(const char *h, size_t n, const char *name, size_t *vlen) {
    size_t nl = strlen(name);
    const char *p = memchr(h, '\n', n); /* skip the status line */
    while (p && (size_t)(p - h) + 1 < n) {
        p++;
        const char *e = memchr(p, '\n', n - (size_t)(p - h));
        if (!e) break;
        if ((size_t)(e - p) > nl && p[nl] == ':' && strncasecmp(p, name, nl) == 0) {
            const char *v = p + nl + 1;
            while (v < e && (*v == ' ' || *v == '\t')) v++;
            const char *ve = e;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ')) ve--;
            *vlen = (size_t)(ve - v);
            return v;
        }
        p = e;
    }
    return NULL;
}

/* Returns 1 with *r filled when a whole response is in b, 0 when more is needed, -1 when malformed. */
static int parse_response(const struct buf *b, struct response *r, char *err, size_t errn) {
    if (b->len < 12) return 0;
    const char *hend = memmem(b->p, b->len, "\r\n\r\n", 4);
    if (!hend) {
        if (b->len > 65536) { snprintf(err, errn, "response headers longer than 64 KiB"); return -1; }
        return 0;
    }
    size_t hlen = (size_t)(hend - b->p) + 4;
    if (memcmp(b->p, "HTTP/1.", 7) != 0) { snprintf(err, errn, "not an HTTP/1 response"); return -1; }
    r->status = atoi(b->p + 9);
    size_t vl;
    const char *v = find_header(b->p, hlen, "connection", &vl);
    r->close = v && vl == 5 && strncasecmp(v, "close", 5) == 0;
    if (r->status == 204 || r->status == 304 || (r->status >= 100 && r->status < 200) || strcmp(o_method, "HEAD") == 0) {
        r->total = hlen;
        r->body = b->p + hlen;
        r->body_len = r->wire_body = 0;
        return 1;
    }
    v = find_header(b->p, hlen, "content-length", &vl);
    if (v) {
        size_t cl = (size_t)strtoull(v, NULL, 10);
        if (cl > MAX_RESPONSE) { snprintf(err, errn, "response body larger than 64 MiB"); return -1; }
        if (b->len < hlen + cl) return 0;
        r->total = hlen + cl;
        r->body = b->p + hlen;
        r->body_len = r->wire_body = cl;
        return 1;
    }
    v = find_header(b->p, hlen, "transfer-encoding", &vl);
    if (v && vl >= 7 && strncasecmp(v + vl - 7, "chunked", 7) == 0) {
        size_t pos = hlen, payload = 0;
        g_dechunked.len = 0;
        for (;;) {
            const char *le = memmem(b->p + pos, b->len - pos, "\r\n", 2);
            if (!le) return 0;
            size_t size = (size_t)strtoull(b->p + pos, NULL, 16);
            pos = (size_t)(le - b->p) + 2;
            if (size == 0) {
                /* No trailers expected: just the final CRLF. */
                const char *te = memmem(b->p + pos, b->len - pos, "\r\n", 2);
                if (!te) return 0;
                r->total = (size_t)(te - b->p) + 2;
                r->body = g_dechunked.p ? g_dechunked.p : "";
                r->body_len = g_dechunked.len;
                r->wire_body = payload;
                return 1;
            }
            if (b->len < pos + size + 2) return 0;
            if (o_contains) buf_add(&g_dechunked, b->p + pos, size);
            payload += size;
            pos += size + 2;
        }
    }
    snprintf(err, errn, "response without Content-Length or chunked encoding (status %d)", r->status);
    return -1;
}

/* ---- run ------------------------------------------------------------------ */

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    const char *tokens_file = NULL, *ids = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc) die_usage("option needs a value");
        const char *v = argv[++i];
        if (!strcmp(a, "--host")) o_host = v;
        else if (!strcmp(a, "--port")) o_port = atoi(v);
        else if (!strcmp(a, "--conns")) o_conns = atoi(v);
        else if (!strcmp(a, "--duration")) o_duration = atof(v);
        else if (!strcmp(a, "--warmup")) o_warmup = atof(v);
        else if (!strcmp(a, "--timeout")) o_timeout = atof(v);
        else if (!strcmp(a, "--method")) o_method = v;
        else if (!strcmp(a, "--path")) o_path = v;
        else if (!strcmp(a, "--body")) o_body = v;
        else if (!strcmp(a, "--contains")) o_contains = v;
        else if (!strcmp(a, "--status")) o_status = atoi(v);
        else if (!strcmp(a, "--tokens")) tokens_file = v;
        else if (!strcmp(a, "--ids")) ids = v;
        else if (!strcmp(a, "--header")) {
            if (o_nheaders == MAX_HEADERS) die_usage("too many --header options");
            o_headers[o_nheaders++] = v;
        } else die_usage("unknown option");
    }
    if (!o_path || o_path[0] != '/') die_usage("--path /... is required");
    if (o_port <= 0 || o_port > 65535) die_usage("--port is required");
    if (o_conns < 1 || o_conns > 4096) die_usage("--conns must be 1..4096");
    if (o_duration <= 0 || o_warmup < 0 || o_timeout <= 0) die_usage("bad --duration, --warmup or --timeout");
    if (ids) {
        long long first, count;
        if (sscanf(ids, "%lld:%lld", &first, &count) != 2 || first < 0 || count < 0) die_usage("--ids FIRST:COUNT");
        g_first_id = g_next_id = first;
        g_end_id = first + count;
    }
    if (tokens_file) {
        FILE *f = fopen(tokens_file, "r");
        if (!f) die_usage("cannot open --tokens file");
        char line[512];
        int cap = 0;
        while (fgets(line, sizeof line, f)) {
            line[strcspn(line, "\r\n")] = 0;
            if (!line[0]) continue;
            if (g_ntokens == cap) g_tokens = realloc(g_tokens, (size_t)(cap = cap ? cap * 2 : 64) * sizeof *g_tokens);
            g_tokens[g_ntokens++] = strdup(line);
        }
        fclose(f);
        if (!g_ntokens) die_usage("--tokens file is empty");
    }

    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res;
    char portstr[16];
    snprintf(portstr, sizeof portstr, "%d", o_port);
    if (getaddrinfo(o_host, portstr, &hints, &res) != 0) die_usage("cannot resolve --host");
    memcpy(&g_addr, res->ai_addr, res->ai_addrlen);
    g_addrlen = res->ai_addrlen;
    freeaddrinfo(res);

    g_ep = epoll_create1(EPOLL_CLOEXEC);
    struct conn *cs = calloc((size_t)o_conns, sizeof *cs);
    char err[700] = {0}, first_bad[700] = {0};
    unsigned long long counted = 0, warm = 0, late = 0, bad = 0, transport = 0, reconnects = 0;
    unsigned long long body_bytes = 0;
    size_t lat_n = 0, lat_cap = 1 << 16;
    double *lat = malloc(lat_cap * sizeof *lat);
    int exhausted = 0, timed_out = 0, fatal = 0;

    for (int i = 0; i < o_conns; i++) {
        cs[i].index = i;
        cs[i].fd = -1;
        if (open_conn(&cs[i], err, sizeof err) < 0) { fatal = 1; break; }
    }
    double t_start = now_s(), t_measure = t_start + o_warmup, t_end = t_measure + o_duration, t_last = t_start;
    int stopping = 0;
    int busy = 0;
    if (!fatal) {
        for (int i = 0; i < o_conns; i++) {
            if (build_request(&cs[i]) < 0) { exhausted = 1; break; }
            cs[i].busy = 1;
            cs[i].sent_at = now_s();
            busy++;
            if (flush_out(&cs[i], err, sizeof err) < 0) { fatal = 1; break; }
        }
    }
    struct epoll_event evs[256];
    while (!fatal && busy > 0) {
        double now = now_s();
        if (!stopping && now >= t_end) stopping = 1;
        /* Time-out: any request in flight too long ends the run. */
        for (int i = 0; i < o_conns; i++) {
            if (cs[i].busy && now - cs[i].sent_at > o_timeout) {
                snprintf(err, sizeof err, "no complete response within %.1f s (connection %d)", o_timeout, i);
                timed_out = fatal = 1;
                break;
            }
        }
        if (fatal) break;
        int n = epoll_wait(g_ep, evs, 256, 50);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) { snprintf(err, sizeof err, "epoll_wait: %s", strerror(errno)); fatal = 1; break; }
        for (int k = 0; k < n && !fatal; k++) {
            struct conn *c = evs[k].data.ptr;
            if (c->fd < 0) continue;
            if (evs[k].events & EPOLLOUT) {
                if (flush_out(c, err, sizeof err) < 0) { fatal = 1; break; }
            }
            if (!(evs[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
            /* One read per event (level-triggered: epoll reports the rest). */
            buf_reserve(&c->in, 65536);
            ssize_t r = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len - 1);
            if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            int eof = r <= 0;
            int rerrno = r < 0 ? errno : 0;
            if (r > 0) c->in.len += (size_t)r;
            if (c->in.len > MAX_RESPONSE) { snprintf(err, sizeof err, "response larger than 64 MiB"); fatal = 1; break; }
            for (;;) {
                struct response resp;
                char perr[300] = {0};
                int pr = parse_response(&c->in, &resp, perr, sizeof perr);
                if (pr < 0) { snprintf(err, sizeof err, "%s", perr); fatal = 1; break; }
                if (pr == 0) break;
                double t = now_s();
                if (!c->busy) { snprintf(err, sizeof err, "response without a request"); fatal = 1; break; }
                c->busy = 0;
                busy--;
                int good = resp.status == o_status;
                if (good && o_contains) good = memmem(resp.body, resp.body_len, o_contains, strlen(o_contains)) != NULL;
                if (!good) {
                    bad++;
                    if (!first_bad[0]) {
                        size_t m = resp.body_len < 400 ? resp.body_len : 400;
                        snprintf(first_bad, sizeof first_bad, "status %d%s: %.*s", resp.status,
                                 resp.status == o_status ? " (body lacks the expected text)" : "", (int)m, resp.body);
                    }
                }
                if (t < t_measure) warm++;
                else if (t <= t_end) {
                    counted++;
                    body_bytes += resp.wire_body;
                    if (lat_n == lat_cap) lat = realloc(lat, (lat_cap *= 2) * sizeof *lat);
                    lat[lat_n++] = t - c->sent_at;
                    t_last = t;
                } else late++;
                memmove(c->in.p, c->in.p + resp.total, c->in.len - resp.total);
                c->in.len -= resp.total;
                if (resp.close) eof = 1;
                if (!stopping && t >= t_end) stopping = 1;
                if (eof || stopping) break;
                if (build_request(c) < 0) { exhausted = 1; break; }
                c->busy = 1;
                c->sent_at = now_s();
                busy++;
                if (flush_out(c, err, sizeof err) < 0) fatal = 1;
                break; /* one request in flight per connection */
            }
            if (fatal || !eof) continue;
            /* The server closed the connection (or asked to): an error only with a request in flight. */
            if (c->busy) {
                transport++;
                busy--;
                if (!err[0]) snprintf(err, sizeof err, "connection %d %s with a request in flight", c->index,
                                      rerrno ? strerror(rerrno) : "closed by the server");
            }
            close_conn(c);
            if (stopping || exhausted) continue;
            if (open_conn(c, err, sizeof err) < 0) { fatal = 1; break; }
            reconnects++;
            if (build_request(c) < 0) { exhausted = 1; continue; }
            c->busy = 1;
            c->sent_at = now_s();
            busy++;
            if (flush_out(c, err, sizeof err) < 0) fatal = 1;
        }
        if (exhausted && !stopping) {
            /* Out of ids: stop every connection now so the rate stays exact. */
            stopping = 1;
            if (t_last < t_end) t_end = t_last;
        }
    }
    double t_stop = now_s();
    for (int i = 0; i < o_conns; i++) close_conn(&cs[i]);
    double measured_from = t_measure, measured_to = t_end < t_stop ? t_end : t_stop;
    double elapsed = measured_to > measured_from ? measured_to - measured_from : 0;
    qsort(lat, lat_n, sizeof(double), cmp_double);
#define PCT(p) (lat_n ? lat[(size_t)((p) * (double)(lat_n - 1))] * 1e6 : 0.0)
    printf("{\"mode\":\"http\",\"method\":");
    json_str(stdout, o_method, strlen(o_method));
    printf(",\"path\":");
    json_str(stdout, o_path, strlen(o_path));
    printf(",\"conns\":%d,\"requests\":%llu,\"seconds\":%.6f,\"rps\":%.1f,\"warmup_requests\":%llu,\"late\":%llu,"
           "\"bad\":%llu,\"transport_errors\":%llu,\"reconnects\":%llu,\"timed_out\":%s,\"exhausted\":%s,"
           "\"ids_used\":%lld,\"body_bytes_avg\":%.0f,"
           "\"lat_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f}",
           o_conns, counted, elapsed, elapsed > 0 ? (double)counted / elapsed : 0.0, warm, late, bad, transport, reconnects,
           timed_out ? "true" : "false", exhausted ? "true" : "false", g_next_id >= 0 ? g_next_id - g_first_id : 0LL,
           counted ? (double)body_bytes / (double)counted : 0.0, PCT(0.50), PCT(0.90), PCT(0.99), PCT(0.999), PCT(1.0));
    if (first_bad[0]) {
        printf(",\"first_bad\":");
        json_str(stdout, first_bad, strlen(first_bad));
    }
    if (err[0]) {
        printf(",\"error\":");
        json_str(stdout, err, strlen(err));
    }
    printf("}\n");
    return (fatal || bad || transport) ? 1 : 0;
}
