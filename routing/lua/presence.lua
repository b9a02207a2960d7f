-- presence.lua: an agent logs in (ARGV[3] = "login", ARGV[4] = profile JSON
-- {id, sk, tm, cap, lo, g, op}) or changes state (ARGV[3] = "state", ARGV[4] = agent
-- id, ARGV[5] = available|break|offline, ARGV[6] = reason). Going offline
-- withdraws pending offers and removes the agent.
-- KEYS: see common.lua. ARGV ends with offer timeout ms, scan depth.
-- Errors NOTFOUND for an agent not logged in, CONFLICT when going offline
-- while connected or in wrap-up.
local a
if ARGV[3] == 'login' then
  local p = cjson.decode(ARGV[4])
  a = get_agent(p.id)
  if a then
    unindex(a) -- its group may change
  else
    a = {id = p.id, ld = {voice = 0, chat = 0, sms = 0}, its = {}, idle = NOW}
  end
  a.sk = p.sk; a.tm = p.tm; a.cap = p.cap; a.lo = p.lo; a.g = p.g; a.op = p.op; a.op = p.op; a.of = a.of or 0
  a.s = 'available'; a.rs = ''; a.since = NOW
else
  a = get_agent(ARGV[4])
  if not a then fail('NOTFOUND', 'the agent is not logged in') end
  if ARGV[5] == 'offline' then
    for id, _ in pairs(a.its) do
      local t = get_task(id)
      if t and t.st ~= 'offered' then fail('CONFLICT', 'the agent still holds a conversation') end
    end
    for id, _ in pairs(a.its) do
      local t = get_task(id)
      if t then withdraw(t, 'logout'); requeue(t) end
    end
    a = get_agent(ARGV[4])
    a.s = 'offline'; a.rs = ARGV[6]
    reindex(a)
    drop_agent(a.id)
    emit_agent(a)
    match(a.cap.voice + a.cap.chat + a.cap.sms)
    return done()
  end
  if a.s == ARGV[5] and a.rs == ARGV[6] then return done() end -- no change, no event
  a.s = ARGV[5]; a.rs = ARGV[6]; a.since = NOW
end
put_agent(a)
reindex(a)
emit_agent(a)
match(10)
return done()
