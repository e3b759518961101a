build-fp/engines/units/unit_search.o: engines/units/unit_search.c \
 engines/units/units.h engines/units/regions.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h \
 engines/units/unit_search.h server/clock.h lib/mono.h server/config.h \
 server/log.h server/router.h engines/units/cache.h server/kv_cache.h \
 rules/search_text.h
engines/units/units.h:
engines/units/regions.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/units/unit_search.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
server/router.h:
engines/units/cache.h:
server/kv_cache.h:
rules/search_text.h:
