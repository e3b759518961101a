-- KEYS[1] {cN}:ver; ARGV: kind (i|u|r|m), board, offset, limit (-1: all), me or member
-- i|u|r: {size, me rank or -1, me key or '', page, live version}: the page's fields joined by \31
local live = redis.call('GET', KEYS[1])
if not live then return {-1} end
local P = string.sub(KEYS[1], 1, -5) .. ':v' .. live .. ':'
local kind, B = ARGV[1], P .. ARGV[2]
local off, lim = tonumber(ARGV[3]), tonumber(ARGV[4])
local out = {redis.call('ZCARD', B), -1, ''}
if ARGV[5] ~= '' then
  local r = redis.call('ZREVRANK', B, ARGV[5])
  if r then out[2], out[3] = r, redis.call('ZSCORE', B, ARGV[5]) end
end
if kind == 'm' then -- one member's place: {size, rank or -1, key[, unit s p f h]}
  if out[2] >= 0 and string.sub(ARGV[2], 1, 1) == 'u' then
    local h = redis.call('HMGET', P .. 'u:' .. ARGV[5], 's', 'p', 'f', 'h')
    for i = 1, 4 do out[3 + i] = h[i] or '0' end
  end
  return out
end
out[4], out[5] = '', live -- the page, and the version it was read from
-- Pages within the top 100 are kept in the hash B:pc until the apply
-- script changes that part of the board (it deletes B:pc), or 10 s pass
-- (a corrected name); the size and the caller's own place are always live.
local field = (kind ~= 'r' and lim > 0 and off + lim <= 100) and (kind .. off .. ':' .. lim)
if field then
  local c = redis.call('HGET', B .. ':pc', field)
  if c then out[4] = c; return out end
end
local z = redis.call('ZREVRANGE', B, off, lim < 0 and -1 or off + lim - 1, 'WITHSCORES')
local f = {}
if kind == 'i' then
  local m = {}
  for j = 1, #z, 2 do m[#m + 1] = z[j] end
  local names = #m > 0 and redis.call('HMGET', P .. 'nm', unpack(m)) or {}
  local units = {} -- a page shares few units: each name is read once
  for j = 1, #z, 2 do
    local info = names[(j + 1) / 2] or '0\31*'
    local s = string.find(info, '\31', 1, true) or 0
    local unit = string.sub(info, 1, s - 1)
    local un = units[unit]
    if not un then
      un = ''
      if unit ~= '0' and unit ~= '' then un = redis.call('HGET', P .. 'u:' .. unit, 'n') or '' end
      units[unit] = un
    end
    f[#f + 1] = z[j]; f[#f + 1] = z[j + 1]; f[#f + 1] = string.sub(info, s + 1); f[#f + 1] = un
  end
elseif kind == 'u' then
  for j = 1, #z, 2 do
    local h = redis.call('HMGET', P .. 'u:' .. z[j], 'n', 's', 'p', 'f', 'h')
    f[#f + 1] = z[j]; f[#f + 1] = h[1] or ''; f[#f + 1] = h[2] or '0'
    f[#f + 1] = h[3] or '0'; f[#f + 1] = h[4] or '0'; f[#f + 1] = h[5] or '0'
  end
else
  for j = 1, #z, 2 do
    local c = z[j]
    local h = redis.call('HMGET', P .. 'rs', c .. ':s', c .. ':p', c .. ':f')
    f[#f + 1] = c; f[#f + 1] = redis.call('HGET', P .. 'rn', c) or ''
    f[#f + 1] = h[1] or '0'; f[#f + 1] = h[2] or '0'; f[#f + 1] = h[3] or '0'
  end
end
out[4] = table.concat(f, '\31')
if field then
  redis.call('HSET', B .. ':pc', field, out[4])
  redis.call('PEXPIRE', B .. ':pc', 10000)
end
return out
