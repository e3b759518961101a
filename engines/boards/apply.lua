-- KEYS[1] {cN}:ver, KEYS[2] {cN}:building; ARGV[1] mode
local T25 = 33554432
local NF = 15
local tag = string.sub(KEYS[1], 1, -5)
local function pre(v) return tag .. ':v' .. v .. ':' end
-- every board write goes through here: when the member lands in the top
-- 100, the pages kept of that board are stale: those the read script keeps
-- (k:pc) are dropped here, and the board is named in the reply so that the
-- server drops its own copies (engines/boards/cache.c)
local dirty = {}
local function zadd(k, s, m)
  redis.call('ZADD', k, s, m)
  if redis.call('ZREVRANK', k, m) < 100 then
    redis.call('DEL', k .. ':pc')
    dirty[k] = true
  end
end
local function region(P, code, d, first, staff)
  local t = redis.call('HINCRBY', P .. 'rs', code .. ':s', d)
  if first then
    redis.call('HINCRBY', P .. 'rs', code .. ':p', 1)
    redis.call('HINCRBY', P .. 'rs', code .. ':f', staff)
  end
  return regionkey(t, tonumber(code))
end
-- one entry a[i .. i+NF-1] onto the boards under P
local function apply(P, a, i)
  local aid = tonumber(a[i])
  if aid and aid > 0 and aid < 268435456 then -- a bitmap of at most 32 MB
    if redis.call('SETBIT', P .. 'ap', aid, 1) == 1 then return end
  end
  local uid, key = a[i + 1], tonumber(a[i + 2])
  local pp, pc, px, unit = a[i + 3], a[i + 4], a[i + 5], a[i + 6]
  redis.call('HSET', P .. 'nm', uid, unit .. '\31' .. a[i + 8])
  local N = P .. 'p:n'
  local cur = redis.call('ZSCORE', N, uid)
  local old, first = 0, true
  if cur then
    cur = tonumber(cur)
    if key <= cur then return end
    old, first = math.floor(cur / T25), false
  end
  local d = math.floor(key / T25) - old
  zadd(N, key, uid)
  if pp ~= '' then zadd(P .. 'p:p:' .. pp, key, uid) end
  if pc ~= '' then zadd(P .. 'p:c:' .. pc, key, uid) end
  if px ~= '' then zadd(P .. 'p:x:' .. px, key, uid) end
  if unit == '0' then return end
  zadd(P .. 'p:u:' .. unit, key, uid)
  local U = P .. 'u:' .. unit
  local upp, upc, upx, head = a[i + 10], a[i + 11], a[i + 12], tonumber(a[i + 13])
  redis.call('HSET', U, 'n', a[i + 9], 'h', head, 'pp', upp, 'pc', upc, 'px', upx)
  local tot = redis.call('HINCRBY', U, 's', d)
  local st
  if first then
    redis.call('HINCRBY', U, 'p', 1)
    st = redis.call('HINCRBY', U, 'f', a[i + 7] == '1' and 1 or 0)
  else
    st = tonumber(redis.call('HGET', U, 'f') or '0')
  end
  local uk, rk = unitkey(tot, tonumber(unit)), ratekey(st, head, tot)
  local ver = a[i + 14] == '1' -- only verified units are ranked by participation
  -- region participation counts the staff of verified units only
  local sf = (a[i + 7] == '1' and ver) and 1 or 0
  zadd(P .. 'us:n', uk, unit)
  if ver then zadd(P .. 'ur:n', rk, unit) end
  if upp ~= '' then zadd(P .. 'us:p:' .. upp, uk, unit); if ver then zadd(P .. 'ur:p:' .. upp, rk, unit) end end
  if upc ~= '' then zadd(P .. 'us:c:' .. upc, uk, unit); if ver then zadd(P .. 'ur:c:' .. upc, rk, unit) end end
  if upp ~= '' then zadd(P .. 'r:p', region(P, upp, d, first, sf), upp) end
  if upc ~= '' then
    local k = region(P, upc, d, first, sf)
    zadd(P .. 'r:c', k, upc)
    if upp ~= '' then zadd(P .. 'r:c:' .. upp, k, upc) end
  end
  if upx ~= '' then
    local k = region(P, upx, d, first, sf)
    zadd(P .. 'r:x', k, upx)
    if upc ~= '' then zadd(P .. 'r:x:' .. upc, k, upx) end
    if upp ~= '' then zadd(P .. 'r:xp:' .. upp, k, upx) end
  end
end
local mode = ARGV[1]
if mode == 'apply' then
  -- ARGV[2]: the user ids whose national ranks to return (after the
  -- entries), joined by ',', or ''; then entries
  local live = redis.call('GET', KEYS[1])
  local b = redis.call('GET', KEYS[2])
  local bv = b and string.match(b, '^(%d+) ')
  if not live and not bv then return {0, -1} end
  for i = 3, #ARGV - NF + 1, NF do
    if live then apply(pre(live), ARGV, i) end
    if bv then redis.call('RPUSH', pre(bv) .. 'jn', unpack(ARGV, i, i + NF - 1)) end
  end
  local ranks = {}
  if live then
    for uid in string.gmatch(ARGV[2], '[^,]+') do
      ranks[#ranks + 1] = redis.call('ZREVRANK', pre(live) .. 'p:n', uid) or -1
    end
  end
  -- {status, {each rank asked for}, the boards whose top 100 changed (names under the version)...}
  local out = {live and 1 or 2, ranks}
  local n = live and #pre(live) or 0
  for k in pairs(dirty) do out[#out + 1] = string.sub(k, n + 1) end
  return out
end
-- after a failover: a build that held the lock wrote to the old primary
-- and cannot finish; its lock (and journal) go, so the rebuild the failover
-- asks for need not wait for the lock's TTL
if mode == 'unlock' then
  local b = redis.call('GET', KEYS[2])
  local bv = b and string.match(b, '^(%d+) ')
  if b then redis.call('DEL', KEYS[2]) end
  if bv then redis.call('DEL', pre(bv) .. 'jn') end
  return {b and 1 or 0, 0}
end
-- the builder's modes: ARGV[2] version, ARGV[3] token
if redis.call('GET', KEYS[2]) ~= ARGV[2] .. ' ' .. ARGV[3] then
  return redis.error_reply('LOST the building lock')
end
if mode == 'release' then
  redis.call('DEL', KEYS[2], pre(ARGV[2]) .. 'jn')
  return {1, 0}
end
if mode == 'keep' then
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
  return {1, 0}
end
-- replay (at most ARGV[4] entries) or swap (all, then switch versions)
local P = pre(ARGV[2])
local J = P .. 'jn'
local max = mode == 'replay' and tonumber(ARGV[4]) or -1
local done = 0
while max < 0 or done < max do
  local e = redis.call('LRANGE', J, 0, NF * 64 - 1)
  if #e < NF then break end
  local k = 0
  for i = 1, #e - NF + 1, NF do
    if max >= 0 and done >= max then break end
    apply(P, e, i)
    done, k = done + 1, k + NF
  end
  redis.call('LTRIM', J, k, -1)
end
if mode == 'replay' then return {done, math.floor(redis.call('LLEN', J) / NF)} end
redis.call('DEL', J)
redis.call('SET', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
return {done, 0}
