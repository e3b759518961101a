build-fp/app/commands.o: app/commands.c app/app.h server/main.h \
 server/router.h server/request.h server/arena.h server/db.h \
 server/status.h server/kv.h server/server.h handlers/handlers.h \
 server/clock.h lib/mono.h server/config.h server/log.h \
 engines/accounts/accounts.h engines/accounts/login_replay.h \
 engines/accounts/organizers.h engines/accounts/password.h \
 engines/accounts/ratelimit.h engines/accounts/seal.h \
 engines/accounts/session.h engines/accounts/keys.h \
 engines/accounts/login_guard.h engines/accounts/login_twins.h \
 engines/accounts/login_group.h lib/group_commit.h \
 engines/accounts/privacy.h rules/mask.h engines/boards/boards.h \
 handlers/units.h handlers/questions.h handlers/attempts.h \
 app/seed_demo.h engines/prizes/prizes.h engines/quiz/contest.h \
 rules/draw_file.h rules/prize_alloc.h rules/prize_settings.h
app/app.h:
server/main.h:
server/router.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
server/server.h:
handlers/handlers.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
engines/accounts/accounts.h:
engines/accounts/login_replay.h:
engines/accounts/organizers.h:
engines/accounts/password.h:
engines/accounts/ratelimit.h:
engines/accounts/seal.h:
engines/accounts/session.h:
engines/accounts/keys.h:
engines/accounts/login_guard.h:
engines/accounts/login_twins.h:
engines/accounts/login_group.h:
lib/group_commit.h:
engines/accounts/privacy.h:
rules/mask.h:
engines/boards/boards.h:
handlers/units.h:
handlers/questions.h:
handlers/attempts.h:
app/seed_demo.h:
engines/prizes/prizes.h:
engines/quiz/contest.h:
rules/draw_file.h:
rules/prize_alloc.h:
rules/prize_settings.h:
