-- enqueue.lua: put an interaction in its queue, then try to match.
-- KEYS: see common.lua. ARGV: 3 task JSON, 4 offer timeout ms, 5 scan depth.
-- Returns the events, as JSON strings. Enqueueing a task already present
-- changes nothing, so a retry after a rebuild is harmless.
local t = cjson.decode(ARGV[3])
if redis.call('HEXISTS', K.task, int(t.id)) == 1 then return done() end
if t.p ~= 0 and redis.call('HEXISTS', K.agent, int(t.p)) == 0 then t.ru = 0 end
local seq = redis.call('INCR', K.seq)
t.m = string.format('%012d:%d', seq, t.id)
requeue(t)
stat(t, 'off', 1)
emit('queued', t, 0, '', 0)
match(1, {t.ch})
return done()
