// Hostile clients, part 1: what a client sends. Endless lines, binary junk, deep nesting, a slow
// drip, floods of bogus shares and requests pipelined by a client that never reads. Each test
// runs a real poold with one honest miner beside the attack (see hostile_fixture.h for what is
// checked after every attack).
#include <random>

#include "stratum/hostile_fixture.h"
#include "support/eventually.h"

namespace pool::test::hostile {
namespace {

const std::string kWorker = std::string(kAddress) + ".attacker";

std::string junk(size_t size, uint32_t seed, bool newlines) {
  std::mt19937 rng(seed);
  std::string out(size, '\0');
  for (auto& c : out) {
    c = static_cast<char>(rng() & 0xff);
    if (!newlines && c == '\n') c = '\x01';
  }
  return out;
}

TEST_F(HostileTest, EndlessLineIsCutOffAtTheLineLimit) {
  if (!start_pool("sqlite")) return;
  begin_attack();
  RawConn a(pool_->port(), "127.0.0.2");
  ASSERT_TRUE(a.connected());
  size_t sent = a.send(R"({"id":1,"method":"mining.subscribe","params":[")");
  const std::string chunk(64 * 1024, 'a');
  for (int i = 0; i < 128 && !a.peer_closed(); ++i) sent += a.send(chunk, 1s);  // up to 8 MiB, never a '\n'
  EXPECT_TRUE(a.closed_within(5s)) << "the server kept a line without end open after " << sent << " bytes";
  verify_after_attack("endless line (8 MiB without a newline)");
}

TEST_F(HostileTest, BinaryJunkIsClosed) {
  if (!start_pool("sqlite")) return;
  begin_attack();
  // From the first byte; after a valid line (junk lines are invalid messages); and behind a '{'
  // with no newline (the line limit).
  RawConn raw(pool_->port(), "127.0.0.2"), lines(pool_->port(), "127.0.0.3"), brace(pool_->port(), "127.0.0.4");
  ASSERT_TRUE(raw.connected() && lines.connected() && brace.connected());
  raw.send(std::string(1, '\0') + junk(1 << 20, 1, true), 1s);
  lines.send(R"({"id":1,"method":"mining.ping"})" "\n" + junk(1 << 20, 2, true), 1s);
  brace.send("{" + junk(1 << 20, 3, false), 1s);
  EXPECT_TRUE(raw.closed_within(5s)) << "binary junk from the first byte was not closed";
  EXPECT_TRUE(lines.closed_within(5s)) << "lines of binary junk after a valid line were not closed";
  EXPECT_TRUE(brace.closed_within(5s)) << "binary junk behind '{' without a newline was not closed";
  verify_after_attack("binary junk (3 x 1 MiB)");
}

TEST_F(HostileTest, DeeplyNestedJsonDoesNotCrashTheServer) {
  if (!start_pool("sqlite")) return;
  begin_attack();
  // 100,000 '[' on one line: over the line limit.
  RawConn deep(pool_->port(), "127.0.0.2");
  ASSERT_TRUE(deep.connected());
  deep.send(R"({"id":1,"method":"mining.subscribe","params":)" + std::string(100000, '[') + "\n", 2s);
  EXPECT_TRUE(deep.closed_within(5s)) << "a 100,000-deep line was not closed";
  // As deep as fits under the 16 KiB line limit, in arrays and in objects, each followed by a
  // ping: the server answers the ping or closes; either way it keeps running.
  const std::string arrays = R"({"id":1,"method":"mining.configure","params":)" + std::string(8000, '[') +
                             std::string(8000, ']') + "}\n";
  std::string objects = R"({"id":1,"method":"mining.subscribe","params":[)";
  for (int i = 0; i < 2600; ++i) objects += R"({"a":)";
  objects += "1" + std::string(2600, '}') + "]}\n";
  for (const std::string* line : std::vector<const std::string*>{&arrays, &objects}) {
    RawConn c(pool_->port(), "127.0.0.3");
    ASSERT_TRUE(c.connected());
    ASSERT_LT(line->size(), 16u * 1024);
    c.send(*line + R"({"id":"after","method":"mining.ping"})" "\n", 2s);
    const auto pong = reply_to(c, "\"after\"");
    EXPECT_TRUE(pong || c.closed_within(2s)) << "neither answered nor closed after " << line->size() << " bytes of nesting";
  }
  verify_after_attack("nested JSON (100,000 '[' and 8,000-deep lines)");
}

// A client that drips one byte at a time and never completes a line must be closed at the idle
// timeout: only complete, valid messages count as activity. One drips from its first byte, one
// after a completed subscribe and authorize.
TEST_F(HostileTest, SlowDripIsClosedAtTheIdleTimeout) {
  PoolOptions options;
  options.idle_timeout_seconds = 2;
  if (!start_pool("sqlite", options)) return;
  begin_attack();
  RawConn early(pool_->port(), "127.0.0.2"), late(pool_->port(), "127.0.0.3");
  ASSERT_TRUE(early.connected() && late.connected());
  const auto connected = std::chrono::steady_clock::now();
  ASSERT_TRUE(handshake(late, R"(["dripper"])", kWorker).authorized);
  const auto authorized = std::chrono::steady_clock::now();
  const std::string drip = R"({"id":5,"method":"mining.subscribe","params":[")" + std::string(64, 'a');
  const auto limit = std::chrono::milliseconds(static_cast<int>(options.idle_timeout_seconds * 1000)) + 4s;
  std::optional<std::chrono::steady_clock::duration> early_closed, late_closed;
  for (size_t i = 0; i < drip.size() && (!early_closed || !late_closed); ++i) {
    const auto now = std::chrono::steady_clock::now();
    if (now - connected > limit && now - authorized > limit) break;
    early.send(drip.substr(i, 1));  // one byte about every 0.8 s
    late.send(drip.substr(i, 1));
    if (!early_closed && early.closed_within(400ms)) early_closed = std::chrono::steady_clock::now() - connected;
    if (!late_closed && late.closed_within(400ms)) late_closed = std::chrono::steady_clock::now() - authorized;
  }
  EXPECT_TRUE(early_closed) << "a client dripping bytes from its first one was still connected "
                            << std::chrono::duration_cast<std::chrono::milliseconds>(limit).count()
                            << " ms after connecting (idle timeout " << options.idle_timeout_seconds << " s)";
  EXPECT_TRUE(late_closed) << "a client dripping bytes after authorize was still connected "
                           << std::chrono::duration_cast<std::chrono::milliseconds>(limit).count()
                           << " ms after its last complete message (idle timeout " << options.idle_timeout_seconds << " s)";
  verify_after_attack("slow drip");
}

// A miner whose shares are nearly all malformed or under the share target is closed and its
// address backed off; the honest miner on another address is untouched.
TEST_F(HostileTest, FloodsOfMalformedAndLowDifficultySharesAreBanned) {
  if (!start_pool("sqlite")) return;
  begin_attack();
  for (const char* kind : {"malformed", "low difficulty"}) {
    const std::string ip = kind == std::string("malformed") ? "127.0.0.2" : "127.0.0.3";
    RawConn a(pool_->port(), ip);
    const auto id = handshake(a, R"(["flooder"])", kWorker);
    ASSERT_TRUE(id.authorized && id.job);
    std::string flood;
    for (uint32_t i = 0; i < 500; ++i) {
      if (kind == std::string("malformed")) {
        flood += R"({"id":)" + std::to_string(100 + i) + R"(,"method":"mining.submit","params":[")" + kWorker + "\",\"" +
                 id.job->job_id + R"(","zz00000000000000","00000000","0000000g"]})" "\n";
      } else {
        flood += solved_submit(std::to_string(100 + i), kWorker, *id.job, id.extranonce1_hex, i, false);
      }
    }
    a.send(flood, 2s);
    EXPECT_TRUE(a.closed_within(5s)) << "a flood of " << kind << " shares was not closed";
    RawConn again(pool_->port(), ip);
    again.send(R"({"id":1,"method":"mining.subscribe","params":[]})" "\n");
    EXPECT_TRUE(again.closed_within(5s) && again.lines_seen() == 0) << "the " << kind << " flooder's address was not banned";
  }
  verify_after_attack("floods of malformed and low-difficulty shares");
}

// Shares naming job ids the pool never issued are bogus, not stale: a flood of them is closed
// and banned like any other flood of invalid shares.
TEST_F(HostileTest, FloodOfNeverIssuedJobIdsIsBanned) {
  if (!start_pool("sqlite")) return;
  begin_attack();
  RawConn a(pool_->port(), "127.0.0.2");
  const auto id = handshake(a, R"(["flooder"])", kWorker);
  ASSERT_TRUE(id.authorized && id.job);
  std::string flood;
  for (uint32_t i = 0; i < 500; ++i) {
    minerlib::MinerJob bogus = *id.job;
    bogus.job_id = "never-issued-" + std::to_string(i);
    flood += solved_submit(std::to_string(100 + i), kWorker, bogus, id.extranonce1_hex, i);
  }
  a.send(flood, 2s);
  EXPECT_TRUE(a.closed_within(5s)) << "500 shares for job ids the pool never issued did not get the client closed";
  RawConn again(pool_->port(), "127.0.0.2");
  again.send(R"({"id":1,"method":"mining.subscribe","params":[]})" "\n");
  EXPECT_TRUE(again.closed_within(3s) && again.lines_seen() == 0) << "the flooder's address was not banned";
  verify_after_attack("flood of never-issued job ids");
}

// Hundreds of thousands of requests from a client that never reads its answers: the server must
// stop reading (or close) instead of queueing answers without limit. mining.get_transactions
// answers are large here (the template carries 48 transactions), so an unbounded queue shows at
// once. Up to 64 MB is offered, more than the kernel's socket buffers hold (tcp_rmem max 32 MiB
// + tcp_wmem max 4 MiB), so a server that stops reading stalls the sender.
TEST_F(HostileTest, PipelinedRequestsFromAClientThatNeverReadsStayBounded) {
  PoolOptions options;
  options.mempool_transactions = 48;
  if (!start_pool("sqlite", options)) return;
  size_t answer_bytes = 0;
  {
    RawConn probe(pool_->port(), "127.0.0.3");
    ASSERT_TRUE(handshake(probe, R"(["probe"])", kWorker).authorized);  // only miners may ask
    probe.send(R"({"id":91,"method":"mining.get_transactions","params":[]})" "\n");
    const auto answer = reply_to(probe, "91");
    ASSERT_TRUE(answer);
    answer_bytes = answer->size();
    ASSERT_GT(answer_bytes, 16u * 1024) << "the attack needs large answers to mean anything";
  }
  begin_attack();
  RawConn a(pool_->port(), "127.0.0.2");
  ASSERT_TRUE(a.connected());
  ASSERT_TRUE(handshake(a, R"(["flooder"])", kWorker).authorized);  // the worst case: an authorized miner
  const uint64_t bound = baseline_kib_ + kRssHeadroomKib;
  const auto started = std::chrono::steady_clock::now();
  size_t lines = 0, bytes = 0;
  bool stalled = false, over = false;
  for (int batch = 0; batch < 100 && !a.peer_closed() && !stalled && !over; ++batch) {
    std::string requests;
    for (int i = 0; i < 10000; ++i, ++lines) {
      requests += R"({"id":)" + std::to_string(lines) +
                  (i % 2 == 0 ? R"(,"method":"mining.ping","params":[]})" "\n"
                              : R"(,"method":"mining.get_transactions","params":[]})" "\n");
    }
    // No progress for 3 s: the server stopped reading (backpressure), not merely busy.
    const size_t sent = a.send(requests, 3s);
    bytes += sent;
    stalled = sent < requests.size() && !a.peer_closed();
    over = monitor_->peak_kib() > bound;                   // already failed; stop feeding it
    if (std::chrono::steady_clock::now() - started > 20s) break;
  }
  std::cout << "[hostile] pipelined: " << bytes << " bytes of requests taken (" << answer_bytes
            << "-byte get_transactions answers); server "
            << (stalled ? "stopped reading" : a.peer_closed() ? "closed" : over ? "went over the bound" : "read it all")
            << "\n";
  a.reset();
  verify_after_attack("pipelined ping/get_transactions never read");
}

}  // namespace
}  // namespace pool::test::hostile
