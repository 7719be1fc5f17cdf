/**
 * faultline: a deterministic network simulator and test harness. This is the `faultline` entry: everything
 * that runs in Node and in the browser alike — the simulation, the network, protocols, pools, actors, scenario
 * definitions and their runs, the test API, invariants, chaos arbitraries, case files and replay. What needs
 * Node (files, worker threads) is `faultline/node`; vitest matchers are `faultline/vitest`; the built-in
 * scenarios `faultline/scenarios`.
 */
// First, so Math.random, Date.now and performance.now are wrapped before any other module takes an alias of them.
import './core/real-world-guard.js';
export { z } from 'zod';
export { FAULTLINE_VERSION } from './version.js';

// The core: time, events, randomness, trace, metrics, actors, hosts.
export { parseDuration, formatDuration, formatTimestamp, DurationError, type Duration, type Micros } from './core/time.js';
export { TimeHeap, type HeapEntry } from './core/heap.js';
export { Scheduler, Timer } from './core/scheduler.js';
export { Randomness, RandomStream, seedKey, type Seed } from './core/random.js';
export { distribution, toDistribution, distributionSchema, fdbLatency, DistributionError, type Distribution, type DistributionSpec } from './core/distribution.js';
export { canonicalJson, type JsonValue } from './core/canonical.js';
export { Digest64, digestHex } from './core/digest.js';
export { Trace, MemorySink, RingSink, CallbackSink, encodeRecord, type TraceRecord, type TraceSink, type TraceHeader, type Fields } from './core/trace.js';
export { Metrics, Counter, Gauge, Histogram, type MetricsSnapshot, type HistogramSummary } from './core/metrics.js';
export { Actor, type ActorMain, type ActorState, type SpawnOptions } from './core/actor.js';
export { ActorContext, type SendOptions, type RecordIds } from './core/context.js';
export { Host, type HostEvent, type HostState } from './core/host.js';
export type { Message } from './core/mailbox.js';
export { SimError, describeError, showValue } from './core/errors.js';
export { NondeterminismError, insideRun } from './core/real-world-guard.js';
export { Simulation, type SimulationOptions, type RunOptions, type ProgressHook, type RunResult, type StopReason, type ActorWait, type ActorFailure, type TraceDetail } from './core/simulation.js';

// Faults: each kind declared once and registered by the layer that owns it; schedules read the registry.
export {
  registerFaultKind,
  faultKind,
  faultKindList,
  faultKindNames,
  episodeKindList,
  episodeName,
  kindOfEpisode,
  numberOrText,
  type FaultKind,
  type FaultData,
  type FaultScope,
  type FaultTarget,
  type LinkBase,
  type PeriodRule,
  type EpisodeRule,
  type ValueField,
} from './core/fault-kinds.js';
export { parseFaults, applyFault, scheduleFaults, checkFault, faultSchemaOf, expected, type ScheduledFault, type FaultTimer } from './core/fault-schedule.js';
export { hostFaultKind, hostNameField, checkHostName, crashFault, killFault, stopFault, pauseFault, resumeFault, restartFault, drainFault, type HostEventFault } from './core/host-faults.js';

// The world a scenario builds, scenarios, their parameters and runs.
export { World, type WorldOptions } from './world.js';
export { defineScenario, isScenario, paramsJson, type Scenario, type ChaosProfile, type ChaosEpisodeKind } from './scenario.js';
export { intParam, numberParam, boolParam, choiceParam, durationParam, distributionParam, resolveParams, parseAssignments, ParamError } from './params.js';
export { runScenario, buildScenario, ScenarioBuildError, type ScenarioRun, type ScenarioRunOptions, type ScenarioProgress } from './run-scenario.js';
export { describeScenario, type ScenarioDescription, type HostDescription, type PoolDescription } from './describe.js';
// Sweeps: a grid of parameter values × seeds, each point's figures with mean and 95% interval.
export { tQuantile975, estimate, parseAxis, parseAxes, gridPoints, runFigures, metricInfo, metricKeys, pointEstimates, sweepResult, sweepSeeds, formatEstimate, sweepColumns, parseSweepFile, sweepFileSchema } from './sweep/index.js';
export type { Estimate, SweepAxis, SweepPoint, RunFigures, MetricInfo, SweepInputs, SweepResult, SweepPointResult, SweepColumn } from './sweep/index.js';

// The network.
export { Network, NetHost, type NetworkOptions, type NetHostOptions } from './net/network.js';
export { NetApi, netOf, type ConnectOptions } from './net/api.js';
export { NetError, type NetErrorCode } from './net/errors.js';
export type { LinkOptions, DropReason } from './net/link.js';
export { defaultLinkOptions, resolveLinkOptions } from './net/link-options.js';
export { selectorPairs, selectorText, hostList, checkSelector, selectorFields, optionalSelectorFields, type HostSelector, type LinkSelector, type OptionalLinkSelector } from './net/link-selector.js';
export {
  linkPairs,
  partitionFault,
  healFault,
  holdFault,
  releaseFault,
  latencyFault,
  lossFault,
  linkFault,
  type NetScope,
  type PartitionFault,
  type HealFault,
  type HoldFault,
  type ReleaseFault,
  type LatencyFault,
  type LossFault,
  type LinkFault,
} from './net/link-faults.js';
export { linuxUdpDefaults, resolveUdpOptions, type UdpOptions } from './net/udp-options.js';
export { Socket, type SocketOptions } from './net/tcp/socket.js';
export { Server, type ServerOptions } from './net/tcp/server.js';
export { linuxTcpDefaults, resolveTcpOptions, type TcpOptions } from './net/tcp/options.js';
export { StreamChecker, VIOLATIONS_KEPT_MAX, type StreamCheckSummary, type StreamViolation, type StreamViolationKind, type StreamDirection } from './net/tcp/stream-check.js';
export { UdpSocket, type UdpSocketOptions, type RemoteInfo, type UdpMessage } from './net/udp.js';
export { LineReader } from './net/lines.js';

// Protocols.
export * from './proto/http1.js';
export * from './proto/http2.js';
export { TlsHandshake, resolveTlsOptions, tlsDefaults, type TlsOptions } from './proto/tls.js';
export { pgConnect, pgConnectionFactory, PgConnection, type PgConnectOptions, type PgQueryResult } from './proto/pg-client.js';
export { PgError, PgClientError, SqlState, PgMessages } from './proto/pg-errors.js';
export type { PgQuerySpec } from './proto/pg-hints.js';

// Pools and requests.
export { DeadlineExceededError } from './core/errors.js';
export { Pool, Lease, PoolTimeoutError, type ConnectionFactory, type PoolStats } from './pool/pool.js';
export { PoolRegistry, type PoolSummary } from './pool/registry.js';
export { resolvePoolOptions, poolPresets, hikariDefaults, type PoolOptions } from './pool/options.js';
export { RequestContext, REQUEST_ID_HEADER, TIMEOUT_HEADER } from './requests/context.js';
export { RequestLedger, requestsOf, errorName, KEEP_REQUESTS_DEFAULT, type KeepRequests, type RequestRecord, type RequestSummary, type Span } from './requests/ledger.js';

// Actors: the components of a backend.
export { Database, startDatabase, type DatabaseStats } from './actors/database.js';
export { databaseDefaults, resolveDatabaseOptions, type DatabaseOptions } from './actors/database-options.js';
export { slowFault, type SlowFault } from './actors/database-faults.js';
export { queryErrorsFault, queryResetsFault, handlerErrorsFault } from './actors/error-faults.js';
export { responseAbortsFault } from './proto/http-faults.js';
export { dialFault, DialDraws, type DialFault } from './core/host-dials.js';
export { runClient, resolveClientOptions, clientDefaults, type ClientOptions, type Attempt } from './actors/client.js';
export { backoffUs, RetryBudget, type BackoffOptions } from './actors/retry.js';
export { runService, serviceDefaults, type ServiceOptions } from './actors/service.js';
export { Gateway, runGateway, type GatewayStats } from './actors/gateway.js';
export { gatewayPresets, resolveGatewayOptions, type GatewayOptions, type GatewayOverrides, type RetryOn, type UpstreamOptions } from './actors/gateway-options.js';
export { CircuitBreaker, resilience4jDefaults, resolveBreakerOptions, type BreakerState, type CircuitBreakerOptions } from './actors/circuit-breaker.js';
export { LoadBalancer, LOAD_BALANCING, type LoadBalancing } from './actors/load-balancer.js';

// The test harness: runs as tests ask for them, invariants, chaos, case files and replay.
export { simulate, type SimulateOptions, type SimRun } from './harness/simulate.js';
export { TraceQuery, type TraceFilter } from './harness/trace-query.js';
export { noLostRequests, withinDeadlines, poolsWithinMax, p99Below, errorRateBelow, runLine, type Verdict } from './harness/assertions.js';
export {
  conservation,
  poolBounds,
  poolWaits,
  hopRules,
  tcpAtRest,
  eventOrder,
  tcpBackoff,
  realWorldViolation,
  deadlines,
  timeForward,
  streamIntegrity,
  noCrashes,
  quiescence,
  recovers,
  safetyInvariants,
  checkInvariants,
  type Invariant,
  type Violation,
  type Phases,
  type FailureClass,
} from './harness/invariants.js';
export { resolveChaosProfile, chaosDefaults, type ResolvedChaosProfile } from './harness/chaos-profile.js';
export { chaosTopology, type ChaosTopology } from './harness/chaos-topology.js';
export { episodeKind, startFault, episodeFaults, scheduleOf, describeEpisode, type Episode, type EpisodeLinks, type EpisodeTime } from './harness/chaos-episodes.js';
export {
  chaosInputArbitrary,
  swarmArbitrary,
  paramsArbitrary,
  geneArbitrary,
  episodeOf,
  episodeTime,
  linksArbitrary,
  episodeLimits,
  type ChaosInput,
  type ChaosArbitraryOptions,
  type EpisodeGene,
} from './harness/chaos-arbitraries.js';
export { makeCase, runCase, caseInvariants, closingFaults, caseRunCommand, type ChaosCase, type CaseResult, type RunCaseOptions } from './harness/chaos-run.js';
export {
  chaosProperty,
  chaosPredicate,
  caseOf,
  runInput,
  firstViolation,
  minimizeEpisodes,
  drawChaosCase,
  drawChaosInput,
  ChaosViolation,
  type ChaosPropertyOptions,
  type Minimal,
} from './harness/chaos-property.js';
export { checkScenario, type CheckScenarioOptions, type ChaosFailure, type CheckResult } from './harness/check-scenario.js';
export { caseSeed, drawCase, shrinkCase, type DrawCase, type ShrinkCase } from './harness/check-draw.js';
export { selfCheck, firstDivergence, isSelfChecked, isLongSelfCheck, lengthened, LONG_SELF_CHECK_TAIL_US, formatDivergence, type Divergence, type SelfCheckResult } from './harness/self-check.js';
export { caseFileSchema, parseCaseFile, chaosCaseOf, DETERMINISM, type CaseFile, type CheckClass } from './harness/case-file.js';
export { CASE_MAX_EVENTS_DEFAULT, CASE_MAX_HEAP_MB_DEFAULT, EVENT_BUDGET, MEMORY_BUDGET, eventBudgetViolation, memoryBudgetViolation } from './harness/case-budget.js';
export { replayCase, type CaseReplay, type ReplayOptions } from './harness/replay-case.js';
export { replayCommand, shellWord, type ReplayInputs } from './harness/replay.js';
export { verdictOf, type Finding } from './harness/verdict.js';

// Systems described in a file (YAML or JSON, read by faultline/node): a scenario made from data.
export { systemScenario, checkSystem, systemJsonSchema, type SystemSource } from './system/scenario.js';
export { systemSchema, type SystemFile } from './system/schema.js';
export { SystemFileError } from './system/issues.js';
export { buildSystem } from './system/build.js';
