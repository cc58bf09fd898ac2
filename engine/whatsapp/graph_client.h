#pragma once
// The HTTP client for the Cloud API's messages endpoint: POST {base_url}/{version}/{phone number
// id}/messages with the bearer token, asynchronously, over kept-alive connections.
//
// HTTPS (the default, https://graph.facebook.com) verifies the server: the certificate chain
// against the system's trust store (or `ca_file`), and the host name, which is also sent as SNI.
// Plain HTTP is used only when base_url says http:// (the tests' stand-in, a local demo).
//
// Every step has a deadline (resolve, connect, TLS handshake: connect_timeout; writing the
// request and reading the answer: request_timeout), so a call always ends. Up to
// max_connections requests run at once; more wait in order for a free connection. A connection
// goes back to the pool after an answer that lets it stay open, and one kept idle longer than
// idle_timeout is closed rather than reused. A request that fails on a reused connection before
// any answer arrived (the server had closed it meanwhile) is tried once more on a new one.
//
// Threads: the client does its I/O on the io_context it is given, which the caller runs (one or
// more threads). Post() and Shutdown() may be called from any thread; `done` runs on a thread
// running that io_context, exactly once per Post(), also when the client is shut down (with a
// transport error). The client must outlive the io_context's handlers: call Shutdown(), let the
// io_context finish, then destroy the client.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "engine/base/result.h"
#include "engine/whatsapp/graph_response.h"

namespace boost::asio {
class io_context;
}

namespace consentflow::engine::whatsapp {

struct GraphClientOptions {
  std::string base_url = "https://graph.facebook.com";  // scheme://host[:port], no path
  std::string api_version = "v25.0";                    // Meta's current examples
  std::string phone_number_id;                          // the business number to send from
  std::string access_token;                             // a system-user token ("EAA...")
  // Resolve, connect and handshake, each: a healthy Graph API connects in well under a second.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  // Write the request, then read the answer: Meta answers sends in a few hundred milliseconds;
  // 30 s is Beast's advice and far beyond any healthy answer.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  // Close a pooled connection idle this long instead of reusing it: servers drop idle keep-alive
  // connections after some tens of seconds.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(20);
  // Requests in flight at once, each on its own connection. 8 x ~200 ms per answer is ~40
  // sends/s per connection pool; the sender's pacing keeps below the number's 80/s anyway.
  std::size_t max_connections = 8;
  // The largest answer read; Graph's answers are a few hundred bytes.
  std::size_t response_limit = 64 * 1024;
  // PEM file of trusted CAs instead of the system's (tests with their own CA); "" = the system's.
  std::string ca_file;
};

class GraphClient {
 public:
  using Done = std::function<void(GraphReply)>;

  // kInvalidArgument for a base_url that is not http:// or https://host[:port], a missing
  // phone number id, or an id, API version or token with other characters than letters, digits,
  // '-', '_' and '.'; kInternal when the TLS context cannot be set up (e.g. an unreadable ca_file).
  static Result<std::unique_ptr<GraphClient>> Create(boost::asio::io_context& io,
                                                     GraphClientOptions options);
  virtual ~GraphClient() = default;

  // POSTs `json_body` to the messages endpoint of the business number `phone_number_id` (the
  // one the contact wrote to: a conversation's 24-hour window belongs to that number); `done`
  // gets the answer or the transport error. An id with anything but letters, digits, '-', '_'
  // and '.' (it goes into the request line as it is) is not sent: a transport error.
  virtual void Post(std::string_view phone_number_id, std::string json_body, Done done) = 0;
  // The same, from the options' phone_number_id.
  virtual void Post(std::string json_body, Done done) = 0;
  // Closes idle connections, refuses new requests (they get a transport error at once) and lets
  // the ones in flight finish.
  virtual void Shutdown() = 0;
};

}  // namespace consentflow::engine::whatsapp
