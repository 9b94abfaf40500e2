/*
 * The ceiling for issue 11's P6: how many eventfd signals per second one thread of this machine
 * makes, i.e. write(2) of the 8-byte value 1 to an eventfd in a loop, the system call vfio-sim's
 * engine makes per MSI-X interrupt. Build outside the repo:
 *     gcc -O2 -o /tmp/vfio-sim-tools/eventfd-loop benchmarks/eventfd-loop.c
 * usage: eventfd-loop [SIGNALS] [--guarded]   (default 2000000); the last line is
 * "eventfd-loop: ... per_s=N". --guarded asks fcntl(F_GETFL) before every write, as a server must
 * when a client it does not trust can make its eventfd blocking and fill the counter: the ceiling
 * for a device that never blocks on a hostile eventfd.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 2000000;
    int guarded = argc > 2 && strcmp(argv[2], "--guarded") == 0;
    int fd = eventfd(0, EFD_CLOEXEC);
    if (fd < 0 || n <= 0) {
        perror("eventfd-loop");
        return 1;
    }
    uint64_t one = 1;
    for (long i = 0; i < n / 10; i++) {   /* warm-up */
        if (write(fd, &one, sizeof one) != sizeof one) { perror("write"); return 1; }
    }
    double t0 = seconds();
    for (long i = 0; i < n; i++) {
        if (guarded && fcntl(fd, F_GETFL) < 0) { perror("fcntl"); return 1; }
        if (write(fd, &one, sizeof one) != sizeof one) { perror("write"); return 1; }
    }
    double secs = seconds() - t0;
    printf("eventfd-loop: mode=%s signals=%ld secs=%.3f per_s=%.0f\n", guarded ? "guarded" : "bare", n, secs, n / secs);
    return 0;
}
