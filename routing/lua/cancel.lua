-- cancel.lua: the customer left; a waiting or offered interaction is abandoned.
-- KEYS: see common.lua. ARGV: 3 interaction id, 4 reason, 5 offer timeout ms, 6 scan depth.
-- Errors NOTFOUND when it is not being routed, CONFLICT once answered.
local t = get_task(ARGV[3])
if not t then fail('NOTFOUND', 'the interaction is not being routed') end
if t.st ~= 'queued' and t.st ~= 'offered' then
  fail('CONFLICT', 'the interaction has been answered; complete it instead')
end
if t.st == 'offered' then withdraw(t, ARGV[4]) else queue_out(t) end
del_task(t, 'abandoned')
stat(t, 'ab', 1)
stat(t, 'abwait', NOW - t.a0)
emit('abandoned', t, 0, ARGV[4], 0)
match(1)
return done()
