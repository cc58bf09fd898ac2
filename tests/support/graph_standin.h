#pragma once
// A stand-in for the Graph API's messages endpoint, for tests: a real HTTP/1.1
// server (Beast) on 127.0.0.1 and an ephemeral port, serving on a thread of its own.
//
// Every request is recorded (method, target, headers, body, which connection carried it, what
// it was answered). By default a request is accepted the way the Cloud API accepts one: a send
// gets {"messages":[{"id":"wamid.standin.N"}]}, a read receipt {"success":true}. A script
// changes the next answers:
//
//   GraphStandin graph;                                   // listening already
//   graph.Script(StandinAnswer::Error(500), 3);           // the next 3 requests get HTTP 500
//   graph.Script(StandinAnswer::Error(400, 131047), 1, "+4915100");  // one for this recipient
//   graph.Script(StandinAnswer::Drop());                  // close the connection, no answer
//   graph.Script(StandinAnswer::Accept(std::chrono::seconds(2)));    // answer, but slowly
//   client.base_url = graph.base_url();                   // "http://127.0.0.1:PORT"
//
// Scripts apply in the order they were added; a request takes the first one whose recipient
// matches (any recipient when it was given none) and uses up one of its count. Requests are
// answered concurrently (a slow answer does not hold up the other connections) and connections
// are kept alive unless the request asks to close.
//
// Thread-safe: every method may be called from any thread while the stand-in serves.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace consentflow::testing {

struct StandinAnswer {
  enum class Kind { kAccept, kError, kDrop };
  Kind kind = Kind::kAccept;
  int http_status = 200;
  int graph_code = 0;                  // kError: error.code in the body; 0 for a body without one
  std::chrono::milliseconds delay{0};  // wait this long before answering (or dropping)

  static StandinAnswer Accept(std::chrono::milliseconds delay = {}) {
    return {Kind::kAccept, 200, 0, delay};
  }
  static StandinAnswer Error(int http_status, int graph_code = 0) {
    return {Kind::kError, http_status, graph_code, {}};
  }
  static StandinAnswer Drop(std::chrono::milliseconds delay = {}) {
    return {Kind::kDrop, 0, 0, delay};
  }
};

struct RecordedRequest {
  std::string method;
  std::string target;                          // "/v25.0/106540352242922/messages"
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string recipient;       // the body's "to" or "recipient"; a read receipt's "message_id"
  std::size_t connection = 0;  // 1 for the first TCP connection accepted, 2 for the next, ...
  int answered = 0;            // the HTTP status sent back; 0 when the connection was dropped
  std::string whatsapp_id;     // the wamid an accepted send was given
};

class GraphStandin {
 public:
  // Starts listening and serving. Throws std::system_error when it cannot bind.
  GraphStandin();
  // Stops: open connections are closed, answers still waiting are never sent.
  ~GraphStandin();
  GraphStandin(const GraphStandin&) = delete;
  GraphStandin& operator=(const GraphStandin&) = delete;

  uint16_t port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:PORT"

  // The next `count` requests (to `recipient` only, when not empty) get `answer`.
  void Script(StandinAnswer answer, std::size_t count = 1, std::string recipient = "");
  // Forgets every script: from now on every request is accepted.
  void ClearScript();

  std::vector<RecordedRequest> Requests() const;  // in the order they arrived
  std::size_t RequestCount() const;
  // The accepted sends (HTTP 200 with a wamid), in order.
  std::vector<RecordedRequest> AcceptedSends() const;
  // Waits until at least `count` requests have arrived; false on timeout.
  bool WaitForRequests(std::size_t count, std::chrono::milliseconds timeout) const;
  std::size_t ConnectionCount() const;  // TCP connections accepted so far

  class Server;  // internal: the Beast side, in graph_standin.cc

 private:
  friend class Server;
  struct ScriptEntry {
    StandinAnswer answer;
    std::size_t left;
    std::string recipient;
  };
  // Called by the server: records a request, returning its index and how to answer it; then
  // what was answered.
  std::pair<std::size_t, StandinAnswer> Record(RecordedRequest request);
  void Answered(std::size_t index, int status, std::string whatsapp_id);
  std::size_t Connected();  // the new connection's number

  mutable std::mutex mu_;
  mutable std::condition_variable arrived_;
  std::deque<ScriptEntry> script_;          // guarded by mu_
  std::vector<RecordedRequest> requests_;   // guarded by mu_
  std::size_t connections_ = 0;             // guarded by mu_
  uint16_t port_ = 0;
  std::unique_ptr<Server> server_;
};

}  // namespace consentflow::testing
