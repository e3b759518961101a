build-fp/engines/accounts/login_guard.o: engines/accounts/login_guard.c \
 engines/accounts/accounts.h server/router.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h \
 engines/accounts/login_replay.h engines/accounts/organizers.h \
 engines/accounts/password.h engines/accounts/ratelimit.h \
 engines/accounts/seal.h engines/accounts/session.h \
 engines/accounts/keys.h engines/accounts/login_guard.h \
 engines/accounts/login_twins.h engines/accounts/login_group.h \
 lib/group_commit.h engines/accounts/privacy.h rules/mask.h \
 lib/ttl_cache.h server/config.h
engines/accounts/accounts.h:
server/router.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
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
lib/ttl_cache.h:
server/config.h:
