/*
 * curing: an experiment, not a load-mode peer. The question: would an io_uring backend beat the event loops' epoll
 * here? Measured at the C level first, against Load/Peers/cepoll.c, before writing one in C#.
 * One thread, io_uring (SINGLE_ISSUER, DEFER_TASKRUN where the kernel has them): multishot accept, one recv per
 * connection in flight into its own buffer, one send per recv batch answering every complete request in it, close
 * through the ring. Every request gets the /plaintext answer; "Connection: close" closes after it.
 *
 *   apt-get install liburing-dev wrk
 *   cc -O2 -o curing curing.c -luring && cc -O2 -o cepoll ../Peers/cepoll.c
 *   taskset -c 1 ./curing 18090 & taskset -c 1 ./cepoll --port 18091 &
 *   taskset -c 0 wrk -t1 -c64 -d8s http://127.0.0.1:18090/plaintext     (add -H 'Connection: close', or
 *                                                                        -s pipeline.lua for 16 per batch)
 * and server CPU from /proc/<pid>/stat (utime + stime) over the run, divided by the requests. Results (2 cores,
 * Linux 6.18, 2026-12-06) are in the README's Performance section: io_uring won only connection per request.
 */
#define _GNU_SOURCE
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
enum { RBUF = 16384, OBUF = 65536 };
enum { OP_ACCEPT = 1, OP_RECV = 2, OP_SEND = 3, OP_CLOSE = 4 };
struct conn { int fd; int close_after; char in[RBUF]; char out[OBUF]; size_t carry; };
static struct io_uring ring;
static char date[40];
static time_t date_sec = -1;
static void *tag(void *p, int op) { return (void *)((uintptr_t)p | (uintptr_t)op); }
static struct io_uring_sqe *sqe(void) { struct io_uring_sqe *s = io_uring_get_sqe(&ring); if (!s) { io_uring_submit(&ring); s = io_uring_get_sqe(&ring); } return s; }
static void arm_recv(struct conn *c) { struct io_uring_sqe *s = sqe(); io_uring_prep_recv(s, c->fd, c->in + c->carry, RBUF - c->carry, 0); io_uring_sqe_set_data(s, tag(c, OP_RECV)); }
static void do_close(struct conn *c) { struct io_uring_sqe *s = sqe(); io_uring_prep_close(s, c->fd); io_uring_sqe_set_data(s, tag(c, OP_CLOSE)); }
static size_t answer(char *dst, int close) {
    time_t now = time(NULL);
    if (now != date_sec) { struct tm tm; gmtime_r(&now, &tm); strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm); date_sec = now; }
    return (size_t)sprintf(dst, "HTTP/1.1 200 OK\r\nContent-Length: 13\r\nContent-Type: text/plain\r\nDate: %s\r\nServer: curing\r\n%s\r\nHello, World!", date, close ? "Connection: close\r\n" : "");
}
int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 18090;
    struct io_uring_params p; memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN;
    if (io_uring_queue_init_params(4096, &ring, &p) < 0) { p.flags = 0; if (io_uring_queue_init_params(4096, &ring, &p) < 0) { perror("io_uring"); return 1; } }
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (bind(l, (void *)&a, sizeof a) || listen(l, 4096)) { perror("listen"); return 1; }
    struct io_uring_sqe *s = sqe(); io_uring_prep_multishot_accept(s, l, NULL, NULL, 0); io_uring_sqe_set_data(s, tag(NULL, OP_ACCEPT));
    printf("curing listening on 127.0.0.1:%d\n", port); fflush(stdout);
    for (;;) {
        io_uring_submit_and_wait(&ring, 1);
        struct io_uring_cqe *cqe; unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            uintptr_t d = (uintptr_t)io_uring_cqe_get_data(cqe); int op = d & 7; struct conn *c = (struct conn *)(d & ~(uintptr_t)7); int res = cqe->res;
            if (op == OP_ACCEPT) {
                if (res >= 0) { setsockopt(res, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); struct conn *n = aligned_alloc(8, sizeof *n); n->fd = res; n->carry = 0; n->close_after = 0; arm_recv(n); }
                if (!(cqe->flags & IORING_CQE_F_MORE)) { s = sqe(); io_uring_prep_multishot_accept(s, l, NULL, NULL, 0); io_uring_sqe_set_data(s, tag(NULL, OP_ACCEPT)); }
            } else if (op == OP_RECV) {
                if (res <= 0) { do_close(c); continue; }
                size_t len = c->carry + (size_t)res, out = 0, start = 0;
                for (size_t i = 3; i < len; i++) {
                    if (c->in[i] == '\n' && c->in[i - 1] == '\r' && c->in[i - 2] == '\n' && c->in[i - 3] == '\r') {
                        int close = memmem(c->in + start, i - start, "Connection: close", 17) != NULL;
                        out += answer(c->out + out, close); start = i + 1;
                        if (close) { c->close_after = 1; break; }
                    }
                }
                memmove(c->in, c->in + start, len - start); c->carry = len - start;
                if (out) { s = sqe(); io_uring_prep_send(s, c->fd, c->out, out, MSG_NOSIGNAL); io_uring_sqe_set_data(s, tag(c, OP_SEND)); }
                else arm_recv(c);
            } else if (op == OP_SEND) {
                if (res < 0 || c->close_after) do_close(c); else arm_recv(c);
            } else if (op == OP_CLOSE) {
                free(c);
            }
        }
        io_uring_cq_advance(&ring, seen);
    }
}
