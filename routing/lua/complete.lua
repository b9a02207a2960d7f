-- complete.lua: the conversation is over; wrap-up starts, or with no wrap-up
-- time the interaction is done at once, the capacity freed and matching runs.
-- KEYS: see common.lua. ARGV: 3 agent id, 4 interaction id, 5 wrap-up ms,
-- 6 offer timeout ms, 7 scan depth.
-- Completing what the agent holds in wrap-up changes nothing. Errors
-- NOTFOUND unless the agent is connected to it or wrapping it up.
local t = get_step(ARGV[4])
if t and t.st == 'wrapup' and t.ag == tonumber(ARGV[3]) then
  return done() -- ended already (the caller hung up): nothing more to do
end
if not t or t.st ~= 'connected' or t.ag ~= tonumber(ARGV[3]) then
  fail('NOTFOUND', 'the agent is not connected to this interaction')
end
local wrap = tonumber(ARGV[5])
if wrap > 0 then
  t.st = 'wrapup'; t.x = NOW + wrap
  redis.call('ZADD', K.wrap, int(t.x), int(t.id))
  redis.call('HSET', WRAPSTART, int(t.id), int(NOW))
  set_state(t)
  emit('wrapup', t, t.ag, '', t.x)
else
  match(3, finish(t)) -- no wrap-up: straight to done
end
return done()
