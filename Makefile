# grove — one build.  `make` builds build/libgrove.a and build/grove;
# `make test` runs every suite (also under ASan+UBSan) and ends with
# "N passed, M failed"; `make bench` compares with peers; `make fuzz`
# runs the reader fuzzer; `make demo` opens examples/demo.clj live in Emacs.
#
# Missing Debian packages are installed by .ci/install-deps (apt-get).

CC      ?= gcc
BUILD   := build
CFLAGS  := -std=gnu11 -D_GNU_SOURCE -O2 -g -fPIC -Wall -Wextra -Werror -Iruntime -I$(BUILD)
# `grove` (the language) links only LANG_LIBS, with --as-needed: the
# network libraries cost ~4 MiB RSS and ~2 ms per start (see main.c).
LANG_LIBS := -Wl,--as-needed -lreadline -lpcre2-8 -lm
LDLIBS  := -lreadline -lpcre2-8 -lczmq -lzmq -lcjson -lm
ASANFLAGS := -std=gnu11 -D_GNU_SOURCE -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
             -fno-sanitize-recover=undefined -Wall -Wextra -Werror -Iruntime -I$(BUILD)

NET_SRC := $(wildcard runtime/cli_*.c)
CLI_SRC := runtime/main.c $(NET_SRC)
LIB_SRC := $(filter-out $(CLI_SRC),$(wildcard runtime/*.c))
LIB_SRC := $(filter-out runtime/doc.c,$(LIB_SRC)) # tree-sitter: the module's (below)
LIB_OBJ := $(patsubst runtime/%.c,$(BUILD)/obj/%.o,$(LIB_SRC)) $(BUILD)/obj/core_clj.o
ASAN_OBJ := $(patsubst runtime/%.c,$(BUILD)/asan/%.o,$(LIB_SRC)) $(BUILD)/asan/core_clj.o
HDRS    := $(wildcard runtime/*.h)
UNIT_SRC := $(wildcard test/unit/test_*.c)
UNIT_BIN := $(patsubst test/unit/%.c,$(BUILD)/asan/%,$(UNIT_SRC))

.PHONY: all deps test bench fuzz demo clean unit conformance elisp

all: deps $(BUILD)/libgrove.a $(BUILD)/grove $(BUILD)/grove-net $(BUILD)/grove-broker

deps:
	@sh .ci/install-deps

# The Clojure grammar for the editor, fetched from npm (never committed).
GRAMMAR := $(BUILD)/tree-sitter-clojure-orchard/package
$(GRAMMAR)/src/parser.c:
	@mkdir -p $(BUILD)/tree-sitter-clojure-orchard
	cd $(BUILD)/tree-sitter-clojure-orchard && npm pack --silent tree-sitter-clojure-orchard@0.2.8 >/dev/null && \
	  tar xzf tree-sitter-clojure-orchard-0.2.8.tgz
	@test -f $@

$(BUILD)/test_grammar: test/grammar/test_grammar.c $(GRAMMAR)/src/parser.c
	$(CC) -std=gnu11 -O1 -w -I$(GRAMMAR)/src $^ -ltree-sitter -o $@

$(BUILD)/core_clj.c: runtime/core.clj
	@mkdir -p $(BUILD)
	@{ echo '#include <stddef.h>'; echo 'const char gv_core_clj[] ='; \
	   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $<; \
	   echo ';'; echo 'const size_t gv_core_clj_len = sizeof gv_core_clj - 1;'; } > $@

$(BUILD)/obj/%.o: runtime/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/core_clj.o: $(BUILD)/core_clj.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: runtime/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(ASANFLAGS) -c $< -o $@

$(BUILD)/asan/core_clj.o: $(BUILD)/core_clj.c
	@mkdir -p $(dir $@)
	$(CC) $(ASANFLAGS) -c $< -o $@

$(BUILD)/libgrove.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libgrove-asan.a: $(ASAN_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/grove: runtime/main.c $(BUILD)/libgrove.a
	$(CC) $(CFLAGS) $< $(BUILD)/libgrove.a $(LANG_LIBS) -o $@

$(BUILD)/grove-net: $(NET_SRC) runtime/cli.h $(BUILD)/libgrove.a
	$(CC) $(CFLAGS) $(NET_SRC) $(BUILD)/libgrove.a $(LDLIBS) -o $@

$(BUILD)/asan/grove: runtime/main.c $(BUILD)/libgrove-asan.a $(BUILD)/asan/grove-net
	$(CC) $(ASANFLAGS) $< $(BUILD)/libgrove-asan.a $(LANG_LIBS) -o $@

$(BUILD)/asan/grove-net: $(NET_SRC) runtime/cli.h $(BUILD)/libgrove-asan.a
	$(CC) $(ASANFLAGS) $(NET_SRC) $(BUILD)/libgrove-asan.a $(LDLIBS) -o $@

BROKER_SRC := $(wildcard broker/*.c)
$(BUILD)/grove-broker: $(BROKER_SRC) $(wildcard broker/*.h) $(BUILD)/libgrove.a
	$(CC) $(CFLAGS) -Ibroker $(BROKER_SRC) $(BUILD)/libgrove.a $(LDLIBS) -o $@

$(BUILD)/asan/grove-broker: $(BROKER_SRC) $(wildcard broker/*.h) $(BUILD)/libgrove-asan.a
	$(CC) $(ASANFLAGS) -Ibroker $(BROKER_SRC) $(BUILD)/libgrove-asan.a $(LDLIBS) -o $@

$(BUILD)/asan/test_%: test/unit/test_%.c $(BUILD)/libgrove-asan.a
	$(CC) $(ASANFLAGS) $< $(BUILD)/libgrove-asan.a $(LDLIBS) -o $@

# ---- the Emacs module (issue 4): build/grove-module.so ------------------
# runtime/doc.c (the tree-sitter document) is not in libgrove.a: only the
# module and its unit test link tree-sitter and the grammar.  Module code
# is compiled hidden and the version script exports only the two symbols
# Emacs looks for.
MODULE_SRC := $(wildcard module/*.c)
MODULE_OBJ := $(patsubst module/%.c,$(BUILD)/module/%.o,$(MODULE_SRC)) $(BUILD)/module/doc.o
TS_PARSER_OBJ := $(BUILD)/obj/ts_clojure_parser.o
MODULE_LIBS := -ltree-sitter -lczmq -lzmq -lcjson -lpcre2-8 -lm -lpthread

all: $(BUILD)/grove-module.so

$(TS_PARSER_OBJ): $(GRAMMAR)/src/parser.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -fPIC -w -I$(GRAMMAR)/src -c $< -o $@

$(BUILD)/module/%.o: module/%.c $(wildcard module/*.h) $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fvisibility=hidden -c $< -o $@

$(BUILD)/module/doc.o: runtime/doc.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -fvisibility=hidden -c $< -o $@

$(BUILD)/grove-module.so: $(MODULE_OBJ) $(TS_PARSER_OBJ) $(BUILD)/libgrove.a module/grove-module.map
	$(CC) -shared -Wl,--version-script=module/grove-module.map -Wl,-z,defs \
	  $(MODULE_OBJ) $(TS_PARSER_OBJ) $(BUILD)/libgrove.a $(MODULE_LIBS) -o $@

# ---- grove.el byte-compiled: lisp/*.elc (never committed) ------------------
# What `(require 'grove)' and `make demo' load: compiled code makes about a
# tenth of the garbage of the interpreted source.  A warning is an error.
# The old .elc goes first, so a failed compile never leaves it behind to
# shadow the newer .el.  grove.el requires the other two (their macros and
# inline functions are compiled into it).
ELISP_ELC := $(patsubst %.el,%.elc,$(wildcard lisp/*.el))

all: $(ELISP_ELC)
elisp: $(ELISP_ELC)

lisp/grove.elc: lisp/grove-edn.elc lisp/grove-clojure.elc
lisp/%.elc: lisp/%.el
	@rm -f $@
	emacs --batch -Q -L lisp --eval '(setq byte-compile-error-on-warn t load-prefer-newer t)' \
	  -f batch-byte-compile $<

$(BUILD)/asan/test_doc: test/unit/test_doc.c $(BUILD)/asan/doc.o $(TS_PARSER_OBJ) $(BUILD)/libgrove-asan.a
	$(CC) $(ASANFLAGS) $< $(BUILD)/asan/doc.o $(TS_PARSER_OBJ) $(BUILD)/libgrove-asan.a $(LDLIBS) -ltree-sitter -o $@

$(BUILD)/asan/test_session: test/unit/test_session.c module/session.c module/session.h $(BUILD)/asan/doc.o \
                            $(TS_PARSER_OBJ) $(BUILD)/libgrove-asan.a $(BUILD)/grove-broker
	$(CC) $(ASANFLAGS) -Imodule $< module/session.c $(BUILD)/asan/doc.o $(TS_PARSER_OBJ) \
	  $(BUILD)/libgrove-asan.a $(LDLIBS) -ltree-sitter -lpthread -o $@

$(BUILD)/asan/replay_reader: test/fuzz/replay.c test/fuzz/fuzz_reader.c $(BUILD)/libgrove-asan.a
	$(CC) $(ASANFLAGS) test/fuzz/replay.c test/fuzz/fuzz_reader.c $(BUILD)/libgrove-asan.a $(LDLIBS) -o $@

# other fuzz targets test/fuzz/fuzz_NAME.c, replayed over test/fuzz/corpus/NAME/
$(BUILD)/asan/replay_%: test/fuzz/replay.c test/fuzz/fuzz_%.c $(BUILD)/libgrove-asan.a
	$(CC) $(ASANFLAGS) $^ $(LDLIBS) -o $@

# integration-test helpers (test/integration/*.c) and network benchmarks (bench/net/*.c)
ITEST_BIN := $(patsubst test/integration/%.c,$(BUILD)/itest/%,$(wildcard test/integration/*.c))
NETBENCH_BIN := $(patsubst bench/net/%.c,$(BUILD)/bench/net_%,$(wildcard bench/net/*.c))
$(BUILD)/itest/%: test/integration/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(LDLIBS) -o $@
$(BUILD)/bench/net_%: bench/net/%.c $(BUILD)/libgrove.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $< $(BUILD)/libgrove.a $(LDLIBS) -o $@

test: all $(BUILD)/asan/grove $(BUILD)/asan/grove-broker $(UNIT_BIN) $(BUILD)/asan/replay_reader $(BUILD)/test_grammar \
      $(BUILD)/asan/replay_program $(BUILD)/asan/replay_wire $(ITEST_BIN)
	@sh test/run_all.sh

bench: all $(NETBENCH_BIN)
	@bash bench/run.sh $(BUILD)/grove
	@bash bench/net/run.sh $(BUILD)
	@bash bench/emacs/run.sh $(BUILD)

FUZZ_SRC := $(LIB_SRC) $(BUILD)/core_clj.c
$(BUILD)/fuzz_reader: test/fuzz/fuzz_reader.c $(FUZZ_SRC) $(HDRS)
	clang -std=gnu11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iruntime -I$(BUILD) \
	  test/fuzz/fuzz_reader.c $(FUZZ_SRC) $(LDLIBS) -o $@
$(BUILD)/fuzz_%: test/fuzz/fuzz_%.c $(FUZZ_SRC) $(HDRS)
	clang -std=gnu11 -D_GNU_SOURCE -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iruntime -I$(BUILD) \
	  $< $(FUZZ_SRC) $(LDLIBS) -o $@

fuzz: deps $(BUILD)/fuzz_reader $(BUILD)/fuzz_program $(BUILD)/fuzz_wire
	@mkdir -p $(BUILD)/fuzz-corpus $(BUILD)/fuzz-corpus-program $(BUILD)/fuzz-corpus-wire
	$(BUILD)/fuzz_reader -max_total_time=$${FUZZ_SECONDS:-60} $(BUILD)/fuzz-corpus test/fuzz/corpus/reader
	$(BUILD)/fuzz_program -max_total_time=$${FUZZ_SECONDS:-60} $(BUILD)/fuzz-corpus-program test/fuzz/corpus/program
	$(BUILD)/fuzz_wire -max_total_time=$${FUZZ_SECONDS:-60} $(BUILD)/fuzz-corpus-wire test/fuzz/corpus/wire

# Emacs in the terminal on examples/demo.clj, in grove-mode, with a local
# broker and nodes :alpha and :beta started for it (grove-demo in
# lisp/grove.el); quitting Emacs stops them.
# Loads the byte-compiled lisp/*.elc (fresh: `all' builds them); an .el newer
# than its .elc wins all the same; no native compilation in the background.
demo: all
	emacs -nw -Q -L lisp --eval '(setq load-prefer-newer t native-comp-deferred-compilation nil)' \
	  -l grove examples/demo.clj -f grove-demo

clean:
	rm -rf $(BUILD) lisp/*.elc
