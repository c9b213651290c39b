// TCPStore server and client (see tcp_store.h for why they are in C++).
#include "tcp_store.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace flint_gloo {

namespace {

void putU32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; i++) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t getU32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v |= static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

std::string errnoText(const std::string& what) { return what + ": " + std::strerror(errno); }

bool isLoopback(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

bool writeAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::string encodeFrame(uint8_t op, const std::vector<std::string>& args) {
  std::string body;
  body.push_back(static_cast<char>(op));
  for (const auto& a : args) {
    putU32(body, static_cast<uint32_t>(a.size()));
    body += a;
  }
  std::string out;
  putU32(out, static_cast<uint32_t>(body.size()));
  return out + body;
}

bool decodeFrame(std::string& buf, uint8_t& op, std::vector<std::string>& args) {
  if (buf.size() < 4) return false;
  uint32_t total = getU32(buf, 0);
  if (total < 1) throw std::runtime_error("TCPStore: malformed message");
  if (buf.size() < 4 + static_cast<size_t>(total)) return false;
  op = static_cast<uint8_t>(buf[4]);
  args.clear();
  size_t at = 5, end = 4 + static_cast<size_t>(total);
  while (at < end) {
    if (at + 4 > end) throw std::runtime_error("TCPStore: malformed message");
    uint32_t len = getU32(buf, at);
    at += 4;
    if (at + len > end) throw std::runtime_error("TCPStore: malformed message");
    args.emplace_back(buf.substr(at, len));
    at += len;
  }
  buf.erase(0, end);
  return true;
}

// ---------------------------------------------------------------------------------- server

TCPStoreServer::TCPStoreServer(const std::string& host, int port) {
  listenFd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listenFd_ < 0) throw std::runtime_error(errnoText("TCPStore: socket"));
  int one = 1;
  ::setsockopt(listenFd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  // Other machines must reach the server unless the master address is a loopback one.
  addr.sin_addr.s_addr = isLoopback(host) ? htonl(INADDR_LOOPBACK) : htonl(INADDR_ANY);
  if (::bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    std::string msg = errnoText("TCPStore: cannot bind port " + std::to_string(port));
    ::close(listenFd_);
    throw std::runtime_error(msg);
  }
  if (::listen(listenFd_, 128) != 0) {
    std::string msg = errnoText("TCPStore: listen");
    ::close(listenFd_);
    throw std::runtime_error(msg);
  }
  socklen_t len = sizeof(addr);
  ::getsockname(listenFd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  if (::pipe2(wakePipe_, O_CLOEXEC) != 0) throw std::runtime_error(errnoText("TCPStore: pipe"));
  thread_ = std::thread([this] { loop(); });
}

TCPStoreServer::~TCPStoreServer() { stop(); }

void TCPStoreServer::stop() {
  if (stopping_.exchange(true)) return;
  char b = 1;
  (void)!::write(wakePipe_[1], &b, 1);
  if (thread_.joinable()) thread_.join();
  for (auto& kv : clients_) ::close(kv.first);
  clients_.clear();
  ::close(listenFd_);
  ::close(wakePipe_[0]);
  ::close(wakePipe_[1]);
}

bool TCPStoreServer::has(const std::vector<std::string>& keys) const {
  return std::all_of(keys.begin(), keys.end(), [this](const std::string& k) { return data_.count(k) > 0; });
}

void TCPStoreServer::wakeWaiters() {
  for (auto it = waiters_.begin(); it != waiters_.end();) {
    if (has(it->keys)) {
      writeAll(it->fd, encodeFrame(0, {"1"}));
      it = waiters_.erase(it);
    } else {
      ++it;
    }
  }
}

void TCPStoreServer::handle(Client& c, StoreOp op, std::vector<std::string>& a) {
  auto reply = [&c](const std::vector<std::string>& r) { writeAll(c.fd, encodeFrame(0, r)); };
  auto need = [&a](size_t n) {
    if (a.size() != n) throw std::runtime_error("TCPStore: bad request");
  };
  switch (op) {
    case StoreOp::Set:
      need(2);
      data_[a[0]] = a[1];
      reply({});
      wakeWaiters();
      break;
    case StoreOp::Get: {
      need(1);
      auto it = data_.find(a[0]);
      if (it == data_.end()) reply({});
      else reply({it->second});
      break;
    }
    case StoreOp::Add: {
      need(2);
      int64_t v = std::stoll(a[1]);
      auto it = data_.find(a[0]);
      if (it != data_.end()) v += std::stoll(it->second);
      data_[a[0]] = std::to_string(v);
      reply({data_[a[0]]});
      wakeWaiters();
      break;
    }
    case StoreOp::Wait:
      if (has(a)) reply({"1"});
      else waiters_.push_back({c.fd, a});
      break;
    case StoreOp::Check:
      reply({has(a) ? "1" : "0"});
      break;
    case StoreOp::Delete:
      need(1);
      reply({data_.erase(a[0]) > 0 ? "1" : "0"});
      break;
    case StoreOp::NumKeys:
      reply({std::to_string(data_.size())});
      break;
    case StoreOp::CompareSet: {
      // PyTorch: set to desired when the current value equals expected (or the key is missing
      // and expected is empty); returns the value now stored.
      need(3);
      auto it = data_.find(a[0]);
      if (it == data_.end()) {
        if (a[1].empty()) {
          data_[a[0]] = a[2];
          reply({a[2]});
          wakeWaiters();
        } else {
          reply({a[1]});
        }
      } else {
        if (it->second == a[1]) it->second = a[2];
        reply({it->second});
        wakeWaiters();
      }
      break;
    }
    case StoreOp::Ping:
      reply({"1"});
      break;
    default:
      throw std::runtime_error("TCPStore: unknown request");
  }
}

void TCPStoreServer::loop() {
  std::vector<pollfd> fds;
  while (!stopping_) {
    fds.clear();
    fds.push_back({listenFd_, POLLIN, 0});
    fds.push_back({wakePipe_[0], POLLIN, 0});
    for (auto& kv : clients_) fds.push_back({kv.first, POLLIN, 0});
    int n = ::poll(fds.data(), fds.size(), -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0 || stopping_) return;
    if (fds[0].revents & POLLIN) {
      int fd = ::accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        clients_[fd] = Client{fd, {}};
      }
    }
    for (size_t i = 2; i < fds.size(); i++) {
      if (fds[i].revents == 0) continue;
      int fd = fds[i].fd;
      Client& c = clients_[fd];
      char buf[65536];
      ssize_t got = ::recv(fd, buf, sizeof(buf), 0);
      bool drop = got <= 0;
      if (!drop) {
        c.inbuf.append(buf, static_cast<size_t>(got));
        try {
          uint8_t op;
          std::vector<std::string> args;
          while (decodeFrame(c.inbuf, op, args)) handle(c, static_cast<StoreOp>(op), args);
        } catch (const std::exception&) {
          drop = true;
        }
      }
      if (drop) {
        waiters_.erase(std::remove_if(waiters_.begin(), waiters_.end(), [fd](const Waiter& w) { return w.fd == fd; }), waiters_.end());
        ::close(fd);
        clients_.erase(fd);
      }
    }
  }
}

// ---------------------------------------------------------------------------------- client

TCPStoreClient::TCPStoreClient(const std::string& host, int port, std::chrono::milliseconds timeout)
    : host_(host), port_(port), timeout_(timeout) {
  connectTo(timeout);
}

TCPStoreClient::~TCPStoreClient() {
  if (fd_ >= 0) ::close(fd_);
}

void TCPStoreClient::connectTo(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string lastError = "no attempt";
  while (true) {
    addrinfo hints{}, *res = nullptr;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = ::getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &res);
    if (rc != 0) {
      lastError = std::string("cannot resolve ") + host_ + ": " + gai_strerror(rc);
    } else {
      for (addrinfo* p = res; p != nullptr; p = p->ai_next) {
        int fd = ::socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
        if (fd < 0) continue;
        if (::connect(fd, p->ai_addr, p->ai_addrlen) == 0) {
          int one = 1;
          ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
          fd_ = fd;
          break;
        }
        lastError = errnoText("connect");
        ::close(fd);
      }
      ::freeaddrinfo(res);
      if (fd_ >= 0) return;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      throw std::runtime_error("TCPStore: could not connect to " + host_ + ":" + std::to_string(port_) + " within " +
                               std::to_string(timeout.count()) + " ms (" + lastError + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<std::string> TCPStoreClient::request(StoreOp op, const std::vector<std::string>& args, std::chrono::milliseconds timeout, const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fd_ < 0) connectTo(timeout_);
  if (!writeAll(fd_, encodeFrame(static_cast<uint8_t>(op), args))) {
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("TCPStore: " + what + ": the store server at " + host_ + ":" + std::to_string(port_) + " is gone (" + std::strerror(errno) + ")");
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string buf;
  while (true) {
    uint8_t rop;
    std::vector<std::string> out;
    if (decodeFrame(buf, rop, out)) return out;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      // A late answer would desynchronise the stream: reconnect on the next request.
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("TCPStore: " + what + ": timed out after " + std::to_string(timeout.count()) + " ms");
    }
    pollfd p{fd_, POLLIN, 0};
    int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 1 << 30)));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    char tmp[65536];
    ssize_t got = ::recv(fd_, tmp, sizeof(tmp), 0);
    if (got <= 0) {
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("TCPStore: " + what + ": connection to the store server at " + host_ + ":" + std::to_string(port_) +
                               " closed (did rank 0 exit?)");
    }
    buf.append(tmp, static_cast<size_t>(got));
  }
}

void TCPStoreClient::set(const std::string& key, const std::vector<char>& data) {
  request(StoreOp::Set, {key, std::string(data.begin(), data.end())}, timeout_, "set(" + key + ")");
}

std::vector<char> TCPStoreClient::get(const std::string& key) {
  wait({key}, timeout_);
  auto r = request(StoreOp::Get, {key}, timeout_, "get(" + key + ")");
  if (r.empty()) throw std::runtime_error("TCPStore: get(" + key + "): key was deleted");
  return std::vector<char>(r[0].begin(), r[0].end());
}

void TCPStoreClient::wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) {
  std::string names;
  for (const auto& k : keys) names += (names.empty() ? "" : ", ") + k;
  request(StoreOp::Wait, keys, timeout, "wait([" + names + "])");
}

int64_t TCPStoreClient::add(const std::string& key, int64_t delta) {
  auto r = request(StoreOp::Add, {key, std::to_string(delta)}, timeout_, "add(" + key + ")");
  return std::stoll(r.at(0));
}

bool TCPStoreClient::check(const std::vector<std::string>& keys) {
  return request(StoreOp::Check, keys, timeout_, "check").at(0) == "1";
}

bool TCPStoreClient::deleteKey(const std::string& key) {
  return request(StoreOp::Delete, {key}, timeout_, "deleteKey(" + key + ")").at(0) == "1";
}

int64_t TCPStoreClient::numKeys() { return std::stoll(request(StoreOp::NumKeys, {}, timeout_, "numKeys").at(0)); }

std::vector<char> TCPStoreClient::compareSet(const std::string& key, const std::string& expected, const std::string& desired) {
  auto r = request(StoreOp::CompareSet, {key, expected, desired}, timeout_, "compareSet(" + key + ")");
  return std::vector<char>(r.at(0).begin(), r.at(0).end());
}

}  // namespace flint_gloo
