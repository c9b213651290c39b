// PyTorch's TCPStore semantics (set/get/add/wait/check/deleteKey/numKeys/compareSet with a
// timeout; rank 0 hosts the server) as a small C++ server and client.
//
// Why C++ and not a store written in Node: Gloo's rendezvous (connectFullMesh) and every blocking
// collective run while the JS main thread is blocked (a synchronous allReduce, Work.wait(), the
// end-of-backward wait of DDP). A store served from JS on rank 0 would then never answer the
// other ranks, and a Store subclass calling back into JS could not run either. So the server runs
// on its own thread and the client is a plain blocking socket, both usable from Gloo's threads.
// The wire format is our own (length-prefixed strings); only Flint processes talk to it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gloo/rendezvous/store.h>

namespace flint_gloo {

enum class StoreOp : uint8_t { Set = 1, Get, Add, Wait, Check, Delete, NumKeys, CompareSet, Ping };

/** The server: one thread polling the listening socket and its clients. */
class TCPStoreServer {
 public:
  /** Binds host:port (port 0 picks a free port; see port()). Throws on failure. */
  TCPStoreServer(const std::string& host, int port);
  ~TCPStoreServer();
  int port() const { return port_; }
  void stop();

 private:
  struct Client {
    int fd;
    std::string inbuf;
  };
  struct Waiter {
    int fd;
    std::vector<std::string> keys;
  };
  void loop();
  void handle(Client& c, StoreOp op, std::vector<std::string>& args);
  void wakeWaiters();
  bool has(const std::vector<std::string>& keys) const;

  int listenFd_ = -1;
  int wakePipe_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::map<std::string, std::string> data_;
  std::vector<Waiter> waiters_;
  std::map<int, Client> clients_;
};

/** A blocking client; thread-safe (one request at a time). Implements Gloo's Store. */
class TCPStoreClient : public gloo::rendezvous::Store {
 public:
  /** Connects to host:port, retrying until `timeout` (the server may start later). */
  TCPStoreClient(const std::string& host, int port, std::chrono::milliseconds timeout);
  ~TCPStoreClient() override;

  void set(const std::string& key, const std::vector<char>& data) override;
  std::vector<char> get(const std::string& key) override;
  void wait(const std::vector<std::string>& keys) override { wait(keys, timeout_); }
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override;

  int64_t add(const std::string& key, int64_t delta);
  bool check(const std::vector<std::string>& keys);
  bool deleteKey(const std::string& key);
  int64_t numKeys();
  std::vector<char> compareSet(const std::string& key, const std::string& expected, const std::string& desired);
  std::chrono::milliseconds timeout() const { return timeout_; }
  void setTimeout(std::chrono::milliseconds t) { timeout_ = t; }

 private:
  std::vector<std::string> request(StoreOp op, const std::vector<std::string>& args, std::chrono::milliseconds timeout, const std::string& what);
  void connectTo(std::chrono::milliseconds timeout);

  std::string host_;
  int port_;
  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::mutex mu_;
};

// Framing shared by both ends: [u32 total][u8 op][u32 len][bytes]... (the response has op 0).
std::string encodeFrame(uint8_t op, const std::vector<std::string>& args);
/** Pops one complete frame from buf; false when incomplete. Throws on malformed frames. */
bool decodeFrame(std::string& buf, uint8_t& op, std::vector<std::string>& args);

}  // namespace flint_gloo
