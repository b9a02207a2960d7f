-- login_failed.lua: counts one failed sign-in against each of its keys (an
-- account, a source address) and locks a key once its count reaches that
-- key's threshold, for a time that doubles with each further failure.
-- KEYS: pairs of (failure count, lock), one pair per key.
-- ARGV[1] first lock ms, ARGV[2] longest lock ms, ARGV[3] how long a
-- count is kept after its last failure ms; then one threshold per pair.
-- Returns the longest lock set now, in ms (0: none).
local first, longest, keep = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local locked = 0
for i = 1, #KEYS, 2 do
  local n = redis.call('INCR', KEYS[i])
  redis.call('PEXPIRE', KEYS[i], keep)
  local threshold = tonumber(ARGV[3 + (i + 1) / 2])
  if n >= threshold then
    local ms = math.floor(math.min(first * 2 ^ math.min(n - threshold, 30), longest))
    redis.call('SET', KEYS[i + 1], n, 'PX', ms)
    if ms > locked then locked = ms end
  end
end
return locked
