// net::HttpServer's accept loop when the process runs out of file descriptors: it backs off
// instead of spinning, and serves the waiting client once descriptors are free again.
#include "net/http_server.h"

#include <gtest/gtest.h>

#include <thread>

#include "support/descriptor_exhaustion.h"
#include "support/eventually.h"

namespace pool::net {
namespace {

TEST(HttpServer, AcceptBacksOffWhenOutOfDescriptors) {
  HttpServer server("127.0.0.1", 0, [](const HttpRequest&) { return HttpResponse{200, "text/plain", "hello"}; });
  server.start();
  test::EarlySocket client;
  test::DescriptorExhaustion exhaustion;
  ASSERT_TRUE(client.connect(server.port()));
  const auto started = std::chrono::steady_clock::now();
  EXPECT_TRUE(test::eventually([&] { return server.accept_errors() > 0; }));
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the episode's length, not synchronization
  const uint64_t errors = server.accept_errors();
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  EXPECT_LE(errors, 2u + static_cast<uint64_t>(elapsed.count() / 100));  // a spinning loop makes thousands
  exhaustion.release();
  ASSERT_TRUE(client.send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  EXPECT_NE(client.receive().find("200"), std::string::npos);
  server.stop();
}

}  // namespace
}  // namespace pool::net
