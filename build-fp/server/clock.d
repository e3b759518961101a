build-fp/server/clock.o: server/clock.c server/clock.h lib/mono.h \
 lib/iso8601.h
server/clock.h:
lib/mono.h:
lib/iso8601.h:
