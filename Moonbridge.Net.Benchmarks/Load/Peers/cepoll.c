/*
 * cepoll: the load mode's C peer, `cepoll --port N`. A floor for what one core can do with epoll:
 * one thread, edge-triggered epoll, sockets registered once for IN|OUT|RDHUP and never re-armed,
 * one read per readiness (a short read empties the queue; later bytes raise a new edge) and one
 * send per read batch, however many pipelined requests it answers. Routes as the C# servers:
 * GET /plaintext, GET /bytes/{n}, POST /upload (answers the body's byte count), 404 otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum { READ_CAP = 64 * 1024, OUT_CAP = 64 * 1024, OUT_ROOM = 512, FILL_CAP = 64 * 1024, MAX_EVENTS = 256 };
#define MAX_BODY (256LL * 1024 * 1024)

enum route { ROUTE_NONE, ROUTE_UPLOAD, ROUTE_NOT_FOUND };

struct conn {
    int fd;
    int drained;      /* the receive queue was empty after the last read */
    int peer_closed;  /* RDHUP seen: read until EOF instead of trusting a short read */
    int close_after;  /* the last request asked for the connection to close */
    int more;         /* answering stopped early; buffered requests may be complete */
    int eof;          /* the peer has finished sending: answer what is buffered, then close */
    enum route waiting;            /* answered once the request body has been consumed */
    long long body_left, body_total;
    long long fill_left, fill_total; /* /bytes/{n} filler still to send */
    char *carry; size_t carry_len;   /* an incomplete request kept between reads */
    char *out; size_t out_len, out_off; /* answer bytes the socket did not take */
};

/* One loop, one thread: shared buffers; a connection owns memory only while it has leftovers. */
static char rbuf[READ_CAP], obuf[OUT_CAP], filler[FILL_CAP];
static char date[40], plain[256];
static size_t plain_len;
static time_t date_second = -1;

static size_t head(char *dst, const char *status, long long length, const char *type, int close)
{
    return (size_t)sprintf(dst, "HTTP/1.1 %s\r\nContent-Length: %lld\r\nContent-Type: %s\r\nDate: %s\r\nServer: cepoll\r\n%s\r\n",
                           status, length, type, date, close ? "Connection: close\r\n" : "");
}

static size_t reply(char *dst, const char *status, const char *body, size_t len, int close)
{
    size_t h = head(dst, status, (long long)len, "text/plain", close);
    memcpy(dst + h, body, len);
    return h + len;
}

/* The Date header changes once a second; the keep-alive /plaintext answer is rebuilt with it. */
static void refresh_date(void)
{
    time_t now = time(NULL);
    if (now == date_second)
        return;
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    date_second = now;
    plain_len = reply(plain, "200 OK", "Hello, World!", 13, 0);
}

static const char *header(const char *p, const char *end, const char *name, size_t *vlen)
{
    size_t n = strlen(name);
    for (const char *nl = memchr(p, '\n', (size_t)(end - p)); nl != NULL && nl + 1 < end;
         nl = memchr(nl + 1, '\n', (size_t)(end - nl - 1))) {
        const char *s = nl + 1;
        if ((size_t)(end - s) > n && s[n] == ':' && strncasecmp(s, name, n) == 0) {
            const char *v = s + n + 1;
            while (v < end && (*v == ' ' || *v == '\t'))
                v++;
            const char *e = memchr(v, '\r', (size_t)(end - v));
            *vlen = (size_t)((e != NULL ? e : end) - v);
            return v;
        }
    }
    return NULL;
}

static int digits(const char *p, size_t len, long long *value)
{
    *value = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9' || *value > MAX_BODY)
            return 0;
        *value = *value * 10 + (p[i] - '0');
    }
    return len > 0 && *value <= MAX_BODY;
}

/* The answer that waited for the request body: its byte count for /upload, else 404. */
static size_t respond(struct conn *c, char *dst)
{
    char count[24];
    int n = sprintf(count, "%lld\n", c->body_total);
    enum route route = c->waiting;
    c->waiting = ROUTE_NONE;
    return route == ROUTE_UPLOAD ? reply(dst, "200 OK", count, (size_t)n, c->close_after)
                                 : reply(dst, "404 Not Found", "Not Found\n", 10, c->close_after);
}

/* Parses one request head p[0, n) and writes its answer to dst, or defers it until the body is read. */
static size_t request(struct conn *c, const char *p, size_t n, char *dst)
{
    const char *end = p + n, *sp1 = memchr(p, ' ', n), *sp2 = NULL, *v;
    if (sp1 != NULL)
        sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1));
    size_t vlen = 0;
    long long length = 0;
    int bad = sp2 == NULL || end - sp2 < 9 || header(p, end, "Transfer-Encoding", &vlen) != NULL
        || ((v = header(p, end, "Content-Length", &vlen)) != NULL && !digits(v, vlen, &length));
    if (bad) {
        c->close_after = 1;
        return reply(dst, "400 Bad Request", "", 0, 1);
    }
    size_t mlen = (size_t)(sp1 - p), tlen = (size_t)(sp2 - sp1 - 1);
    v = header(p, end, "Connection", &vlen);
    c->close_after = memcmp(sp2 + 1, "HTTP/1.0", 8) == 0 || (v != NULL && vlen == 5 && strncasecmp(v, "close", 5) == 0);
    const char *target = sp1 + 1;
    long long count;
    if (mlen == 3 && memcmp(p, "GET", 3) == 0 && tlen == 10 && memcmp(target, "/plaintext", 10) == 0) {
        if (c->close_after)
            return reply(dst, "200 OK", "Hello, World!", 13, 1);
        memcpy(dst, plain, plain_len);
        return plain_len;
    }
    if (mlen == 3 && memcmp(p, "GET", 3) == 0 && tlen > 7 && memcmp(target, "/bytes/", 7) == 0 && digits(target + 7, tlen - 7, &count)) {
        c->fill_left = c->fill_total = count;
        return head(dst, "200 OK", count, "application/octet-stream", c->close_after);
    }
    int upload = mlen == 4 && memcmp(p, "POST", 4) == 0 && tlen >= 7 && memcmp(target, "/upload", 7) == 0 && (tlen == 7 || target[7] == '?');
    c->waiting = upload ? ROUTE_UPLOAD : ROUTE_NOT_FOUND;
    c->body_left = c->body_total = length;
    return length > 0 ? 0 : respond(c, dst);
}

/* Answers the complete requests in buf[0, len) into obuf; returns the bytes consumed. */
static size_t answer(struct conn *c, const char *buf, size_t len, size_t *out)
{
    size_t used = 0;
    c->more = 0;
    for (;;) {
        if (c->body_left > 0) {
            size_t take = len - used;
            if ((long long)take > c->body_left)
                take = (size_t)c->body_left;
            used += take;
            c->body_left -= (long long)take;
            if (c->body_left > 0)
                return used;
            *out += respond(c, obuf + *out);
        }
        /* Filler and close must follow what is already queued; a full obuf is sent first. */
        if (c->close_after || c->fill_left > 0 || *out + OUT_ROOM > OUT_CAP) {
            c->more = 1;
            return used;
        }
        const char *blank = memmem(buf + used, len - used, "\r\n\r\n", 4);
        if (blank == NULL)
            return used;
        size_t n = (size_t)(blank - (buf + used)) + 4;
        *out += request(c, buf + used, n, obuf + *out);
        used += n;
    }
}

/* Sends data[0, len) and then any filler; keeps what the socket refuses. 1 = all sent, 0 = full, -1 = error. */
static int flush(struct conn *c, const char *data, size_t len)
{
    for (;;) {
        struct iovec iov[2];
        int parts = 0;
        if (len > 0)
            iov[parts++] = (struct iovec){ (void *)data, len };
        if (c->fill_left > 0) {
            size_t at = (size_t)((c->fill_total - c->fill_left) % FILL_CAP), piece = FILL_CAP - at;
            if ((long long)piece > c->fill_left)
                piece = (size_t)c->fill_left;
            iov[parts++] = (struct iovec){ filler + at, piece };
        }
        if (parts == 0)
            break;
        struct msghdr message = { .msg_iov = iov, .msg_iovlen = (size_t)parts };
        ssize_t sent = parts == 1 && len > 0 ? send(c->fd, data, len, MSG_NOSIGNAL) : sendmsg(c->fd, &message, MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                return -1;
            if (c->out != NULL) {
                c->out_off = c->out_len - len;
            } else if (len > 0) {
                if ((c->out = malloc(len)) == NULL)
                    return -1;
                memcpy(c->out, data, len);
                c->out_len = len;
                c->out_off = 0;
            }
            return 0; /* EPOLLOUT's edge resumes */
        }
        size_t from_data = (size_t)sent < len ? (size_t)sent : len;
        data += from_data;
        len -= from_data;
        c->fill_left -= (long long)((size_t)sent - from_data);
    }
    free(c->out);
    c->out = NULL;
    c->out_len = c->out_off = 0;
    return 1;
}

static void drop(struct conn *c)
{
    close(c->fd);
    free(c->carry);
    free(c->out);
    free(c);
}

static void serve(struct conn *c)
{
    size_t out = 0;
    for (;;) {
        int r = c->out != NULL ? flush(c, c->out + c->out_off, c->out_len - c->out_off) : flush(c, obuf, out);
        out = 0;
        if (r < 0 || (r > 0 && ((c->close_after && c->waiting == ROUTE_NONE) || (c->eof && !c->more)))) {
            drop(c);
            return;
        }
        if (r == 0 || (c->drained && !c->more))
            return;
        size_t len = c->carry_len;
        if (len > 0) {
            memcpy(rbuf, c->carry, len);
            free(c->carry);
            c->carry = NULL;
            c->carry_len = 0;
        }
        if (!c->drained) {
            ssize_t n;
            do
                n = read(c->fd, rbuf + len, READ_CAP - len);
            while (n < 0 && errno == EINTR);
            if ((n == 0 && len == 0) || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                drop(c);
                return;
            }
            c->eof = n == 0;
            if (n < 0)
                n = 0;
            c->drained = ((size_t)n < READ_CAP - len && !c->peer_closed) || c->eof;
            len += (size_t)n;
        }
        size_t used = answer(c, rbuf, len, &out);
        if (used < len) {
            if ((used == 0 && len == READ_CAP) || (c->carry = malloc(len - used)) == NULL) {
                drop(c); /* a head larger than the read buffer, or no memory */
                return;
            }
            memcpy(c->carry, rbuf + used, len - used);
            c->carry_len = len - used;
        }
    }
}

static void accept_all(int ep, int listener)
{
    for (;;) {
        int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return; /* EAGAIN, or EMFILE and the like: the level-triggered listener reports again */
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = calloc(1, sizeof *c);
        if (c != NULL)
            c->fd = fd;
        struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c };
        if (c == NULL || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            close(fd);
            free(c);
        }
    }
}

int main(int argc, char **argv)
{
    long port = -1;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--port") == 0)
            port = strtol(argv[i + 1], NULL, 10);
    if (port < 0 || port > 65535) {
        fprintf(stderr, "usage: cepoll --port N\n");
        return 2;
    }
    struct rlimit files;
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max; /* as the .NET runtime does, for the idle-connection scenario */
        setrlimit(RLIMIT_NOFILE, &files);
    }
    for (int i = 0; i < FILL_CAP; i++)
        filler[i] = (char)('a' + i % 26);
    refresh_date();

    int one = 1, listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    if (listener < 0 || ep < 0 || setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0
        || bind(listener, (struct sockaddr *)&address, sizeof address) != 0 || listen(listener, 4096) != 0
        || epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev) != 0) {
        perror("cepoll: listen");
        return 1;
    }
    socklen_t size = sizeof address;
    getsockname(listener, (struct sockaddr *)&address, &size); /* --port 0 takes an ephemeral port */
    printf("listening on http://127.0.0.1:%d\n", ntohs(address.sin_port));
    fflush(stdout);

    struct epoll_event events[MAX_EVENTS];
    for (;;) {
        int n = epoll_wait(ep, events, MAX_EVENTS, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("cepoll: epoll_wait");
            return 1;
        }
        refresh_date();
        for (int i = 0; i < n; i++) {
            struct conn *c = events[i].data.ptr;
            if (c == NULL) {
                accept_all(ep, listener);
                continue;
            }
            if (events[i].events & (EPOLLERR | EPOLLHUP)) {
                drop(c);
                continue;
            }
            if (events[i].events & (EPOLLIN | EPOLLRDHUP)) {
                c->drained = 0;
                c->peer_closed = (events[i].events & EPOLLRDHUP) != 0;
            }
            serve(c);
        }
    }
}
