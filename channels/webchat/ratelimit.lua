-- GCRA (generic cell rate algorithm): one key per bucket holding the
-- theoretical arrival time (TAT) of the next request, in microseconds.
-- A request is allowed when, after it, the TAT is no further ahead of now
-- than burst emission intervals; a full bucket is a missing key.
--
-- KEYS: bucket, the bucket (a keyspace.ChatLimit name and the client's key)
-- ARGV[1] now (µs since the epoch, from the caller's clock)
-- ARGV[2] emission interval (µs per request: 60e6 / per-minute rate)
-- ARGV[3] burst
-- Returns 1 if allowed (and spends it), 0 if not.
local K = {bucket = KEYS[1]}
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', K.bucket)) or now
if tat < now then
  tat = now
end
local next_tat = tat + interval
if next_tat - now > burst * interval then
  return 0
end
-- The key expires when the bucket is full again, so idle clients leave
-- nothing behind.
redis.call('SET', K.bucket, string.format('%.0f', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
return 1
