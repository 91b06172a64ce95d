#include "mining/job_registry.h"

#include <gtest/gtest.h>

#include <set>

namespace pool::mining {
namespace {

JobPtr job_on(JobRegistry& r, uint8_t tip) {
  auto j = std::make_shared<Job>();
  j->id = r.next_id();
  j->prev_hash.data()[0] = tip;
  return j;
}

TEST(JobRegistry, IdsAreShortUniqueHex) {
  JobRegistry r;
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = r.next_id();
    EXPECT_LE(id.size(), 8u);
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 1000u);
}

// A refresh of an unchanged template is the same work: a header submitted under the old job id
// and again under the new one must meet the same seen-set, or it is credited twice.
TEST(JobRegistry, JobsOnOneTipShareOneSeenSetAndANewTipStartsAFreshOne) {
  JobRegistry r;
  auto make = [&](uint8_t tip) {  // as JobManager builds them
    auto j = std::make_shared<Job>();
    j->id = r.next_id();
    j->prev_hash.data()[0] = tip;
    j->seen = r.seen_set_for(j->prev_hash);
    return j;
  };
  auto first = make(1);
  r.add(first);
  auto refresh = make(1);
  r.add(refresh);
  EXPECT_EQ(refresh->seen, first->seen);
  EXPECT_TRUE(first->seen->insert_key(42));
  EXPECT_FALSE(refresh->seen->insert_key(42));  // the same share through the refreshed job
  auto next_tip = make(2);
  EXPECT_NE(next_tip->seen, first->seen);
  EXPECT_TRUE(next_tip->seen->insert_key(42));
}

TEST(JobRegistry, JobsOfCurrentTipStayValidOldTipGoesStale) {
  JobRegistry r;
  const auto a = job_on(r, 1), b = job_on(r, 1), c = job_on(r, 2);
  EXPECT_TRUE(r.add(a));
  EXPECT_FALSE(r.add(b));  // refresh on the same tip
  EXPECT_EQ(r.find(a->id), a);
  EXPECT_EQ(r.find(b->id), b);
  EXPECT_TRUE(r.add(c));  // new block
  EXPECT_EQ(r.find(a->id), nullptr);
  EXPECT_EQ(r.find(b->id), nullptr);
  EXPECT_EQ(r.find(c->id), c);
  EXPECT_EQ(r.current(), c);
}

TEST(JobRegistry, BoundedPerTip) {
  JobRegistry r(3);
  std::vector<JobPtr> jobs;
  for (int i = 0; i < 5; ++i) {
    jobs.push_back(job_on(r, 1));
    r.add(jobs.back());
  }
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.find(jobs[0]->id), nullptr);
  EXPECT_EQ(r.find(jobs[4]->id), jobs[4]);
}

}  // namespace
}  // namespace pool::mining
