#pragma once
// The demo phone of `consentflow serve --demo` (docs/demo.md): a customer's WhatsApp played in a
// browser page (/demo), against the real server, with no WhatsApp account.
//
//   page --POST /demo/api/send--> DemoPhone --signed Cloud API webhook POST--> /webhook (the
//   real endpoint: signature, inbox, engine) ... engine --outbox sender--> Graph stand-in
//   (demo_graph.h) --> DemoPhone::Deliver --WebSocket /demo/events--> page
//                                         \--> statuses sent, delivered (and read, when the page
//                                              shows the message) POSTed back to /webhook
//
// A status can reach the webhook before the sender has recorded the wamid the stand-in gave it
// (the server then skips it, as it skips statuses of messages it never sent), so the phone
// sends each status again 0.5 s and 2 s later, as Meta repeats webhooks; repeats change nothing.
//
// Every customer action becomes the payload Meta would send (text, button_reply, list_reply,
// location), signed with the app secret (X-Hub-Signature-256) and POSTed over HTTP to the
// server's own webhook from a thread of the phone's own (so the server's I/O threads never wait
// for themselves). A POST the webhook answers 503 is tried again, as Meta would.
//
// The page's API (JSON; demo only, the server listens on loopback):
//   POST /demo/api/send  {"phone":"4915...","type":"text","text":"hi"}
//                        {"phone":..,"type":"button_reply"|"list_reply","id":..,"title":..,"context":WAMID}
//                        {"phone":..,"type":"location","latitude":..,"longitude":..}
//                        -> 200 {"message": {...}} once the webhook acknowledged it
//   POST /demo/api/read  {"phone":..,"ids":[WAMID, ...]} -> 200; "read" statuses go to the webhook
//   GET  /demo/api/info  -> {"business":"+1 555 0100"}
//   WebSocket /demo/events?phone=4915...: {"type":"history","messages":[...]} at once, then
//     {"type":"message","message":{...}} and {"type":"status","id":..,"status":..}
// A message: {"id","from":"customer"|"business","time":MS,"status",...}; a business message
// carries "payload", the Cloud API request body the engine sent (text or interactive).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "engine/server/http_server.h"
#include "engine/server/websocket.h"

namespace consentflow::engine::server {

struct DemoPhoneOptions {
  std::string app_secret;       // signs the webhook POSTs
  std::string phone_number_id;  // metadata.phone_number_id in the payloads
  std::string display_number;   // metadata.display_phone_number
};

class DemoPhone final : public HttpHandler, public WebSocketEndpoint {
 public:
  explicit DemoPhone(DemoPhoneOptions options);
  ~DemoPhone() override;  // Stop()

  // Where the webhook is (known once the server listens); before this, sends get 503.
  void SetWebhook(uint16_t port, std::string path);
  // Ends the posting thread; what it still holds is dropped. Idempotent.
  void Stop();

  // The Graph stand-in (any thread): the engine sent `payload` (a Cloud API request body) to
  // `contact`, and the stand-in accepted it as `wamid`. A body that is not JSON is ignored.
  void Deliver(const std::string& contact, const std::string& wamid, const std::string& payload_json);
  // The engine marked the customer's message `wamid` read.
  void MarkRead(const std::string& wamid);

  void Handle(HttpRequest request, Responder respond) override;
  std::shared_ptr<WebSocketListener> Open(const HttpRequest& request,
                                          std::shared_ptr<WebSocketPeer> peer) override;

 private:
  struct Phone;
  struct Post {
    std::string body;
    std::function<void(int status)> done;  // the webhook's HTTP status, 0 when unreachable
  };
  class Listener;
  void Send(const std::string& body, Responder respond);
  void Read(const std::string& body, Responder respond);
  void PostStatus(const std::string& contact, const std::string& wamid, const char* status);
  nlohmann::json Value() const;
  void EnqueueLater(std::chrono::milliseconds delay, Post post);
  void Enqueue(Post post);
  void Run();
  int PostOnce(const std::string& body);
  // Appends to the contact's log and pushes to its pages; `message` is a JSON object.
  void Record(const std::string& contact, const std::string& message_json);
  void PushStatus(const std::string& contact, const std::string& id, const std::string& status);

  const DemoPhoneOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  uint16_t webhook_port_ = 0;   // guarded by mu_
  std::string webhook_path_;    // guarded by mu_
  std::deque<Post> posts_;      // guarded by mu_
  std::multimap<std::chrono::steady_clock::time_point, Post> later_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  uint64_t next_id_ = 1;        // guarded by mu_
  std::map<std::string, std::unique_ptr<Phone>> phones_;  // by contact; guarded by mu_
  std::map<std::string, std::string> contact_of_;         // a customer message's wamid -> contact; guarded by mu_
  std::thread thread_;
};

}  // namespace consentflow::engine::server
