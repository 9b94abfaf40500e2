/*
 * Plays a service manager for `vfio-sim serve --fd=N`: creates a listening UNIX stream socket at
 * argv[1], puts it on fd 3 and execs argv[2..] with it inherited (socket activation). Used by a test;
 * Java cannot hand a child process an arbitrary fd.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s SOCKET-PATH COMMAND [ARG...]\n", argv[0]);
        return 2;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    if (fd < 0 || strlen(argv[1]) >= sizeof(addr.sun_path)) {
        perror("socket");
        return 1;
    }
    strcpy(addr.sun_path, argv[1]);
    unlink(argv[1]);
    if (bind(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0 || listen(fd, 4) < 0) {
        perror("bind/listen");
        return 1;
    }
    if (fd != 3 && (dup2(fd, 3) < 0 || close(fd) < 0)) {
        perror("dup2");
        return 1;
    }
    execvp(argv[2], argv + 2);
    perror("exec");
    return 1;
}
