// Package demobank fills an empty database with a deterministic demo bank
// (switchboardctl seed, make run, the tests and benchmarks that need a
// realistic bank): staff with their demo passwords, teams and queues,
// customers in the tier proportions of the policy in force, their accounts,
// notes, complaints and consent records, and a history of past
// interactions. The same seed gives the same bank.
//
// It writes the tables of several owners (customers, agents, interactions)
// directly, with COPY, several tables at once: a million customers and
// their history would take hours through the owners' one-row use cases.
// It reads the tier policy through customers and hashes the passwords with
// agents.HashPassword; only commands and tests import it.
package demobank
