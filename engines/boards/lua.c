/* lua.c: the two Lua scripts of the boards, and how they are run.
 *
 * The apply script is the only writer of live boards besides the rebuild's
 * bulk load: it applies outbox entries to every board they touch at once
 * (a script runs atomically), journals them while a rebuild runs, replays
 * that journal onto the new version and swaps it in. Its unit, rate and
 * region keys are the formulas of rules/board_keys.h, and the people's key
 * is rules_rank_key computed in C; Lua numbers are doubles, exact below
 * 2^53, and Redis converts a number argument with %.17g, so every key it
 * stores is the exact integer the C side computes for the same input.
 *
 * Why applying is idempotent and order-free: a person's contest score never
 * goes down through the outbox (both score rules only add), so their rank
 * key only grows; an entry whose key is not above the board's is a no-op,
 * and the unit and region totals move by (new score - the score the board
 * held). The applied bitmap records each attempt so a repeat costs one
 * SETBIT. Corrections that lower a score go through a rebuild instead
 * (lb_request_rebuild). */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"

#include <mbedtls/sha1.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const char APPLY_LUA[] =
"-- KEYS[1] {cN}:ver, KEYS[2] {cN}:building; ARGV[1] mode\n"
"local T25, T24, T20, T32 = 33554432, 16777216, 1048576, 4294967296\n"
"local NF = 14\n"
"local tag = string.sub(KEYS[1], 1, -5)\n"
"local function pre(v) return tag .. ':v' .. v .. ':' end\n"
"local function clamp(v, lo, hi) if v < lo then return lo elseif v > hi then return hi end return v end\n"
"local function unitkey(t, id) return clamp(t, 0, T24 * 32 - 1) * T24 + (T24 - 1 - clamp(id, 0, T24 - 1)) end\n"
"local function ppm(st, head)\n"
"  if st <= 0 then return 0 end\n"
"  if head <= 0 or st >= head then return 1000000 end\n"
"  return math.floor(st * 1000000 / head)\n"
"end\n"
"local function ratekey(st, head, t) return ppm(st, head) * T32 + clamp(t, 0, T32 - 1) end\n"
"local function regionkey(t, code) return clamp(t, 0, T20 * 8192 - 1) * T20 + (T20 - 1 - clamp(code, 0, T20 - 1)) end\n"
"-- every board write goes through here: when the member lands in the top\n"
"-- 100, the pages the read script keeps for that board (k:pc) are stale\n"
"local function zadd(k, s, m)\n"
"  redis.call('ZADD', k, s, m)\n"
"  if redis.call('ZREVRANK', k, m) < 100 then redis.call('DEL', k .. ':pc') end\n"
"end\n"
"local function region(P, code, d, first)\n"
"  local t = redis.call('HINCRBY', P .. 'rs', code .. ':s', d)\n"
"  if first then redis.call('HINCRBY', P .. 'rs', code .. ':p', 1) end\n"
"  return regionkey(t, tonumber(code))\n"
"end\n"
"-- one entry a[i .. i+NF-1] onto the boards under P\n"
"local function apply(P, a, i)\n"
"  local aid = tonumber(a[i])\n"
"  if aid and aid > 0 and aid < 268435456 then -- a bitmap of at most 32 MB\n"
"    if redis.call('SETBIT', P .. 'ap', aid, 1) == 1 then return end\n"
"  end\n"
"  local uid, key = a[i + 1], tonumber(a[i + 2])\n"
"  local pp, pc, px, unit = a[i + 3], a[i + 4], a[i + 5], a[i + 6]\n"
"  redis.call('HSET', P .. 'nm', uid, unit .. '\\31' .. a[i + 8])\n"
"  local N = P .. 'p:n'\n"
"  local cur = redis.call('ZSCORE', N, uid)\n"
"  local old, first = 0, true\n"
"  if cur then\n"
"    cur = tonumber(cur)\n"
"    if key <= cur then return end\n"
"    old, first = math.floor(cur / T25), false\n"
"  end\n"
"  local d = math.floor(key / T25) - old\n"
"  zadd(N, key, uid)\n"
"  if pp ~= '' then zadd(P .. 'p:p:' .. pp, key, uid) end\n"
"  if pc ~= '' then zadd(P .. 'p:c:' .. pc, key, uid) end\n"
"  if px ~= '' then zadd(P .. 'p:x:' .. px, key, uid) end\n"
"  if unit == '0' then return end\n"
"  zadd(P .. 'p:u:' .. unit, key, uid)\n"
"  local U = P .. 'u:' .. unit\n"
"  local upp, upc, upx, head = a[i + 10], a[i + 11], a[i + 12], tonumber(a[i + 13])\n"
"  redis.call('HSET', U, 'n', a[i + 9], 'h', head, 'pp', upp, 'pc', upc, 'px', upx)\n"
"  local tot = redis.call('HINCRBY', U, 's', d)\n"
"  local st\n"
"  if first then\n"
"    redis.call('HINCRBY', U, 'p', 1)\n"
"    st = redis.call('HINCRBY', U, 'f', a[i + 7] == '1' and 1 or 0)\n"
"  else\n"
"    st = tonumber(redis.call('HGET', U, 'f') or '0')\n"
"  end\n"
"  local uk, rk = unitkey(tot, tonumber(unit)), ratekey(st, head, tot)\n"
"  zadd(P .. 'us:n', uk, unit)\n"
"  zadd(P .. 'ur:n', rk, unit)\n"
"  if upp ~= '' then zadd(P .. 'us:p:' .. upp, uk, unit); zadd(P .. 'ur:p:' .. upp, rk, unit) end\n"
"  if upc ~= '' then zadd(P .. 'us:c:' .. upc, uk, unit); zadd(P .. 'ur:c:' .. upc, rk, unit) end\n"
"  if upp ~= '' then zadd(P .. 'r:p', region(P, upp, d, first), upp) end\n"
"  if upc ~= '' then\n"
"    local k = region(P, upc, d, first)\n"
"    zadd(P .. 'r:c', k, upc)\n"
"    if upp ~= '' then zadd(P .. 'r:c:' .. upp, k, upc) end\n"
"  end\n"
"  if upx ~= '' then\n"
"    local k = region(P, upx, d, first)\n"
"    zadd(P .. 'r:x', k, upx)\n"
"    if upc ~= '' then zadd(P .. 'r:x:' .. upc, k, upx) end\n"
"    if upp ~= '' then zadd(P .. 'r:xp:' .. upp, k, upx) end\n"
"  end\n"
"end\n"
"local mode = ARGV[1]\n"
"if mode == 'apply' then\n"
"  -- ARGV[2]: user id whose national rank to return, or ''; then entries\n"
"  local live = redis.call('GET', KEYS[1])\n"
"  local b = redis.call('GET', KEYS[2])\n"
"  local bv = b and string.match(b, '^(%d+) ')\n"
"  if not live and not bv then return {0, -1} end\n"
"  for i = 3, #ARGV - NF + 1, NF do\n"
"    if live then apply(pre(live), ARGV, i) end\n"
"    if bv then redis.call('RPUSH', pre(bv) .. 'jn', unpack(ARGV, i, i + NF - 1)) end\n"
"  end\n"
"  local rank = -1\n"
"  if live and ARGV[2] ~= '' then\n"
"    rank = redis.call('ZREVRANK', pre(live) .. 'p:n', ARGV[2]) or -1\n"
"  end\n"
"  return {live and 1 or 2, rank}\n"
"end\n"
"-- the builder's modes: ARGV[2] version, ARGV[3] token\n"
"if redis.call('GET', KEYS[2]) ~= ARGV[2] .. ' ' .. ARGV[3] then\n"
"  return redis.error_reply('LOST the building lock')\n"
"end\n"
"if mode == 'release' then\n"
"  redis.call('DEL', KEYS[2], pre(ARGV[2]) .. 'jn')\n"
"  return {1, 0}\n"
"end\n"
"if mode == 'keep' then\n"
"  redis.call('PEXPIRE', KEYS[2], ARGV[4])\n"
"  return {1, 0}\n"
"end\n"
"-- replay (at most ARGV[4] entries) or swap (all, then switch versions)\n"
"local P = pre(ARGV[2])\n"
"local J = P .. 'jn'\n"
"local max = mode == 'replay' and tonumber(ARGV[4]) or -1\n"
"local done = 0\n"
"while max < 0 or done < max do\n"
"  local e = redis.call('LRANGE', J, 0, NF * 64 - 1)\n"
"  if #e < NF then break end\n"
"  local k = 0\n"
"  for i = 1, #e - NF + 1, NF do\n"
"    if max >= 0 and done >= max then break end\n"
"    apply(P, e, i)\n"
"    done, k = done + 1, k + NF\n"
"  end\n"
"  redis.call('LTRIM', J, k, -1)\n"
"end\n"
"if mode == 'replay' then return {done, math.floor(redis.call('LLEN', J) / NF)} end\n"
"redis.call('DEL', J)\n"
"redis.call('SET', KEYS[1], ARGV[2])\n"
"redis.call('DEL', KEYS[2])\n"
"return {done, 0}\n";

static const char READ_LUA[] =
"-- KEYS[1] {cN}:ver; ARGV: kind (i|u|r|m), board, offset, limit (-1: all), me or member\n"
"-- i|u|r: {size, me rank or -1, me key or '', page}: the page's fields joined by \\31\n"
"local live = redis.call('GET', KEYS[1])\n"
"if not live then return {-1} end\n"
"local P = string.sub(KEYS[1], 1, -5) .. ':v' .. live .. ':'\n"
"local kind, B = ARGV[1], P .. ARGV[2]\n"
"local off, lim = tonumber(ARGV[3]), tonumber(ARGV[4])\n"
"local out = {redis.call('ZCARD', B), -1, ''}\n"
"if ARGV[5] ~= '' then\n"
"  local r = redis.call('ZREVRANK', B, ARGV[5])\n"
"  if r then out[2], out[3] = r, redis.call('ZSCORE', B, ARGV[5]) end\n"
"end\n"
"if kind == 'm' then -- one member's place: {size, rank or -1, key[, unit s p f h]}\n"
"  if out[2] >= 0 and string.sub(ARGV[2], 1, 1) == 'u' then\n"
"    local h = redis.call('HMGET', P .. 'u:' .. ARGV[5], 's', 'p', 'f', 'h')\n"
"    for i = 1, 4 do out[3 + i] = h[i] or '0' end\n"
"  end\n"
"  return out\n"
"end\n"
"-- Pages within the top 100 are kept in the hash B:pc until the apply\n"
"-- script changes that part of the board (it deletes B:pc), or 10 s pass\n"
"-- (a corrected name); the size and the caller's own place are always live.\n"
"local field = (kind ~= 'r' and lim > 0 and off + lim <= 100) and (kind .. off .. ':' .. lim)\n"
"if field then\n"
"  local c = redis.call('HGET', B .. ':pc', field)\n"
"  if c then out[4] = c; return out end\n"
"end\n"
"local z = redis.call('ZREVRANGE', B, off, lim < 0 and -1 or off + lim - 1, 'WITHSCORES')\n"
"local f = {}\n"
"if kind == 'i' then\n"
"  local m = {}\n"
"  for j = 1, #z, 2 do m[#m + 1] = z[j] end\n"
"  local names = #m > 0 and redis.call('HMGET', P .. 'nm', unpack(m)) or {}\n"
"  local units = {} -- a page shares few units: each name is read once\n"
"  for j = 1, #z, 2 do\n"
"    local info = names[(j + 1) / 2] or '0\\31*'\n"
"    local s = string.find(info, '\\31', 1, true) or 0\n"
"    local unit = string.sub(info, 1, s - 1)\n"
"    local un = units[unit]\n"
"    if not un then\n"
"      un = ''\n"
"      if unit ~= '0' and unit ~= '' then un = redis.call('HGET', P .. 'u:' .. unit, 'n') or '' end\n"
"      units[unit] = un\n"
"    end\n"
"    f[#f + 1] = z[j]; f[#f + 1] = z[j + 1]; f[#f + 1] = string.sub(info, s + 1); f[#f + 1] = un\n"
"  end\n"
"elseif kind == 'u' then\n"
"  for j = 1, #z, 2 do\n"
"    local h = redis.call('HMGET', P .. 'u:' .. z[j], 'n', 's', 'p', 'f', 'h')\n"
"    f[#f + 1] = z[j]; f[#f + 1] = h[1] or ''; f[#f + 1] = h[2] or '0'\n"
"    f[#f + 1] = h[3] or '0'; f[#f + 1] = h[4] or '0'; f[#f + 1] = h[5] or '0'\n"
"  end\n"
"else\n"
"  for j = 1, #z, 2 do\n"
"    local c = z[j]\n"
"    local h = redis.call('HMGET', P .. 'rs', c .. ':s', c .. ':p')\n"
"    f[#f + 1] = c; f[#f + 1] = redis.call('HGET', P .. 'rn', c) or ''\n"
"    f[#f + 1] = h[1] or '0'; f[#f + 1] = h[2] or '0'\n"
"  end\n"
"end\n"
"out[4] = table.concat(f, '\\31')\n"
"if field then\n"
"  redis.call('HSET', B .. ':pc', field, out[4])\n"
"  redis.call('PEXPIRE', B .. ':pc', 10000)\n"
"end\n"
"return out\n";

static const struct {
    const char *src;
    int nkeys;
} scripts[] = {
    [LB_SCRIPT_APPLY] = { APPLY_LUA, 2 },
    [LB_SCRIPT_READ] = { READ_LUA, 1 },
};
static char sha_hex[2][41];
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;

static void compute_shas(void)
{
    for (int i = 0; i < 2; i++) {
        unsigned char d[20];
        mbedtls_sha1_ret((const unsigned char *)scripts[i].src, strlen(scripts[i].src), d);
        for (int k = 0; k < 20; k++)
            sprintf(sha_hex[i] + 2 * k, "%02x", d[k]);
    }
}

void lb_tag(long long contest_id, char out[32])
{
    snprintf(out, 32, "{c%lld}", contest_id);
}

redisReply *lb_eval(kv_t *kv, arena_t *a, int script, long long contest_id,
                    int nargs, const char *const *args)
{
    pthread_once(&sha_once, compute_shas);
    char tag[32], k1[48], k2[48];
    lb_tag(contest_id, tag);
    snprintf(k1, sizeof k1, "%s:ver", tag);
    snprintf(k2, sizeof k2, "%s:building", tag);
    int nk = scripts[script].nkeys;
    int argc = 3 + nk + nargs;
    const char **argv = arena_alloc(a, sizeof(char *) * (size_t)argc);
    argv[0] = "EVALSHA";
    argv[1] = sha_hex[script];
    argv[2] = nk == 2 ? "2" : "1";
    argv[3] = k1;
    if (nk == 2)
        argv[4] = k2;
    for (int i = 0; i < nargs; i++)
        argv[3 + nk + i] = args[i];
    redisReply *rep = kv_cmdargv(kv, a, argc, argv, NULL);
    if (rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0) {
        /* Redis restarted or flushed its script cache: EVAL runs the
         * script and caches it for the next EVALSHA. */
        argv[0] = "EVAL";
        argv[1] = scripts[script].src;
        rep = kv_cmdargv(kv, a, argc, argv, NULL);
    }
    return rep;
}
