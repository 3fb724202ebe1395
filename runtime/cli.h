/* cli.h — the networked commands of the `grove` binary (cli_*.c, linked
 * only into build/grove, never into libgrove): `grove node`, `grove push`,
 * `grove nodes` and `grove eval`, plus the few helpers they share
 * (cli_common.c).  Each command takes the arguments after its name and
 * returns the process exit status.
 */
#ifndef GROVE_CLI_H
#define GROVE_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "client.h"

int cli_node(int argc, char **argv);
int cli_push(int argc, char **argv);
int cli_nodes(int argc, char **argv);
int cli_eval(int argc, char **argv);

/* The broker endpoint: FLAG when given, else $GROVE_BROKER when set and
 * not empty, else GW_DEFAULT_ENDPOINT. */
const char *cli_endpoint(const char *flag);

/* Matches ARGV[*I] against option NAME ("--broker"): either "--broker
 * VALUE" (then *I moves past VALUE) or "--broker=VALUE".  Returns the
 * value, or NULL when ARGV[*I] is another argument.  A missing value is
 * reported on stderr (prefixed with CMD) and sets *BAD. */
const char *cli_opt(const char *cmd, int argc, char **argv, int *i, const char *name, bool *bad);

/* A heartbeat interval in milliseconds (1 to 3600000) from text S, or 0
 * when S is not one. */
int cli_ms(const char *s);

/* Switches czmq's signal handling off and installs a SIGINT/SIGTERM
 * handler that only raises a flag (the one piece of global state of the
 * binary: a signal handler has nowhere else to write).  Call before the
 * first socket is made. */
void cli_signals_init(void);
bool cli_stopped(void);

/* Waits up to TIMEOUT_MS (>= 0) for C's socket to become readable.
 * Returns false when it did not (timeout, or a signal). */
bool cli_wait(gw_client *c, int timeout_ms);


/* True when ":" NAME reads back as one keyword: NAME is not empty and
 * holds no whitespace, control character or delimiter of the reader. */
bool cli_kw_name_ok(const char *name);

/* EDN output.  cli_edn_str writes S (NULL: nil) as a string literal with
 * the escapes of grove's printer (\" \\ \n \t \r \f \b); cli_edn_kw
 * writes NAME as a keyword (":" NAME; NULL: nil; a NAME that would not
 * read back as a keyword, e.g. from a peer, as a string); cli_edn_raw
 * writes EDN text as it is (NULL: nil). */
void cli_edn_str(FILE *f, const char *s);
void cli_edn_kw(FILE *f, const char *name);
void cli_edn_raw(FILE *f, const char *edn);

#endif
