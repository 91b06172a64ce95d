#include "support/postgres_server.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <vector>

namespace pool::test {

namespace {

/// The newest installed /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl.
std::filesystem::path find_bin() {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    const auto bin = e.path() / "bin";
    if (std::filesystem::exists(bin / "initdb") && std::filesystem::exists(bin / "pg_ctl")) found.push_back(bin);
  }
  if (found.empty()) return {};
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    return std::stoi(a.parent_path().filename().string()) < std::stoi(b.parent_path().filename().string());
  });
  return found.back();
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// PostgreSQL refuses to run as root: as root, run as the postgres user.
std::string as_server_user(const std::string& command) {
  return ::geteuid() == 0 ? "runuser -u postgres -- " + command : command;
}

void run(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("failed: " + command);
}

/// A freshly initialized data directory, made once per PostgreSQL version and user and copied
/// for each server (initdb takes seconds; a copy a fraction of one). Built aside and renamed
/// into place, so concurrent test processes never see half of one.
std::filesystem::path data_template(const std::filesystem::path& bin, const std::filesystem::path& scratch) {
  const std::filesystem::path tmpl = std::filesystem::temp_directory_path() /
                                     ("pool-pgtest-template-" + bin.parent_path().filename().string() + "-uid" +
                                      std::to_string(::geteuid()));
  if (std::filesystem::exists(tmpl / "data" / "PG_VERSION")) return tmpl / "data";
  const std::filesystem::path building = scratch / "template";
  std::filesystem::create_directory(building);
  if (::geteuid() == 0) run("chown postgres: " + building.string());
  run(as_server_user((bin / "initdb").string() + " --no-sync -A trust -U postgres -D " + (building / "data").string()));
  std::error_code lost_the_race;  // another process put its template there first: use that one
  std::filesystem::rename(building, tmpl, lost_the_race);
  return tmpl / "data";
}

}  // namespace

std::unique_ptr<PostgresServer> PostgresServer::start(std::string* why) {
  const auto bin = find_bin();
  if (bin.empty() || (::geteuid() == 0 && !::getpwnam("postgres"))) {
    if (why) *why = kPostgresBinariesSkip;
    return nullptr;
  }
  char tmpl[] = "/tmp/pool-pgtest.XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  const std::filesystem::path dir = tmpl;
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) throw std::runtime_error("chown " + dir.string());
  }
  std::unique_ptr<PostgresServer> server(new PostgresServer(bin, dir, free_port()));
  run("cp -a " + data_template(bin, dir).string() + " " + (dir / "data").string());
  server->start_again();
  return server;
}

PostgresServer::PostgresServer(std::filesystem::path bin, std::filesystem::path dir, int port)
    : bin_(std::move(bin)), dir_(std::move(dir)), port_(port) {}

PostgresServer::~PostgresServer() {
  try {
    pg_ctl("-m immediate stop");
  } catch (const std::exception&) {
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PostgresServer::url(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::create_database() {
  const std::string name = "pool_" + std::to_string(++databases_);
  PGconn* c = PQconnectdb(url().c_str());
  PGresult* r = PQexec(c, ("CREATE DATABASE " + name).c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  const std::string error = PQerrorMessage(c);
  PQclear(r);
  PQfinish(c);
  if (!ok) throw std::runtime_error("CREATE DATABASE " + name + ": " + error);
  return url(name);
}

void PostgresServer::pg_ctl(const std::string& args) const {
  run(as_server_user((bin_ / "pg_ctl").string() + " -w -D " + (dir_ / "data").string() + " -l " +
                     (dir_ / "server.log").string() + " " + args));
}

void PostgresServer::restart() { pg_ctl("-m fast restart"); }

void PostgresServer::stop() { pg_ctl("-m fast stop"); }

void PostgresServer::start_again() {
  pg_ctl("-o \"-p " + std::to_string(port_) + " -k " + dir_.string() +
         " -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50\" start");
}

}  // namespace pool::test
