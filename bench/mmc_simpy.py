"""
The M/M/c queue of scenarios/mmc.ts in SimPy, for `npm run bench` to compare rates with.

Written for SimPy 2 (Debian's python3-simpy is SimPy 2.3.1: `from SimPy.Simulation import ...`, processes
yielding hold/request/release), so run it with Debian's interpreter: /usr/bin/python3 bench/mmc_simpy.py.

Customers arrive as a Poisson process at `lambda` per second (the first one after one inter-arrival time,
as in mmc.ts), each holds one of `c` servers (a FIFO Resource) for an exponential time with mean 1/`mu`
(`--service constant`: exactly 1/`mu`, an M/D/c queue), and waiters queue without a timeout. Statistics
start after `warmup` seconds as mmc.ts's pool.resetStats() does: an arrival after it counts as an acquire
(and as waited if no server was free), a grant after it adds its wait to the mean. `completed` counts
customers served over the whole run, like the request ledger's `ok`.

Prints one JSON line: {simpy, completed, acquires, wallSeconds, virtualSeconds, waitProbability, meanWaitMs};
wallSeconds is time.perf_counter() around simulate() only.
"""
import argparse
import json
import random
import time

import SimPy
from SimPy.Simulation import Process, Resource, activate, hold, initialize, now, release, request, simulate

parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
parser.add_argument('--c', type=int, default=10)
parser.add_argument('--lambda', dest='lam', type=float, default=8.0)
parser.add_argument('--mu', type=float, default=1.0)
parser.add_argument('--duration', type=float, default=36000.0, help='virtual seconds')
parser.add_argument('--warmup', type=float, default=3600.0, help='virtual seconds before statistics start')
parser.add_argument('--service', choices=['exponential', 'constant'], default='exponential')
parser.add_argument('--seed', type=int, default=1)
args = parser.parse_args()


class Stats:
    completed = 0
    acquires = 0
    waited = 0
    granted = 0
    wait_total = 0.0


class Customer(Process):
    def run(self, servers, service_time, warmup):
        arrived = now()
        if arrived >= warmup:
            Stats.acquires += 1
            if servers.n == 0:  # no free server: this one queues
                Stats.waited += 1
        yield request, self, servers
        granted = now()
        if granted >= warmup:
            Stats.granted += 1
            Stats.wait_total += granted - arrived
        yield hold, self, service_time()
        yield release, self, servers
        Stats.completed += 1


class Source(Process):
    def run(self, servers, inter_arrival, service_time, warmup):
        while True:
            yield hold, self, inter_arrival()
            customer = Customer()
            activate(customer, customer.run(servers, service_time, warmup))


rng = random.Random(args.seed)
lam, mu = args.lam, args.mu
inter_arrival = lambda: rng.expovariate(lam)
service_time = (lambda: rng.expovariate(mu)) if args.service == 'exponential' else (lambda: 1.0 / mu)

initialize()
servers = Resource(capacity=args.c, name='servers')
source = Source()
activate(source, source.run(servers, inter_arrival, service_time, args.warmup))
start = time.perf_counter()
simulate(until=args.duration)
wall = time.perf_counter() - start

print(json.dumps({
    'simpy': SimPy.__version__,
    'completed': Stats.completed,
    'acquires': Stats.acquires,
    'wallSeconds': wall,
    'virtualSeconds': args.duration,
    'waitProbability': Stats.waited / Stats.acquires if Stats.acquires else 0,
    'meanWaitMs': 1000 * Stats.wait_total / Stats.granted if Stats.granted else 0,
}))
