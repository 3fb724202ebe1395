/* replay.c — runs LLVMFuzzerTestOneInput over every file of the
 * directories (or files) named on the command line, without libFuzzer:
 * `make test` builds it with ASan+UBSan to replay the seed corpus and any
 * crash inputs kept there.  Prints "replay: N passed, 0 failed"; a crash
 * or sanitizer report ends the process with an error instead. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Runs one file; returns 1 if it was read, 0 if it could not be. */
static int run_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t k;
    while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
        n += k;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) { free(buf); buf = NULL; }
            else buf = nb;
        }
    }
    fclose(f);
    if (!buf) return 0;
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 1;
}

int main(int argc, char **argv) {
    int ran = 0, failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) { fprintf(stderr, "replay: cannot open %s\n", argv[i]); failed++; continue; }
        if (!S_ISDIR(st.st_mode)) { if (run_file(argv[i])) ran++; else failed++; continue; }
        DIR *d = opendir(argv[i]);
        if (!d) { failed++; continue; }
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.') continue;
            size_t len = strlen(argv[i]) + strlen(e->d_name) + 2;
            char *p = malloc(len);
            if (!p) { failed++; continue; }
            snprintf(p, len, "%s/%s", argv[i], e->d_name);
            if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                if (run_file(p)) ran++;
                else failed++;
            }
            free(p);
        }
        closedir(d);
    }
    printf("replay: %d passed, %d failed\n", ran, failed);
    return failed ? 1 : 0;
}
