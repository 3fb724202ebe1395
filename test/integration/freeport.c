/* freeport.c — prints N free TCP ports on 127.0.0.1 (default 1), one per
 * line, for the integration tests and network benchmarks to bind per run.
 * All N sockets are held bound until every port is printed, so the ports
 * are distinct; the kernel hands out ephemeral ports in sequence, so a
 * port just released is not given again at once. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 1 || n > 64) { fputs("usage: freeport [N<=64]\n", stderr); return 2; }
    int fds[64];
    for (int i = 0; i < n; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&a, sizeof a) != 0 ||
            getsockname(fds[i], (struct sockaddr *)&a, &len) != 0) {
            perror("freeport");
            return 1;
        }
        printf("%d\n", ntohs(a.sin_port));
    }
    for (int i = 0; i < n; i++) close(fds[i]);
    return 0;
}
