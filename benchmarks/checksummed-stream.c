/*
 * A second ceiling for issue 11's P3 and P4: what a C server reaches when, like vfio-sim, it must
 * checksum every 4 KiB page of a device state it keeps in a memfd mapping, moving 1 MiB chunks over
 * a UNIX stream socketpair with nothing else in the way:
 *   read   (P3) the client asks with a 32-byte request; the server computes the CRC32C of each
 *          page of the next 1 MiB of the mapping and sends a 16-byte header and the chunk straight
 *          from the mapping with one sendmsg (no copy of its own);
 *   write  (P4) the client sends a 16-byte header and 1 MiB; the server receives the chunk
 *          straight into the next 1 MiB of the mapping, checksums its pages, replies 16 bytes.
 * Each mode also runs without the checksum ("bare", what sockceil's rr modes measure), so the
 * share of the socket ceiling that the checksum alone costs is read off the same run.
 * CRC32C with the SSE4.2 instruction, three pages interleaved (pages are separate records, so
 * their checksums are independent).
 * Build outside the repo:
 *     gcc -O2 -msse4.2 -o /tmp/vfio-sim-tools/checksummed-stream benchmarks/checksummed-stream.c
 * usage: checksummed-stream [STATE_MIB] [CPU|-1]   (default 256 MiB, CPU 0; -1: not pinned)
 * Output: one line per mode, "checksummed-stream: mode=M crc=yes|no chunks=N secs=S MB_per_s=R".
 */
#include "bench-common.h"
#include <nmmintrin.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

enum { CHUNK = 1 << 20, PAGE = 4096, HEADER = 16, REQUEST = 32 };

static volatile uint32_t checksum_sink;

/* The CRC32C of every page of a chunk, three pages at a time. */
static void checksum_pages(const unsigned char *chunk) {
    uint32_t sum = 0;
    for (size_t p = 0; p + 3 * PAGE <= CHUNK; p += 3 * PAGE) {
        const uint64_t *a = (const uint64_t *) (chunk + p);
        const uint64_t *b = (const uint64_t *) (chunk + p + PAGE);
        const uint64_t *c = (const uint64_t *) (chunk + p + 2 * PAGE);
        uint64_t ca = ~0u, cb = ~0u, cc = ~0u;
        for (size_t i = 0; i < PAGE / 8; i++) {
            ca = _mm_crc32_u64(ca, a[i]);
            cb = _mm_crc32_u64(cb, b[i]);
            cc = _mm_crc32_u64(cc, c[i]);
        }
        sum ^= (uint32_t) (ca ^ cb ^ cc);
    }
    for (size_t p = CHUNK - CHUNK % (3 * PAGE); p < CHUNK; p += PAGE) {   /* the one page left over */
        const uint64_t *a = (const uint64_t *) (chunk + p);
        uint64_t ca = ~0u;
        for (size_t i = 0; i < PAGE / 8; i++) {
            ca = _mm_crc32_u64(ca, a[i]);
        }
        sum ^= (uint32_t) ca;
    }
    checksum_sink = sum;
}

static void serve(int fd, unsigned char *state, size_t chunks, int writing, int crc) {
    unsigned char header[HEADER] = { 0 }, request[REQUEST];
    for (size_t i = 0;; i = (i + 1) % chunks) {
        unsigned char *chunk = state + i * CHUNK;
        if (writing) {
            if (transfer_fully(fd, header, HEADER, 1) != 0 || transfer_fully(fd, chunk, CHUNK, 1) != 0) {
                return;
            }
            if (crc) {
                checksum_pages(chunk);
            }
            if (transfer_fully(fd, header, HEADER, 0) != 0) {
                return;
            }
        } else {
            if (transfer_fully(fd, request, REQUEST, 1) != 0) {
                return;
            }
            if (crc) {
                checksum_pages(chunk);
            }
            struct iovec out[2] = { { header, HEADER }, { chunk, CHUNK } };
            size_t left = HEADER + CHUNK;
            struct msghdr m = { 0 };
            m.msg_iov = out;
            m.msg_iovlen = 2;
            while (left > 0) {
                ssize_t n = sendmsg(fd, &m, MSG_NOSIGNAL);
                if (n <= 0) {
                    return;
                }
                left -= (size_t) n;
                while (n > 0 && m.msg_iovlen > 0) {   /* step past what went out */
                    size_t step = (size_t) n < m.msg_iov[0].iov_len ? (size_t) n : m.msg_iov[0].iov_len;
                    m.msg_iov[0].iov_base = (char *) m.msg_iov[0].iov_base + step;
                    m.msg_iov[0].iov_len -= step;
                    n -= (ssize_t) step;
                    if (m.msg_iov[0].iov_len == 0) {
                        m.msg_iov++;
                        m.msg_iovlen--;
                    }
                }
            }
        }
    }
}

static double measure(unsigned char *state, size_t chunks, int writing, int crc, int cpu) {
    int fd;
    pid_t server = fork_peer(cpu, &fd);
    if (server == 0) {
        serve(fd, state, chunks, writing, crc);
        _exit(0);
    }
    unsigned char *buf = malloc(HEADER + CHUNK);
    memset(buf, 0x5a, HEADER + CHUNK);
    double t0 = 0;
    long rounds = (long) chunks * 3;   /* one pass to warm up, two measured */
    for (long i = 0; i < rounds; i++) {
        if (i == (long) chunks) {
            t0 = seconds();
        }
        int failed = writing
                ? transfer_fully(fd, buf, HEADER + CHUNK, 0) != 0 || transfer_fully(fd, buf, HEADER, 1) != 0
                : transfer_fully(fd, buf, REQUEST, 0) != 0 || transfer_fully(fd, buf, HEADER + CHUNK, 1) != 0;
        if (failed) {
            perror("round trip");
            exit(1);
        }
    }
    double secs = seconds() - t0;
    close(fd);
    waitpid(server, NULL, 0);
    free(buf);
    return secs;
}

int main(int argc, char **argv) {
    long mib = argc > 1 ? atol(argv[1]) : 256;
    int cpu = argc > 2 ? atoi(argv[2]) : 0;
    if (mib <= 0) {
        fprintf(stderr, "usage: checksummed-stream [STATE_MIB] [CPU|-1]\n");
        return 2;
    }
    size_t chunks = (size_t) mib;
    int memfd = memfd_create("checksummed-stream-state", 0);
    if (memfd < 0 || ftruncate(memfd, (off_t) chunks * CHUNK) != 0) {
        perror("memfd");
        return 1;
    }
    unsigned char *state = mmap(NULL, chunks * CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (state == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    for (size_t i = 0; i < chunks * CHUNK; i += 64) {
        state[i] = (unsigned char) (i >> 6);
    }
    pin(cpu);
    const char *modes[] = { "read", "write" };
    for (int writing = 0; writing <= 1; writing++) {
        for (int crc = 0; crc <= 1; crc++) {
            double secs = measure(state, chunks, writing, crc, cpu);
            printf("checksummed-stream: mode=%s crc=%s chunks=%zu secs=%.3f MB_per_s=%.1f\n", modes[writing],
                    crc ? "yes" : "no", 2 * chunks, secs, 2.0 * chunks * CHUNK / secs / 1e6);
        }
    }
    return 0;
}
