-- keys.lua: the sorted-set keys of the unit, rate and region boards, the
-- formulas of rules/board_keys.h written once for Lua. The apply script is
-- this file followed by apply.lua (boards_lua.c joins them), and
-- tests/unit/test_board_keys.c runs these functions in Redis against the C
-- ones for the same inputs. Lua numbers are doubles, exact below 2^53.
local T24, T20, T32 = 16777216, 1048576, 4294967296
local function clamp(v, lo, hi) if v < lo then return lo elseif v > hi then return hi end return v end
local function unitkey(t, id) return clamp(t, 0, T24 * 32 - 1) * T24 + (T24 - 1 - clamp(id, 0, T24 - 1)) end
local function ppm(st, head)
  if st <= 0 then return 0 end
  if head <= 0 or st >= head then return 1000000 end
  return math.floor(st * 1000000 / head)
end
local function ratekey(st, head, t) return ppm(st, head) * T32 + clamp(t, 0, T32 - 1) end
local function regionkey(t, code) return clamp(t, 0, T20 * 8192 - 1) * T20 + (T20 - 1 - clamp(code, 0, T20 - 1)) end
