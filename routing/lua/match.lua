-- match.lua: make up to ARGV[3] offers of waiting interactions to free agents.
-- KEYS: see common.lua. ARGV: 3 max offers, 4 offer timeout ms, 5 scan depth.
-- Returns the events.
match(tonumber(ARGV[3]))
return done()
