-- restore.lua: write agents and tasks rebuilt from Postgres, then (when
-- ARGV[5] is "1") set the alive sentinel so routing resumes. Runs without
-- the sentinel. A task already present (enqueued again while the rebuild
-- ran) is kept as it is.
-- KEYS: see common.lua. ARGV: 3 JSON array of agents, 4 JSON array of tasks
-- (with st, ag, x set), 5 "1" on the last batch, 6 the highest decision
-- number Postgres has seen (the seq counter resumes above it).
local floor = tonumber(ARGV[6])
if tonumber(redis.call('GET', K.seq) or '0') < floor then redis.call('SET', K.seq, floor) end
for _, a in ipairs(cjson.decode(ARGV[3])) do
  put_agent(a)
  reindex(a)
end
for _, t in ipairs(cjson.decode(ARGV[4])) do
  if redis.call('HEXISTS', K.task, int(t.id)) == 0 then
    local seq = redis.call('INCR', K.seq)
    t.m = string.format('%012d:%d', seq, t.id)
    if t.st == 'queued' then
      requeue(t)
    else
      if t.st == 'offered' then redis.call('ZADD', K.res, int(t.x), int(t.id)) end
      if t.st == 'wrapup' then
        redis.call('ZADD', K.wrap, int(t.x), int(t.id))
        if (t.ws or 0) > 0 then redis.call('HSET', WRAPSTART, int(t.id), int(t.ws)) end
      end
      put_task(t)
    end
  end
end
if ARGV[5] == '1' then redis.call('SET', K.alive, NOW) end
return done()
