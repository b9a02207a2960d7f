-- Takes the agents last seen at or before a cutoff out of the seen set and
-- returns them, in one step, so that of all the nodes sweeping at once
-- exactly one gets each agent, and an agent seen again meanwhile stays.
-- KEYS[1] the seen set; ARGV[1] the cutoff (Unix ms); ARGV[2] at most this many.
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #gone > 0 then
  redis.call('ZREM', KEYS[1], unpack(gone))
end
return gone
