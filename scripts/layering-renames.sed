# layering-renames.sed: for branches begun before the layered tree (issue 9)
# landed. After `git merge main`, run it over your own C files:
#
#   sed -i -f scripts/layering-renames.sed FILES...
#
# It rewrites include paths of moved headers and the names that changed.
# What it cannot do for you:
#   - "wx/wx_crypto.h" becomes "lib/crypto.h" below; a file that calls
#     wx_decrypt_data or wx_raw_signature needs "wx/wx_crypto.h" as well.
#   - an engine file (engines/<name>/) must not include "handlers/handlers.h":
#     include the server/ headers it needs, and "engines/accounts/accounts.h"
#     for ROLE_* and R_USER/R_UNIT_ADMIN/R_ORGANIZER/R_NATIONWIDE.
#   - new files go where LAYERS says; `make check-layers` tells you what is
#     still wrong. Delete this file once every branch has merged.
s#"server/csv.h"#"lib/csv.h"#
s#"handlers/multipart.h"#"lib/multipart.h"#
s#"handlers/qr_png.h"#"lib/qr_png.h"#
s#"rules/utf8.h"#"lib/utf8.h"#
s#"wx/wx_crypto.h"#"lib/crypto.h"#
s#"handlers/boards.h"#"engines/boards/boards.h"#
s#"handlers/boards_int.h"#"engines/boards/internal.h"#
s#"handlers/\(session\|login_replay\|password\|organizers\|ratelimit\|seal\).h"#"engines/accounts/\1.h"#
s#"handlers/\(contest\|rescore\).h"#"engines/quiz/\1.h"#
s#"handlers/\(unit_search\|regions\).h"#"engines/units/\1.h"#
s#"handlers/\(wxcall\|content_check\).h"#"engines/wechat/\1.h"#
s#"handlers/\(app\|seed_demo\).h"#"app/\1.h"#
s#"handlers/\(multipart\|qr_png\).c"#"lib/\1.c"#
s/\bwx_random_bytes\b/crypto_random_bytes/g
s/\bwx_random_token\b/crypto_random_token/g
s/\bWX_TOKEN_LEN\b/CRYPTO_TOKEN_LEN/g
s/\bWX_TOKEN_SIZE\b/CRYPTO_TOKEN_SIZE/g
s/\bwx_sha256_hex\b/crypto_sha256_hex/g
s/\bwx_hmac_sha256_hex\b/crypto_hmac_sha256_hex/g
s/\bwx_seal\b/crypto_seal/g
s/\bwx_open\b/crypto_open/g
s/\bwx_hex_decode\b/crypto_hex_decode/g
s/\bwx_hex_equal\b/crypto_hex_equal/g
s/\bWX_SEAL_MAX_PLAIN\b/CRYPTO_SEAL_MAX_PLAIN/g
s/\bWX_CRYPTO_E\([A-Z]*\)\b/CRYPTO_E\1/g
s/\brules_parse_iso8601\b/iso8601_parse/g
s/\brules_iso8601_shanghai\b/iso8601_format_shanghai/g
s/\bclock_mono_us\b/mono_us/g
s/\bwx_now_ms\b/mono_ms/g
s/\bg_routes\[\]/app_routes[]/g
