// The work loop against the test node: new tips give clean jobs (by ZMQ or by polling), a down
// node stops refreshes without crashing and recovery is automatic.
#include "mining/job_manager.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "mining/block_submitter.h"
#include "support/mining_helpers.h"

namespace pool::mining {
namespace {

/// Collects published jobs and lets a test wait for one that matches.
class JobSink {
 public:
  void operator()(const JobPtr& job) {
    std::lock_guard lock(mutex_);
    jobs_.push_back(job);
    cv_.notify_all();
  }
  JobPtr wait_for(const std::function<bool(const Job&)>& pred, std::chrono::seconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    JobPtr found;
    cv_.wait_for(lock, timeout, [&] {
      for (const auto& j : jobs_) {
        if (pred(*j)) found = j;
      }
      return found != nullptr;
    });
    return found;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<JobPtr> jobs_;
};

JobManager::Options options_for(const test::NodeFixture& f, std::chrono::milliseconds refresh) {
  JobManager::Options o;
  o.payout_script = f.wallet_script;
  o.refresh_interval = refresh;
  o.max_backoff = std::chrono::milliseconds(200);
  return o;
}

TEST(JobManager, FirstJobIsCleanRefreshIsNotAndNewBlockIsClean) {
  test::NodeFixture f;
  JobRegistry registry;
  JobManager manager(*f.node, registry, options_for(f, std::chrono::hours(1)), nullptr);
  const JobPtr first = manager.refresh_now();
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->clean_jobs);
  EXPECT_EQ(first->height, 1);
  f.rpc->call("test_addtransactions", "[3]");
  const JobPtr refreshed = manager.refresh_now();
  EXPECT_FALSE(refreshed->clean_jobs);
  EXPECT_EQ(refreshed->block_template->transactions.size(), 3u);
  EXPECT_EQ(registry.find(first->id), first);  // still valid for shares

  // Our own block is found: the next job is clean and the old ones are stale.
  const Solution s = test::solve(*refreshed, test::base_solution(*refreshed), refreshed->network_target);
  ASSERT_EQ(submit_block(*f.node, assemble_block(*refreshed, s), refreshed->height).status, SubmitStatus::kAccepted);
  const JobPtr next = manager.refresh_now();
  EXPECT_TRUE(next->clean_jobs);
  EXPECT_EQ(next->height, 2);
  EXPECT_EQ(next->prev_hash, *f.node->get_block_hash(1));
  EXPECT_EQ(registry.find(first->id), nullptr);
  EXPECT_EQ(registry.find(refreshed->id), nullptr);
}

TEST(JobManager, DownNodeIsReportedOnceAndRecovers) {
  test::NodeFixture f;
  JobRegistry registry;
  JobManager manager(*f.node, registry, options_for(f, std::chrono::hours(1)), nullptr);
  ASSERT_TRUE(manager.refresh_now());
  f.test_node->stop();
  EXPECT_EQ(manager.refresh_now(), nullptr);
  EXPECT_FALSE(manager.health().is_up());
  EXPECT_NE(manager.health().last_error().find("cannot reach node"), std::string::npos);
  EXPECT_EQ(manager.refresh_now(), nullptr);
  EXPECT_EQ(manager.health().failures(), 2);
  f.test_node->start();
  EXPECT_TRUE(manager.refresh_now());
  EXPECT_TRUE(manager.health().is_up());
}

TEST(JobManager, BackgroundLoopRetriesUntilNodeReturns) {
  test::NodeFixture f;
  f.test_node->stop();
  JobRegistry registry;
  JobSink sink;
  JobManager manager(*f.node, registry, options_for(f, std::chrono::hours(1)), std::ref(sink));
  manager.start();
  f.test_node->start();
  EXPECT_TRUE(sink.wait_for([](const Job& j) { return j.height == 1; }));
  manager.stop();
}

// With ZMQ the watcher polls only at start (interval one hour), so later tips can only arrive by
// ZMQ; without it, polling every 200 ms must find them.
void expect_tip_followed(const std::string& zmq_endpoint) {
  testnode::TestNodeOptions options;
  options.zmq_hashblock = zmq_endpoint;
  test::NodeFixture f(options);
  JobRegistry registry;
  JobSink sink;
  JobManager manager(*f.node, registry, options_for(f, std::chrono::hours(1)), std::ref(sink));
  node::RpcClient watcher_rpc(f.rpc_options());
  node::BitcoinNode watcher_node(watcher_rpc);
  const auto poll = zmq_endpoint.empty() ? std::chrono::milliseconds(200) : std::chrono::milliseconds(3600000);
  node::TipWatcher watcher(watcher_node, {zmq_endpoint, poll},
                           [&](const node::TipEvent& e) { manager.notify_new_tip(e); });
  watcher.start();
  manager.start();
  ASSERT_TRUE(sink.wait_for([](const Job& j) { return j.height == 1; }));
  // A ZMQ subscriber may miss messages published before its subscription is in place, so keep
  // mining until a job for a new tip shows up.
  JobPtr job;
  for (int blocks = 1; !job && blocks <= 20; ++blocks) {
    f.rpc->call("generatetoaddress", "[1,\"" + f.wallet_address + "\"]");
    job = sink.wait_for([](const Job& j) { return j.height >= 2; }, std::chrono::seconds(1));
  }
  ASSERT_TRUE(job);
  EXPECT_TRUE(job->clean_jobs);
  EXPECT_TRUE(manager.last_tip_to_job_ms().has_value());
  if (!zmq_endpoint.empty()) {
    EXPECT_GE(watcher.zmq_notifications(), 1u);
  }
  watcher.stop();
  manager.stop();
}

TEST(JobManager, NewBlockByPollingGivesCleanJob) { expect_tip_followed(""); }

TEST(JobManager, NewBlockByZmqGivesCleanJob) {
  expect_tip_followed("tcp://127.0.0.1:" + std::to_string(29000 + ::getpid() % 1000));
}

}  // namespace
}  // namespace pool::mining
