build-fp/engines/accounts/organizers.o: engines/accounts/organizers.c \
 engines/accounts/organizers.h engines/accounts/password.h \
 engines/console/console.h server/arena.h server/db.h server/status.h \
 rules/region_code.h server/clock.h lib/mono.h server/kv.h
engines/accounts/organizers.h:
engines/accounts/password.h:
engines/console/console.h:
server/arena.h:
server/db.h:
server/status.h:
rules/region_code.h:
server/clock.h:
lib/mono.h:
server/kv.h:
