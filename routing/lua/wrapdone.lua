-- wrapdone.lua: the agent ends wrap-up early; capacity is freed and matching runs.
-- KEYS: see common.lua. ARGV: 3 agent id, 4 interaction id, 5 offer timeout ms, 6 scan depth.
-- Errors NOTFOUND unless the interaction is in wrap-up with this agent.
local t = get_step(ARGV[4])
if not t or t.st ~= 'wrapup' or t.ag ~= tonumber(ARGV[3]) then
  fail('NOTFOUND', 'the interaction is not in wrap-up with this agent')
end
match(3, finish(t))
return done()
