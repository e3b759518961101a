build-fp/engines/units/cache.o: engines/units/cache.c \
 engines/units/units.h engines/units/regions.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h \
 engines/units/unit_search.h engines/units/cache.h server/config.h \
 lib/ttl_cache.h
engines/units/units.h:
engines/units/regions.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/units/unit_search.h:
engines/units/cache.h:
server/config.h:
lib/ttl_cache.h:
