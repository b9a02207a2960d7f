-- batch.lua: the routing function. It runs operations one after another,
-- each as if it were a script of its own: a failed one leaves no trace (it
-- failed before its first write) and the next runs. One call serves many
-- callers under load.
-- keys: see common.lua. args: 1 events channel, then per operation its
-- name, the number n of its arguments, and those n arguments (now first).
-- Returns per operation {"ok", events...} or {"err", message}.
local function run(name, args)
  begin(args, name == 'restore')
  return OPS[name]()
end
local function batch(keys, args)
  bind(keys)
  local results, i = {}, 2
  while i <= #args do
    local name, n = args[i], tonumber(args[i + 1])
    local op = {args[1]}
    for j = 1, n do op[j + 1] = args[i + 1 + j] end
    i = i + 2 + n
    local ok, res = pcall(run, name, op)
    if ok then
      table.insert(res, 1, 'ok')
    elseif type(res) == 'table' then
      res = {'err', res.err or 'unknown error'}
    else
      res = {'err', tostring(res)}
    end
    results[#results + 1] = res
  end
  if #pubs > 0 then redis.call('PUBLISH', args[1], table.concat(pubs, '\n')) end
  return results
end
