# crf - terminal eCRF.  See README.md.
#
#   make run     set up (apt-get), build, start crf
#   make check   set up, build, run every test
#   make asan    every test under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench   benchmarks (numbers go to docs/benchmarks.md)
#   V=1          show the compiler command lines

CC       ?= cc
CFLAGS   ?= -O2 -g
WARN      = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
STD       = -std=c11 -D_GNU_SOURCE
INI_CFLAGS = -I/usr/include/iniparser
PKGS      = sqlite3 libsodium libxml-2.0
CURSES_PKG = ncursesw
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libxml2 is not linked: src/core/xmlrt.c dlopen()s it for export, check and
# import only (crf/xmlrt.h), so the full-screen program never maps it, ICU or
# libstdc++.  Its headers are still used; the soname comes from the -dev link.
LINK_PKGS  = $(filter-out libxml-2.0,$(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null) -ldl
# Unit tests that read XML themselves (test_print) still link it.
XML_LIBS   = $(shell pkg-config --libs libxml-2.0 2>/dev/null)
XML_SONAME = $(shell objdump -p $$(pkg-config --variable=libdir libxml-2.0)/libxml2.so 2>/dev/null | awk '/SONAME/ {print $$2}')
CURSES_CFLAGS = $(shell pkg-config --cflags $(CURSES_PKG) 2>/dev/null)
CURSES_LIBS   = $(shell pkg-config --libs $(CURSES_PKG) 2>/dev/null)
ALL_CFLAGS = $(STD) $(WARN) $(CFLAGS) -Iinclude $(INI_CFLAGS) $(PKG_CFLAGS) $(TGT_CFLAGS) $(EXTRA_CFLAGS)
CORE_LIBS  = $(PKG_LIBS) -liniparser -lm

B         ?= build
Q          = $(if $(V),,@)

CORE_SRC  = $(sort $(wildcard src/core/*.c))
TUI_SRC   = $(sort $(wildcard src/tui/*.c))
CLI_SRC   = $(sort $(wildcard src/cli/*.c)) src/main.c
UNIT_SRC  = $(sort $(wildcard tests/unit/test_*.c))

CORE_OBJ  = $(CORE_SRC:%.c=$(B)/%.o)
TUI_OBJ   = $(TUI_SRC:%.c=$(B)/%.o)
CLI_OBJ   = $(CLI_SRC:%.c=$(B)/%.o)
TCORE_OBJ = $(CORE_SRC:%.c=$(B)/t/%.o)
UNIT_BIN  = $(UNIT_SRC:tests/unit/%.c=$(B)/t/%)

# Debian packages crf needs to build and test.
DEB_PKGS  = gcc make pkg-config libncurses-dev libsqlite3-dev libiniparser-dev \
            libsodium-dev libxml2-dev libxml2-utils libcmocka-dev tmux sqlite3 \
            r-base-core

.PHONY: all deps run check test test-unit test-cli asan bench clean
all: crf

crf: $(B)/crf
	$(Q)cp $(B)/crf crf

deps:
	@sh tests/deps.sh $(DEB_PKGS)

run: deps
	$(Q)$(MAKE) --no-print-directory crf
	./crf

check: deps
	$(Q)$(MAKE) --no-print-directory crf $(UNIT_BIN)
	$(Q)sh tests/run.sh $(B)

test: check

asan: deps
	$(Q)$(MAKE) --no-print-directory B=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" crf $(UNIT_SRC:tests/unit/%.c=build-asan/t/%)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  CRF_SANITIZED=1 sh tests/run.sh build-asan

bench: deps
	$(Q)$(MAKE) --no-print-directory crf $(B)/bench_core
	$(Q)sh tests/bench.sh $(B)

$(B)/bench_core: tests/bench/bench_core.c $(B)/libcrfcore.a
	@echo "  LD      $@"
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libcrfcore.a $(CORE_LIBS)

$(B)/crf: $(CLI_OBJ) $(TUI_OBJ) $(B)/libcrfcore.a
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(TUI_OBJ) $(B)/libcrfcore.a $(CURSES_LIBS) $(CORE_LIBS)

$(B)/libcrfcore.a: $(CORE_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $(CORE_OBJ)

$(B)/t/libcrfcore.a: $(TCORE_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $(TCORE_OBJ)

# The model never sees curses: only src/tui gets its flags.
$(B)/src/tui/%.o: src/tui/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) $(CURSES_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/src/core/xmlrt.o $(B)/t/src/core/xmlrt.o: TGT_CFLAGS = -DCRF_LIBXML2_SONAME='"$(or $(XML_SONAME),libxml2.so.2)"'

$(B)/src/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/t/src/core/%.o: src/core/%.c
	@mkdir -p $(@D)
	@echo "  CC      $< (tests)"
	$(Q)$(CC) $(ALL_CFLAGS) -DCRF_TESTING -MMD -MP -c -o $@ $<

$(B)/t/test_%: tests/unit/test_%.c $(B)/t/libcrfcore.a
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(ALL_CFLAGS) -DCRF_TESTING $(LDFLAGS) -o $@ $< $(B)/t/libcrfcore.a $(CORE_LIBS) $(XML_LIBS) -lcmocka

clean:
	rm -rf build build-asan crf

-include $(CORE_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TUI_OBJ:.o=.d) $(TCORE_OBJ:.o=.d)
