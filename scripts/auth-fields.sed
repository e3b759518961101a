# auth-fields.sed: the contest's identity fields left server/'s auth_t
# (issue 9): the organizer account, the administered unit and the
# organizer's area are the accounts engine's caller_t now, reached with
# session_caller(r) (engines/accounts/session.h, included by
# handlers/handlers.h). r->auth keeps roles, user_id and token_hash.
#
# Apply to code written against the old auth_t:
#   sed -i -f scripts/auth-fields.sed $(grep -rlE --include='*.c' --include='*.h' \
#       -e '->auth\.(organizer_id|admin_unit_id|area)' handlers engines app)
# An engine file it changes needs #include "engines/accounts/session.h"
# when it does not include it yet (the build says so).
s/\([A-Za-z_][A-Za-z0-9_]*\)->auth\.organizer_id/session_caller(\1)->organizer_id/g
s/\([A-Za-z_][A-Za-z0-9_]*\)->auth\.admin_unit_id/session_caller(\1)->admin_unit_id/g
s/\([A-Za-z_][A-Za-z0-9_]*\)->auth\.area/session_caller(\1)->area/g
