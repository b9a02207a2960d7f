-- Takes the agents last seen at or before a cutoff out of the seen set and
-- returns them, in one step, so that of all the nodes sweeping at once
-- exactly one gets each agent, and an agent seen again meanwhile stays.
-- KEYS: seen, the seen set (keyspace.DeskSeen). ARGV[1] the cutoff (Unix
-- ms); ARGV[2] at most this many.
local K = {seen = KEYS[1]}
local gone = redis.call('ZRANGEBYSCORE', K.seen, '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #gone > 0 then
  redis.call('ZREM', K.seen, unpack(gone))
end
return gone
