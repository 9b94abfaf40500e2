/*
 * A second ceiling for issue 11's P1: the round trip of a 4-byte register read (32-byte request,
 * 36-byte reply) over a UNIX stream socketpair, client and server processes pinned to one CPU,
 * with the server answering in one of two ways:
 *   plain  read(2) + write(2), what sockceil's echo does;
 *   msg    what any vfio-user server must do, since every message may carry fds: recvmsg(2) into
 *          a read-ahead buffer with room for SCM_RIGHTS (MSG_CMSG_CLOEXEC), and the reply as
 *          sendmsg(2) of two iovecs (header, body).
 * Both are measured in the same run, so msg/plain is the share of the echo ceiling that a server
 * doing nothing but the unavoidable system calls reaches here. Build outside the repo:
 *     gcc -O2 -o /tmp/vfio-sim-tools/msg-echo benchmarks/msg-echo.c
 * usage: msg-echo [ROUND_TRIPS] [CPU]   (default 200000 after 50000 warm-up, CPU 0)
 * Output: one line per mode, "msg-echo: mode=M ops=N secs=S ops_per_s=R".
 */
#include "bench-common.h"
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>

enum { REQUEST = 32, REPLY = 36, HEADER = 16, MAX_FDS = 8, READ_AHEAD = 8192 };

/* Answers every request until the client hangs up. */
static void serve(int fd, int msg_mode) {
    char ahead[READ_AHEAD];
    char control[CMSG_SPACE(MAX_FDS * sizeof(int))];
    char reply[REPLY];
    memset(reply, 0, sizeof reply);
    for (;;) {
        ssize_t got;
        if (msg_mode) {
            struct iovec in = { ahead, sizeof ahead };
            struct msghdr m = { 0 };
            m.msg_iov = &in;
            m.msg_iovlen = 1;
            m.msg_control = control;
            m.msg_controllen = sizeof control;
            got = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
            if (got <= 0) {
                return;
            }
            struct iovec out[2] = { { reply, HEADER }, { reply + HEADER, REPLY - HEADER } };
            struct msghdr w = { 0 };
            w.msg_iov = out;
            w.msg_iovlen = 2;
            if (sendmsg(fd, &w, MSG_NOSIGNAL) != REPLY) {
                return;
            }
        } else {
            got = read(fd, ahead, REQUEST);
            if (got <= 0 || write(fd, reply, REPLY) != REPLY) {
                return;
            }
        }
    }
}

static double measure(int msg_mode, long n, int cpu) {
    int fd;
    pid_t server = fork_peer(cpu, &fd);
    if (server == 0) {
        serve(fd, msg_mode);
        _exit(0);
    }
    char request[REQUEST] = { 0 }, reply[REPLY];
    double t0 = 0;
    for (long i = -50000; i < n; i++) {
        if (i == 0) {
            t0 = seconds();
        }
        if (write(fd, request, REQUEST) != REQUEST || transfer_fully(fd, reply, REPLY, 1) != 0) {
            perror("round trip");
            exit(1);
        }
    }
    double secs = seconds() - t0;
    close(fd);
    waitpid(server, NULL, 0);
    return secs;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 200000;
    int cpu = argc > 2 ? atoi(argv[2]) : 0;
    if (n <= 0) {
        fprintf(stderr, "usage: msg-echo [ROUND_TRIPS] [CPU]\n");
        return 2;
    }
    pin(cpu);
    for (int msg_mode = 0; msg_mode <= 1; msg_mode++) {
        double secs = measure(msg_mode, n, cpu);
        printf("msg-echo: mode=%s ops=%ld secs=%.3f ops_per_s=%.0f\n", msg_mode ? "msg" : "plain", n, secs, n / secs);
    }
    return 0;
}
