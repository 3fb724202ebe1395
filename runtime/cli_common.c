/* cli_common.c — helpers shared by the networked commands (cli.h):
 * option parsing, the broker endpoint, signals, waiting on a client's
 * socket and EDN output. */
#include "cli.h"
#include "gv.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* Raised by SIGINT/SIGTERM; read by the command loops. */
static volatile sig_atomic_t stop_flag;

static void on_signal(int sig) {
    (void)sig;
    stop_flag = 1;
}

void cli_signals_init(void) {
    zsys_handler_set(NULL); /* czmq would install its own at the first socket */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* no SA_RESTART: a signal ends zmq_poll with EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

bool cli_stopped(void) { return stop_flag != 0; }

const char *cli_endpoint(const char *flag) {
    if (flag) return flag;
    const char *env = getenv("GROVE_BROKER");
    if (env && *env) return env;
    return GW_DEFAULT_ENDPOINT;
}

const char *cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name, bool *bad) {
    const char *a = argv[*i];
    size_t n = strlen(name);
    if (strncmp(a, name, n) != 0) return NULL;
    if (a[n] == '=') return a + n + 1;
    if (a[n] != 0) return NULL;
    if (*i + 1 >= argc) {
        fprintf(stderr, "grove %s: %s needs a value\n", cmd, name);
        *bad = true;
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

int cli_ms(const char *s) {
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end && v > 0 && v <= 3600000 ? (int)v : 0;
}

bool cli_wait(gw_client *c, int timeout_ms) {
    if (timeout_ms < 0) timeout_ms = 0;
    zmq_pollitem_t it = {zsock_resolve(gw_client_sock(c)), 0, ZMQ_POLLIN, 0};
    int rc = zmq_poll(&it, 1, timeout_ms);
    return rc > 0 && (it.revents & ZMQ_POLLIN);
}

/* Owner of the result: the caller. */
void cli_edn_str(FILE *f, const char *s) {
    if (!s) { fputs("nil", f); return; }
    gv_buf b;
    gv_buf_init(&b);
    gv_buf_put_escaped(&b, s, strlen(s));
    fputs(b.p, f);
    gv_buf_free(&b);
}

bool cli_kw_name_ok(const char *name) {
    if (!name || !*name || *name == ':' || *name == '#') return false;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("()[]{}\",;\\@^`~'", *p)) return false;
    return true;
}

void cli_edn_kw(FILE *f, const char *name) {
    if (!name) { fputs("nil", f); return; }
    if (!cli_kw_name_ok(name)) { cli_edn_str(f, name); return; }
    putc(':', f);
    fputs(name, f);
}

void cli_edn_raw(FILE *f, const char *edn) { fputs(edn && *edn ? edn : "nil", f); }
