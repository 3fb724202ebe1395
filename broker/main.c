/* main.c — grove-broker's command line.
 *
 * Parses the options, binds, prints "listening on ENDPOINT" on stdout (so
 * a script that bound port * learns the port) and serves until SIGINT or
 * SIGTERM, then closes the socket and exits 0.  czmq's own handler catches
 * the signals (it sets zsys_interrupted, which ends the loop).
 */
#include "broker.h"
#include "grove.h"
#include "wire.h"

#include <czmq.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static const char usage[] =
    "usage: grove-broker [--bind ENDPOINT] [--max-msg BYTES] [--history N]\n"
    "                    [--heartbeat MS] [--quiet] [--help] [--version]\n"
    "\n"
    "The grove broker: nodes and editors connect to it (docs/PROTOCOL.md).\n"
    "  --bind ENDPOINT   where to listen (default " GW_DEFAULT_ENDPOINT ");\n"
    "                    a port of * picks a free one, printed on stdout;\n"
    "                    *[FROM-TO] picks one in a range (czmq's syntax)\n"
    "  --max-msg BYTES   largest frame accepted (default 1048576; K and M suffixes)\n"
    "  --history N       values kept per query per session (default 100)\n"
    "  --heartbeat MS    heartbeat interval (default 1000); a peer silent for\n"
    "                    3 intervals is dropped\n"
    "  --quiet           no join/leave lines (warnings are still shown)\n";

/* Parses a whole non-negative number with an optional K/M suffix (x1024). */
static bool parse_size(const char *s, size_t lo, size_t hi, size_t *out) {
    if (!s || !*s || *s == '-') return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s) return false;
    unsigned long long unit = 1;
    if (*end == 'k' || *end == 'K') { unit = 1024; end++; }
    else if (*end == 'm' || *end == 'M') { unit = 1024 * 1024; end++; }
    if (*end || v > hi / unit) return false; /* also: V * UNIT would wrap */
    v *= unit;
    if (v < lo) return false;
    *out = (size_t)v;
    return true;
}

int main(int argc, char **argv) {
    gb_options o = {GW_DEFAULT_ENDPOINT, GW_DEFAULT_MAX_MSG, 100, GW_HEARTBEAT_MS, false};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        const char *eq = strchr(a, '=');
        char name[32];
        size_t nlen = eq ? (size_t)(eq - a) : strlen(a);
        if (nlen >= sizeof name) nlen = sizeof name - 1;
        memcpy(name, a, nlen);
        name[nlen] = '\0';
        bool takes = strcmp(name, "--bind") == 0 || strcmp(name, "--max-msg") == 0 ||
                     strcmp(name, "--history") == 0 || strcmp(name, "--heartbeat") == 0;
        if (takes) {
            if (eq) val = eq + 1;
            else if (i + 1 < argc) val = argv[++i];
            else {
                fprintf(stderr, "grove-broker: %s needs a value\n%s", name, usage);
                return 2;
            }
        }
        size_t n;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("grove-broker %s (protocol %d)\n", GROVE_VERSION, GW_VERSION);
            return 0;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            o.quiet = true;
        } else if (strcmp(name, "--bind") == 0) {
            if (!*val) {
                fprintf(stderr, "grove-broker: --bind needs an endpoint\n");
                return 2;
            }
            o.bind = val;
        } else if (strcmp(name, "--max-msg") == 0) {
            if (!parse_size(val, 64, (size_t)1 << 30, &n)) {
                fprintf(stderr, "grove-broker: --max-msg wants bytes from 64 to 1G, not %s\n", val);
                return 2;
            }
            o.max_msg = n;
        } else if (strcmp(name, "--history") == 0) {
            if (!parse_size(val, 0, 1000000, &n)) {
                fprintf(stderr, "grove-broker: --history wants a count from 0 to 1000000, not %s\n",
                        val);
                return 2;
            }
            o.history = n;
        } else if (strcmp(name, "--heartbeat") == 0) {
            if (!parse_size(val, 10, 3600000, &n)) {
                fprintf(stderr, "grove-broker: --heartbeat wants ms from 10 to 3600000, not %s\n",
                        val);
                return 2;
            }
            o.heartbeat_ms = (int)n;
        } else {
            fprintf(stderr, "grove-broker: unknown option %s\n%s", a, usage);
            return 2;
        }
    }

    /* every connected peer is a file descriptor: allow as many as we may */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }

    char err[256];
    gb_broker *b = gb_broker_new(&o, err, sizeof err);
    if (!b) {
        fprintf(stderr, "grove-broker: %s\n", err);
        return 1;
    }
    printf("listening on %s\n", gb_broker_endpoint(b));
    fflush(stdout);
    gb_broker_run(b);
    gb_broker_destroy(&b);
    if (!o.quiet) fprintf(stderr, "grove-broker: stopped\n");
    return 0;
}
