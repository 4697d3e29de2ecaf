/*
 * echo.c — bare Unix-socket line echo server: the baseline for `make bench`.
 *
 * Usage: echo SOCKET_PATH
 *
 * Accepts connections on a SOCK_STREAM Unix socket and, for each connection
 * (one thread each, blocking I/O), writes back every complete '\n'-terminated
 * line as soon as it has arrived. Bytes after the last '\n' wait for the rest
 * of their line. This is "what the kernel and a minimal C server can do" for
 * one request/response round trip; it does no parsing and no allocation per
 * request. Prints "listening\n" on stdout once it accepts connections.
 * Stops on SIGTERM/SIGINT (default action) and unlinks nothing: the caller
 * owns the socket path and its directory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define BUF_SIZE (1 << 20) /* 1 MiB, the protocol's longest line */

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

static void *serve(void *arg) {
    int fd = (int)(intptr_t)arg;
    char *buf = malloc(BUF_SIZE);
    size_t have = 0;
    if (!buf) goto out;
    for (;;) {
        if (have == BUF_SIZE) break; /* line too long: drop the connection */
        ssize_t r = read(fd, buf + have, BUF_SIZE - have);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break;
        size_t old = have;
        have += (size_t)r;
        /* Echo every complete line now; keep the partial tail. */
        char *nl = memrchr(buf + old, '\n', (size_t)r);
        if (!nl) continue;
        size_t done = (size_t)(nl - buf) + 1;
        if (write_all(fd, buf, done) < 0) break;
        memmove(buf, buf + done, have - done);
        have -= done;
    }
out:
    free(buf);
    close(fd);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s SOCKET_PATH\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    struct sockaddr_un addr;
    memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (strlen(argv[1]) >= sizeof addr.sun_path) {
        fprintf(stderr, "echo: socket path too long\n");
        return 2;
    }
    strcpy(addr.sun_path, argv[1]);
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls < 0) { perror("echo: socket"); return 1; }
    unlink(argv[1]);
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0) { perror("echo: bind"); return 1; }
    if (listen(ls, 128) < 0) { perror("echo: listen"); return 1; }
    printf("listening\n");
    fflush(stdout);

    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    for (;;) {
        int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EMFILE || errno == ENFILE) { usleep(1000); continue; }
            perror("echo: accept");
            return 1;
        }
        pthread_t t;
        if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0) close(fd);
    }
}
