// Package routing matches waiting interactions to free agents: private
// banking first, the customer's relationship manager first, no interaction
// offered twice and no agent over capacity, whichever of many server
// processes decides.
//
// # Model
//
// Every decision is one atomic Lua operation in Redis (lua/*.lua, embedded)
// over the keys of one contact centre, which all carry the centre's hash
// tag, so the same code runs on Redis Cluster. The operations make one Redis
// function library, loaded once (FUNCTION LOAD, on every master of a
// cluster, and again whenever Redis lacks it), and operations that callers
// start together go to Redis in one call (FCALL), each still atomic and
// each failing alone. Operations are given the current time; they never
// read a clock, so tests and the simulator drive a virtual one.
//
//   - Priority is waited time plus the tier's credit (Config.Aging): a
//     waiting interaction's score is its arrival minus its credit, and the
//     lowest score goes first; equal scores go first come, first served.
//     Strict is a credit that never runs out.
//   - An interaction for a customer whose relationship manager is logged in
//     waits for that RM alone for Config.RMWait, then for anyone eligible.
//   - Rings: an interaction of tier T is offered to agents who may serve T;
//     every Config.Rings[T] of waiting it widens to agents of the next tier.
//     Skills (the queue's and the interaction's own, "lang:en" for languages)
//     must all be held. A queue's overflow moves waiting work to another
//     queue after its overflow time.
//   - Among eligible free agents the longest idle is chosen (or, with
//     LeastOccupied, the one using the least of its capacity).
//   - Capacity is per channel (voice 1, chat 3, SMS 5 by default) and a call
//     is exclusive: an agent on a call gets nothing else, an agent with chats
//     or SMS gets no call.
//
// Free agents are indexed by what they can serve: per channel, one sorted
// set per group of agents with the same tiers and skills, and a registry of
// the groups with someone free. A match keeps the groups that fit the
// interaction (its rings now, its skills) and takes the best of their
// heads, so it finds an eligible free agent whenever one exists, in
// O(groups x log n) however many agents are free; agents share few skill
// sets, so the groups stay few. A match looks at the first
// Config.ScanWaiting waiting interactions of a channel, and the sweep at
// the first Config.SweepScanWaiting, so work behind interactions no free
// agent can take (another language) waits a sweep at most; in the common
// case the head matches, and a match costs O(log n) in the number waiting.
// A waiting interaction's sorted-set member carries what eligibility
// needs, so looking at the waiting decodes none of them but the one
// offered.
//
// # Reservations and timers
//
// An offer is a lease: it expires after Config.ReservationTimeout, and the
// interaction returns to its original place (it keeps its arrival time). The
// agent who let it expire goes on break ("missed_offer") where
// Config.NotReadyOnMiss says so for the channel (by default for calls
// only). An agent holds at most Config.OffersPerAgent offers at a time
// (default 1), across channels: the next comes once it answers, declines
// or misses one. Run sweeps expiries, wrap-up ends and overflows
// on every process at once; each timer is taken by exactly one sweep.
//
// # Nothing lost
//
// With a Postgres pool, every change is recorded: the interactions row and
// an interaction_events row in one transaction, agent presence in
// agent_presence and agent_presence_events. The records of concurrent
// calls share commits (one WAL flush for many), and each call returns once
// its own records are committed. Enqueue commits the 'queued' record before
// Redis hears of the interaction; a channel that stores the interaction in
// a transaction of its own writes that record there instead (Prepare,
// RecordQueued) and then calls Route, so storing and queueing take one
// commit. When Redis has lost the state
// (the "alive" sentinel is gone), every script refuses, one process rebuilds
// queues, agents' load and live offers from Postgres, and the others wait
// for it. The rebuild first waits until every running engine (each beats
// in routing_nodes) has answered that the records of its decisions before
// the loss are in Postgres, so no late record contradicts what it restores.
// With a nil pool nothing is recorded and nothing can be rebuilt:
// that mode is for the simulator and benchmarks only.
//
// # Events and statistics
//
// Operations publish every change on the centre's pub/sub channel, which
// each process reads once and hands to its subscribers (Subscribe),
// and count offered, answered, answered within the service-level threshold,
// answer delay and abandoned per queue and tier, per minute and per day, so
// Stats reads a wallboard in a few round trips.
//
// # Staffing with the simulator
//
// `switchboardctl sim` runs this engine, on a real Redis and a virtual
// clock, against Poisson arrivals per tier and exponential handle times. To
// find the agents needed for a target service level per tier, a supervisor
// takes the forecast arrivals per second of each tier for the busiest
// interval and the average handle time, then raises --agents until every
// tier meets its target, for example
//
//	switchboardctl sim --agents 40 --aht 240 --rate private=0.005,vip=0.02,standard=0.08,mass=0.05 \
//	    --duration 28800 --sl-threshold 20 --patience 120 --json
//
// and reads tiers.<tier>.service_level (the share answered within
// --sl-threshold) and occupancy. Run a few --seed values: the smallest
// count that meets the targets for all of them is the answer. --aging shows
// how strict priority or different credits move service between tiers at
// the same head count.
//
// # Concurrency
//
// An Engine is safe for concurrent use, and any number of Engines (in any
// number of processes) may share one contact centre.
package routing
