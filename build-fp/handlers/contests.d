build-fp/handlers/contests.o: handlers/contests.c handlers/contests.h \
 server/request.h server/arena.h server/db.h server/status.h server/kv.h \
 engines/quiz/contest.h engines/console/console.h \
 engines/quiz/eligibility.h handlers/handlers.h server/clock.h lib/mono.h \
 server/config.h server/log.h server/router.h engines/accounts/accounts.h \
 engines/accounts/login_replay.h engines/accounts/organizers.h \
 engines/accounts/password.h engines/accounts/ratelimit.h \
 engines/accounts/seal.h engines/accounts/session.h \
 engines/accounts/keys.h engines/accounts/login_guard.h \
 engines/accounts/login_twins.h engines/accounts/login_group.h \
 lib/group_commit.h engines/accounts/privacy.h rules/mask.h rules/names.h \
 rules/prize_settings.h rules/score.h lib/iso8601.h lib/crypto.h
handlers/contests.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/quiz/contest.h:
engines/console/console.h:
engines/quiz/eligibility.h:
handlers/handlers.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
server/router.h:
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
rules/names.h:
rules/prize_settings.h:
rules/score.h:
lib/iso8601.h:
lib/crypto.h:
