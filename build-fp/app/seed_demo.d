build-fp/app/seed_demo.o: app/seed_demo.c app/seed_demo.h \
 handlers/questions.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h rules/credit_code.h rules/score.h \
 lib/iso8601.h server/clock.h lib/mono.h server/config.h server/migrate.h
app/seed_demo.h:
handlers/questions.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
rules/credit_code.h:
rules/score.h:
lib/iso8601.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/migrate.h:
