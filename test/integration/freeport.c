/* freeport.c — prints N free TCP ports on 127.0.0.1 (default 1), one per
 * line, for the integration tests and network benchmarks to bind per run.
 * Ports are picked at random below Linux's ephemeral range (20000-32767):
 * a client reconnecting to a free ephemeral port can connect to itself
 * (TCP self-connect) and libzmq 4.3 then stops retrying, which would break
 * the tests that restart a broker on its port.  All N sockets are held
 * bound until every port is printed, so the ports are distinct. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LO 20000
#define HI 32767

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 1;
    if (n < 1 || n > 64) { fputs("usage: freeport [N<=64]\n", stderr); return 2; }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    srand((unsigned)(ts.tv_nsec ^ (getpid() << 16)));
    int fds[64];
    for (int i = 0; i < n; i++) {
        int tries = 0;
        for (;;) {
            if (++tries > 1000) { fputs("freeport: no free port\n", stderr); return 1; }
            fds[i] = socket(AF_INET, SOCK_STREAM, 0);
            if (fds[i] < 0) { perror("freeport"); return 1; }
            struct sockaddr_in a = {.sin_family = AF_INET};
            a.sin_port = htons((uint16_t)(LO + rand() % (HI - LO + 1)));
            a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (bind(fds[i], (struct sockaddr *)&a, sizeof a) == 0) {
                printf("%d\n", ntohs(a.sin_port));
                break;
            }
            close(fds[i]);
        }
    }
    for (int i = 0; i < n; i++) close(fds[i]);
    return 0;
}
