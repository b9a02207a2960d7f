-- extend.lua: the agent takes more wrap-up time, within the most the centre
-- allows from the start of wrap-up.
-- KEYS: see common.lua. ARGV: 3 agent id, 4 interaction id, 5 more ms,
-- 6 the most wrap-up ms in all.
-- Errors NOTFOUND unless the interaction is in wrap-up with this agent,
-- INVALID when the wrap-up would last longer than allowed.
local t = get_step(ARGV[4])
if not t or t.st ~= 'wrapup' or t.ag ~= tonumber(ARGV[3]) then
  fail('NOTFOUND', 'the interaction is not in wrap-up with this agent')
end
local start = tonumber(redis.call('HGET', WRAPSTART, key(t.id)) or NOW)
local limit = start + tonumber(ARGV[6])
local x = t.x + tonumber(ARGV[5])
if x > limit then
  fail('INVALID', string.format('wrap-up may last %d s in all; %d s are left', math.floor(tonumber(ARGV[6]) / 1000),
    math.max(0, math.floor((limit - t.x) / 1000))))
end
t.x = x
redis.call('ZADD', K.wrap, int(t.x), int(t.id))
set_state(t)
emit('wrapup', t, t.ag, 'extended', t.x)
return done()
