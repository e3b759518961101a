# quizd: the contest backend. `make run` runs the whole system locally,
# `make test` runs every test; both install missing Debian packages first.

CC      ?= cc
PKGS     = libcurl jansson hiredis libmariadb
WARN     = -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 $(WARN) -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lmbedtls -lmbedx509 -lmbedcrypto \
           -lqrencode -lpng -lhpdf -lxlsxwriter -largon2 -lpthread -lm

# `make SANITIZER=address,undefined` builds into build-asan/ (as Redis does).
ifdef SANITIZER
BUILD   := build-asan
CFLAGS  := $(filter-out -O2,$(CFLAGS)) -O1 -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=$(SANITIZER)
else
BUILD   := build
endif

# The layers, lowest first (LAYERS says what each may include). Each builds
# into its own archive, and the archives are linked highest first, so a
# lower layer that calls into a higher one fails to link.
LAYERS_LO = lib server rules wx engines handlers app
LAYERS_HI = app handlers engines wx rules server lib
layer_src = $(filter-out app/main.c,$(wildcard $(1)/*.c $(1)/*/*.c))
LAYER_LIBS = $(LAYERS_HI:%=$(BUILD)/lib%.a)
LIB_SRC  = $(foreach l,$(LAYERS_LO),$(call layer_src,$(l)))
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
FUZZ_SECONDS ?= 20
# What the fuzz targets may link: parsers and pure rules, no threads or stores.
FUZZ_LIB = server/request.c server/log.c server/fcgi.c server/arena.c $(wildcard rules/*.c) \
           lib/csv.c lib/crypto.c lib/utf8.c lib/iso8601.c lib/mono.c

# The certificate font: WenQuanYi Micro Hei with composite glyphs made
# simple, which libharu's subsetting needs (scripts/cert-font.py says why).
# Shared by every build folder; about two minutes to make, once.
CERT_FONT = build-font/cert-font.ttf
WQY_TTC   = /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

.PHONY: all deps run test check-layers unit-tests integration-tests asan fuzz fuzz-long bench clean smoke crowd crash-test
all: $(BUILD)/quizd $(UNIT_BIN) $(BUILD)/layers-linked $(CERT_FONT)

deps:
	@scripts/deps.sh

# Lua scripts are built into the binary: each x.lua becomes x.lua.h under
# $(BUILD)/gen, one C string literal, included where the script is used
# (#include "engines/boards/apply.lua.h").
LUA_SRC  = $(wildcard */*.lua */*/*.lua)
LUA_GEN  = $(LUA_SRC:%=$(BUILD)/gen/%.h)
CFLAGS  += -I$(BUILD)/gen
$(BUILD)/gen/%.lua.h: %.lua
	@mkdir -p $(dir $@)
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$$/\\n"/' $< > $@
$(LIB_OBJ): | $(LUA_GEN)
# request.c names statuses (status.c) for the fuzz targets too
FUZZ_LIB += server/status.c

$(CERT_FONT): scripts/cert-font.py
	@mkdir -p $(dir $@)
	/usr/bin/python3 scripts/cert-font.py $(WQY_TTC) $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

define layer_archive
$(BUILD)/lib$(1).a: $(patsubst %.c,$(BUILD)/%.o,$(call layer_src,$(1)))
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach l,$(LAYERS_LO),$(eval $(call layer_archive,$(l))))

# Each layer's archive, whole, links with only the layers below it: a call
# into a higher layer is then an undefined symbol, even where the full link
# would have found it.
$(BUILD)/layers-linked: $(LAYER_LIBS) scripts/link-layers.sh
	@CC="$(CC)" LDFLAGS="$(LDFLAGS)" LDLIBS="$(LDLIBS)" scripts/link-layers.sh $(BUILD) $(LAYERS_LO) >/dev/null
	@touch $@

$(BUILD)/quizd: $(BUILD)/app/main.o $(LAYER_LIBS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(LAYER_LIBS) tests/unit/check.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LAYER_LIBS) $(LDLIBS)

# No folder includes a higher layer, and no two folders include each other.
check-layers:
	@python3 scripts/check-layers.py
	@BUILD=$(BUILD) python3 tests/layers/test_check_layers.py

print-%:
	@echo '$($*)'

# Fuzz targets: clang's libFuzzer with ASan/UBSan, on the library sources.
build-fuzz/%: tests/fuzz/%.c $(FUZZ_LIB)
	@mkdir -p build-fuzz
	clang -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined \
	    $(shell pkg-config --cflags $(PKGS)) -o $@ $< $(FUZZ_LIB) $(LDLIBS)

fuzz: $(FUZZ_BIN)
	@scripts/run-fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

fuzz-long:
	$(MAKE) fuzz FUZZ_SECONDS=600

asan:
	$(MAKE) SANITIZER=address,undefined all

unit-tests: all
	@scripts/run-unit-tests.sh $(BUILD)

integration-tests: all
	@python3 tests/integration/run.py --build $(BUILD)

# Everything `make test` runs: unit tests (plain and sanitized), the
# integration suite against the sanitized server, and short fuzz runs.
test: deps
	@scripts/test-all.sh

# MariaDB, Redis and the server killed (SIGKILL) again and again under a
# crowd of submits: CRASH_ROUNDS rounds of all three in a random order
# (tests/integration/test_crash_recovery.py; `make test` runs one round).
crash-test: all
	@CRASH_ROUNDS=$${CRASH_ROUNDS:-5} python3 tests/integration/run.py --build $(BUILD) tests/integration/test_crash_recovery.py

run: deps all
	@python3 scripts/stack.py run --build $(BUILD)

bench: deps all
	@scripts/bench.sh

smoke:
	python3 ../shared/contract-smoke.py

# A live demo: many simulated mini-program users against `make run`.
crowd:
	python3 scripts/crowd.py --base http://127.0.0.1:$${PORT:-8080} --users 300 --concurrency 50 --duration 120

clean:
	rm -rf build build-asan build-fuzz build-font

-include $(LIB_OBJ:.o=.d) $(BUILD)/app/main.d
