/* test_grammar.c — checks that the fetched Clojure grammar
 * (tree-sitter-clojure-orchard, from npm) loads into Debian's
 * libtree-sitter and parses the forms the editor will look for. */
#include <stdio.h>
#include <string.h>
#include <tree_sitter/api.h>

const TSLanguage *tree_sitter_clojure_orchard(void);

static int pass, fail;

static void check(const char *src, const char *want_sexp_part) {
    TSParser *p = ts_parser_new();
    if (!ts_parser_set_language(p, tree_sitter_clojure_orchard())) {
        fail++;
        puts("FAIL grammar ABI not accepted by libtree-sitter");
        ts_parser_delete(p);
        return;
    }
    TSTree *t = ts_parser_parse_string(p, NULL, src, (uint32_t)strlen(src));
    char *s = ts_node_string(ts_tree_root_node(t));
    if (strstr(s, want_sexp_part)) pass++;
    else { fail++; printf("FAIL %s\n  want part: %s\n  got: %s\n", src, want_sexp_part, s); }
    free(s);
    ts_tree_delete(t);
    ts_parser_delete(p);
}

int main(void) {
    check("(+ 1 2)", "(list_lit value: (sym_lit name: (sym_name)) value: (num_lit) value: (num_lit))");
    check("[:a {:b #{1}}]", "(vec_lit value: (kwd_lit name: (kwd_name)) value: (map_lit");
    check("#_(ignored) x", "(dis_expr");
    check("; note\n(f)", "(comment)");
    check("#(inc %)", "(anon_fn_lit");
    printf("grammar: %d passed, %d failed\n", pass, fail);
    return fail != 0;
}
