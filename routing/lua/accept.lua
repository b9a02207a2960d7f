-- accept.lua: the agent answers its live offer; the interaction is connected.
-- KEYS: see common.lua. ARGV: 3 agent id, 4 interaction id, 5 offer timeout ms, 6 K.
-- Errors NOTFOUND unless the agent holds a live (unexpired) offer of it, or
-- has answered it already.
local t = get_step(ARGV[4])
-- Answered already by this agent: a retry (the first answer's record was
-- slow to become durable, or its reply was lost) succeeds and changes
-- nothing.
if t and t.st == 'connected' and t.ag == tonumber(ARGV[3]) then return done() end
if not t or t.st ~= 'offered' or t.ag ~= tonumber(ARGV[3]) or t.x <= NOW then
  fail('NOTFOUND', 'no live offer of this interaction to this agent')
end
redis.call('ZREM', K.res, int(t.id))
t.st = 'connected'; t.x = 0
set_state(t)
local w = NOW - t.a0
stat(t, 'ans', 1)
stat(t, 'wait', w)
if w <= t.sl then stat(t, 'insl', 1) end
emit('accepted', t, t.ag, '', 0)
-- The answered offer no longer counts against the agent's offers at a
-- time: it may be offered the next (another chat, another text).
local a = get_agent(t.ag)
if a then
  local was = free_on(a)
  a.of = math.max(0, (a.of or 0) - 1)
  put_agent(a)
  reindex(a, was)
  match(1, freed(t.ag))
end
return done()
