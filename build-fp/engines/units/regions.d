build-fp/engines/units/regions.o: engines/units/regions.c \
 engines/units/regions.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h server/clock.h lib/mono.h server/config.h \
 server/log.h server/router.h rules/region_code.h
engines/units/regions.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
server/router.h:
rules/region_code.h:
