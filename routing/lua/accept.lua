-- accept.lua: the agent answers its live offer; the interaction is connected.
-- KEYS: see common.lua. ARGV: 3 agent id, 4 interaction id.
-- Errors NOTFOUND unless the agent holds a live (unexpired) offer of it.
local t = get_step(ARGV[4])
if not t or t.st ~= 'offered' or t.ag ~= tonumber(ARGV[3]) or t.x <= NOW then
  fail('NOTFOUND', 'no live offer of this interaction to this agent')
end
redis.call('ZREM', KEYS[11], int(t.id))
t.st = 'connected'; t.x = 0
set_state(t)
local w = NOW - t.a0
stat(t, 'ans', 1)
stat(t, 'wait', w)
if w <= t.sl then stat(t, 'insl', 1) end
emit('accepted', t, t.ag, '', 0)
return done()
