build-fp/handlers/units.o: handlers/units.c handlers/units.h \
 server/request.h server/arena.h server/db.h server/status.h server/kv.h \
 engines/boards/boards.h engines/quiz/contest.h \
 engines/wechat/content_check.h wx/wx_client.h \
 engines/accounts/accounts.h server/router.h \
 engines/accounts/login_replay.h engines/accounts/organizers.h \
 engines/accounts/password.h engines/accounts/ratelimit.h \
 engines/accounts/seal.h engines/accounts/session.h \
 engines/accounts/keys.h engines/accounts/login_guard.h \
 engines/accounts/login_twins.h engines/accounts/login_group.h \
 lib/group_commit.h engines/accounts/privacy.h rules/mask.h \
 handlers/handlers.h server/clock.h lib/mono.h server/config.h \
 server/log.h engines/units/units.h engines/units/regions.h \
 engines/units/unit_search.h rules/credit_code.h rules/names.h \
 rules/org_name.h rules/score.h lib/iso8601.h rules/search_text.h
handlers/units.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
engines/boards/boards.h:
engines/quiz/contest.h:
engines/wechat/content_check.h:
wx/wx_client.h:
engines/accounts/accounts.h:
server/router.h:
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
handlers/handlers.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
engines/units/units.h:
engines/units/regions.h:
engines/units/unit_search.h:
rules/credit_code.h:
rules/names.h:
rules/org_name.h:
rules/score.h:
lib/iso8601.h:
rules/search_text.h:
