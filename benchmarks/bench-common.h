/*
 * What the C baselines of this directory share (msg-echo.c, checksummed-stream.c): a monotonic
 * clock, CPU pinning, a server process on the far end of a socketpair, and whole transfers.
 */
#ifndef VFIO_SIM_BENCH_COMMON_H
#define VFIO_SIM_BENCH_COMMON_H

#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* Pins the calling process to one CPU; a negative CPU leaves it free. */
static void pin(int cpu) {
    if (cpu < 0) {
        return;
    }
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) {
        perror("sched_setaffinity");
        exit(1);
    }
}

/*
 * fork(2) with a UNIX stream socketpair between parent and child: returns the child's pid in the
 * parent and 0 in the child (pinned to CPU), *fd being each side's own end.
 */
static pid_t fork_peer(int cpu, int *fd) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        perror("socketpair");
        exit(1);
    }
    pid_t child = fork();
    if (child < 0) {
        perror("fork");
        exit(1);
    }
    close(sv[child == 0 ? 0 : 1]);
    *fd = sv[child == 0 ? 1 : 0];
    if (child == 0) {
        pin(cpu);
    }
    return child;
}

/* Reads (receiving) or writes n bytes whole; -1 if the peer is gone. */
static int transfer_fully(int fd, void *buf, size_t n, int receiving) {
    for (size_t done = 0; done < n;) {
        ssize_t r = receiving ? read(fd, (char *) buf + done, n - done) : write(fd, (char *) buf + done, n - done);
        if (r <= 0) {
            return -1;
        }
        done += (size_t) r;
    }
    return 0;
}

#endif
