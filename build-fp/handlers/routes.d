build-fp/handlers/routes.o: handlers/routes.c handlers/handlers.h \
 server/clock.h lib/mono.h server/config.h server/log.h server/request.h \
 server/arena.h server/db.h server/status.h server/kv.h server/router.h \
 engines/accounts/accounts.h engines/accounts/login_replay.h \
 engines/accounts/organizers.h engines/accounts/password.h \
 engines/accounts/ratelimit.h engines/accounts/seal.h \
 engines/accounts/session.h engines/accounts/keys.h \
 engines/accounts/login_guard.h engines/accounts/login_twins.h \
 engines/accounts/login_group.h lib/group_commit.h \
 engines/accounts/privacy.h rules/mask.h server/metrics.h \
 handlers/leaderboards.h handlers/regions.h handlers/units.h \
 handlers/qrcode.h handlers/profile.h handlers/attempts.h \
 handlers/attempt_review.h handlers/contests.h handlers/questions.h \
 handlers/admin_auth.h handlers/login.h handlers/phone.h handlers/stats.h \
 handlers/exports.h engines/reports/reports.h handlers/events.h \
 handlers/console.h handlers/web_sessions.h handlers/materials.h \
 handlers/prizes.h handlers/certificates.h handlers/videos.h \
 handlers/subscriptions.h handlers/logout.h handlers/privacy.h
handlers/handlers.h:
server/clock.h:
lib/mono.h:
server/config.h:
server/log.h:
server/request.h:
server/arena.h:
server/db.h:
server/status.h:
server/kv.h:
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
server/metrics.h:
handlers/leaderboards.h:
handlers/regions.h:
handlers/units.h:
handlers/qrcode.h:
handlers/profile.h:
handlers/attempts.h:
handlers/attempt_review.h:
handlers/contests.h:
handlers/questions.h:
handlers/admin_auth.h:
handlers/login.h:
handlers/phone.h:
handlers/stats.h:
handlers/exports.h:
engines/reports/reports.h:
handlers/events.h:
handlers/console.h:
handlers/web_sessions.h:
handlers/materials.h:
handlers/prizes.h:
handlers/certificates.h:
handlers/videos.h:
handlers/subscriptions.h:
handlers/logout.h:
handlers/privacy.h:
