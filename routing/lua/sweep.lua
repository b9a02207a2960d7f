-- sweep.lua: expire offers past their time, end wrap-ups past their time,
-- report overflows that are due, then match. Safe on every node at once:
-- each timer is taken by exactly one run.
-- KEYS: see common.lua. ARGV: 3 the channels ("voice,sms") on which an
-- agent who lets an offer expire goes on break, 4 the most timers of each kind to handle, 5 offer timeout ms, 6 scan depth.
-- Returns the events, and {"k":"overflow_due","i":id,"q":queue} entries
-- (not published) for the caller to transfer.
redis.call('ZREMRANGEBYSCORE', ENDED, '-inf', int(NOW - 3600000)) -- an hour of ended interactions
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.res, '-inf', ARGV[2], 'LIMIT', '0', ARGV[4])) do
  local t = get_task(id)
  if t and t.st == 'offered' then
    local ag = t.ag
    withdraw(t, 'timeout')
    requeue(t)
    local a = get_agent(ag)
    if string.find(',' .. ARGV[3] .. ',', ',' .. t.ch .. ',', 1, true) and a and a.s == 'available' then
      a.s = 'break'; a.rs = 'missed_offer'; a.since = NOW
      put_agent(a); reindex(a); emit_agent(a)
    end
  else
    redis.call('ZREM', K.res, id)
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.wrap, '-inf', ARGV[2], 'LIMIT', '0', ARGV[4])) do
  local t = get_step(id)
  if t and t.st == 'wrapup' then finish(t) else redis.call('ZREM', K.wrap, id) end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.timers, '-inf', ARGV[2], 'LIMIT', '0', ARGV[4])) do
  redis.call('ZREM', K.timers, id)
  local t = get_task(id)
  if t and t.st == 'queued' then out[#out + 1] = cjson.encode({k = 'overflow_due', i = t.id, q = t.q}) end
end
match(1000)
return done()
