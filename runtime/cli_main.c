/* cli_main.c — `grove-net`, the networked commands of the grove command
 * line: `grove node|push|nodes|eval ...` runs this binary with its own
 * arguments (see main.c).  It links czmq, libzmq and cJSON; `grove` does
 * not. */
#include "cli.h"

#include <string.h>

int main(int argc, char **argv) {
    if (argc >= 2) {
        if (strcmp(argv[1], "node") == 0) return cli_node(argc - 2, argv + 2);
        if (strcmp(argv[1], "push") == 0) return cli_push(argc - 2, argv + 2);
        if (strcmp(argv[1], "nodes") == 0) return cli_nodes(argc - 2, argv + 2);
        if (strcmp(argv[1], "eval") == 0) return cli_eval(argc - 2, argv + 2);
    }
    fputs("usage: grove node|push|nodes|eval ... (see grove --help)\n", stderr);
    return 2;
}
