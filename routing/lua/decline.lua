-- decline.lua: the agent refuses its offer; the interaction goes back to its
-- original place, then matching runs again.
-- KEYS: see common.lua. ARGV: 3 agent id, 4 interaction id, 5 reason,
-- 6 "1" to put the agent on break, 7 offer timeout ms, 8 scan depth.
-- Errors NOTFOUND unless the agent holds an offer of it.
local t = get_task(ARGV[4])
if not t or t.st ~= 'offered' or t.ag ~= tonumber(ARGV[3]) then
  fail('NOTFOUND', 'no offer of this interaction to this agent')
end
withdraw(t, ARGV[5])
requeue(t)
if ARGV[6] == '1' then
  local a = get_agent(ARGV[3])
  if a then
    a.s = 'break'; a.rs = 'missed_offer'; a.since = NOW
    put_agent(a); reindex(a); emit_agent(a)
  end
end
match(2, freed(ARGV[3]))
return done()
