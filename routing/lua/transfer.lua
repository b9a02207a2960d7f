-- transfer.lua: move a live interaction to another queue or agent (a
-- transfer, or an overflow). A pending offer is withdrawn, a connected agent
-- released; the interaction keeps its place by original arrival.
-- KEYS: see common.lua. ARGV: 3 interaction id, 4 JSON of the fields to
-- change (q, sl, ow, p, ru, e, and qs: the new queue's skills), 5 event kind, 6 the queue it must
-- still be in ("" for any), 7 offer timeout ms, 8 scan depth.
-- Errors NOTFOUND when it is not being routed.
local t = get_task(ARGV[3])
if not t then fail('NOTFOUND', 'the interaction is not being routed') end
if ARGV[6] ~= '' and (t.q ~= ARGV[6] or t.st ~= 'queued') then return done() end
if t.st == 'offered' then
  withdraw(t, 'transfer')
elseif t.st == 'connected' or t.st == 'wrapup' then
  redis.call('ZREM', K.wrap, int(t.id))
  redis.call('HDEL', WRAPSTART, int(t.id))
  release(t, get_agent(t.ag))
else
  queue_out(t)
end
local change = cjson.decode(ARGV[4])
for k, v in pairs(change) do
  if k ~= 'qs' then t[k] = v end
end
if change.qs then -- the new queue's skills plus the interaction's own
  local sk, seen = {}, {}
  for _, list in ipairs({t.os or {}, change.qs}) do
    for _, s in ipairs(list) do
      if not seen[s] then seen[s] = true; sk[#sk + 1] = s end
    end
  end
  t.sk = sk
end
if t.p ~= 0 and redis.call('HEXISTS', K.agent, int(t.p)) == 0 then t.ru = 0 end
requeue(t)
emit_task(ARGV[5], t)
match(2)
return done()
