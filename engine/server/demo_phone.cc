#include "engine/server/demo_phone.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <random>

#include "engine/whatsapp/webhook_signature.h"

namespace consentflow::engine::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using json = nlohmann::json;

constexpr std::size_t kLogLimit = 500;  // messages kept per phone for a page that (re)connects
constexpr int kAttempts = 6;            // a webhook POST answered 503 (or not at all) is tried again

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string NowSeconds() { return std::to_string(NowMillis() / 1000); }

// A WhatsApp id: the phone number's digits, 8 to 15 of them.
bool ValidPhone(const std::string& phone) {
  if (phone.size() < 8 || phone.size() > 15) return false;
  return std::all_of(phone.begin(), phone.end(), [](char c) { return c >= '0' && c <= '9'; });
}

HttpResponse JsonAnswer(int status, const json& body) {
  return HttpResponse::Json(status, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

HttpResponse Error(int status, std::string_view message) {
  return JsonAnswer(status, json{{"error", message}});
}

// A notification envelope around one change's value.
json Envelope(json value) {
  json change = {{"field", "messages"}, {"value", std::move(value)}};
  json entry = {{"id", "demo"}, {"changes", json::array({std::move(change)})}};
  return json{{"object", "whatsapp_business_account"}, {"entry", json::array({std::move(entry)})}};
}

std::string Dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

// A random tag per process, so message ids stay unique across restarts on one database (the
// inbox drops an id it has seen).
std::string ProcessTag() {
  std::random_device random;
  char text[17];
  std::snprintf(text, sizeof text, "%08x%08x", random(), random());
  return text;
}

}  // namespace

struct DemoPhone::Phone {
  std::deque<json> log;
  std::map<uint64_t, std::shared_ptr<WebSocketPeer>> pages;
};

class DemoPhone::Listener final : public WebSocketListener {
 public:
  Listener(DemoPhone& owner, std::string contact, uint64_t id) : owner_(owner), contact_(std::move(contact)), id_(id) {}
  void OnMessage(std::string) override {}  // the page talks through /demo/api
  void OnClose() override {
    std::lock_guard lock(owner_.mu_);
    const auto phone = owner_.phones_.find(contact_);
    if (phone != owner_.phones_.end()) phone->second->pages.erase(id_);
  }

 private:
  DemoPhone& owner_;
  std::string contact_;
  uint64_t id_;
};

// The "value" of a messages change, as Meta sends it for the business number.
json DemoPhone::Value() const {
  return json{{"messaging_product", "whatsapp"},
              {"metadata", {{"display_phone_number", options_.display_number},
                            {"phone_number_id", options_.phone_number_id}}}};
}

DemoPhone::DemoPhone(DemoPhoneOptions options) : options_(std::move(options)), thread_([this] { Run(); }) {}

DemoPhone::~DemoPhone() { Stop(); }

void DemoPhone::SetWebhook(uint16_t port, std::string path) {
  std::lock_guard lock(mu_);
  webhook_port_ = port;
  webhook_path_ = std::move(path);
}

void DemoPhone::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::deque<Post> left;
  {
    std::lock_guard lock(mu_);
    left.swap(posts_);
  }
  for (Post& post : left) post.done(0);
}

void DemoPhone::Handle(HttpRequest request, Responder respond) {
  if (request.path == "/demo/api/info") {
    return respond(JsonAnswer(200, json{{"business", options_.display_number}}));
  }
  if (request.path != "/demo/api/send" && request.path != "/demo/api/read") {
    return respond(Error(404, "not found"));
  }
  if (request.method != "POST") {
    return respond(HttpResponse{405, "application/json", R"({"error":"use POST"})", {{"Allow", "POST"}}});
  }
  if (request.path == "/demo/api/send") return Send(request.body, std::move(respond));
  Read(request.body, std::move(respond));
}

void DemoPhone::Send(const std::string& body, Responder respond) {
  const json in = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!in.is_object()) return respond(Error(400, "send a JSON object"));
  const std::string phone = in.value("phone", "");
  if (!ValidPhone(phone)) return respond(Error(400, "phone: 8 to 15 digits"));
  const std::string type = in.value("type", "");
  std::string id;
  {
    std::lock_guard lock(mu_);
    static const std::string tag = ProcessTag();
    id = "wamid.demo.in." + tag + "." + std::to_string(next_id_++);
  }
  json message = {{"from", phone}, {"id", id}, {"timestamp", NowSeconds()}};
  json shown = {{"id", id}, {"from", "customer"}, {"time", NowMillis()}, {"status", "pending"}};
  if (type == "text") {
    const std::string text = in.value("text", "");
    if (text.empty() || text.size() > 4096) return respond(Error(400, "text: 1 to 4096 bytes"));
    message["type"] = "text";
    message["text"] = {{"body", text}};
    shown["kind"] = "text";
    shown["text"] = text;
  } else if (type == "button_reply" || type == "list_reply") {
    const std::string reply_id = in.value("id", "");
    const std::string title = in.value("title", "");
    if (reply_id.empty() || title.empty()) return respond(Error(400, "a reply needs its id and title"));
    message["type"] = "interactive";
    message["interactive"] = {{"type", type}, {type, {{"id", reply_id}, {"title", title}}}};
    if (const std::string context = in.value("context", ""); !context.empty()) {
      message["context"] = {{"from", options_.display_number}, {"id", context}};
    }
    shown["kind"] = type;
    shown["text"] = title;
  } else if (type == "location") {
    const auto latitude = in.find("latitude");
    const auto longitude = in.find("longitude");
    if (latitude == in.end() || longitude == in.end() || !latitude->is_number() || !longitude->is_number()) {
      return respond(Error(400, "a location needs latitude and longitude"));
    }
    message["type"] = "location";
    message["location"] = {{"latitude", *latitude}, {"longitude", *longitude}};
    shown["kind"] = "location";
    shown["text"] = "Location " + latitude->dump() + ", " + longitude->dump();
  } else {
    return respond(Error(400, "type: text, button_reply, list_reply or location"));
  }
  json value = Value();
  value["contacts"] = json::array({{{"profile", {{"name", "Demo customer"}}}, {"wa_id", phone}}});
  value["messages"] = json::array({message});
  const json payload = Envelope(std::move(value));
  {
    std::lock_guard lock(mu_);
    contact_of_[id] = phone;
  }
  Record(phone, Dump(shown));
  Enqueue(Post{Dump(payload), [this, phone, id, shown, respond = std::move(respond)](int status) mutable {
                 const bool ok = status == 200;
                 PushStatus(phone, id, ok ? "sent" : "failed");
                 shown["status"] = ok ? "sent" : "failed";
                 if (ok) return respond(JsonAnswer(200, json{{"message", shown}}));
                 respond(Error(502, "the webhook answered " + std::to_string(status)));
               }});
}

void DemoPhone::Read(const std::string& body, Responder respond) {
  const json in = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!in.is_object() || !in.contains("ids") || !in["ids"].is_array()) {
    return respond(Error(400, "send {\"phone\": ..., \"ids\": [...]}"));
  }
  const std::string phone = in.value("phone", "");
  std::vector<std::string> unread;
  {
    std::lock_guard lock(mu_);
    const auto found = phones_.find(phone);
    if (found == phones_.end()) return respond(Error(404, "no such phone"));
    for (const json& id : in["ids"]) {
      if (!id.is_string()) continue;
      for (json& message : found->second->log) {
        if (message["id"] == id && message["from"] == "business" && message["status"] != "read") {
          message["status"] = "read";
          unread.push_back(id.get<std::string>());
        }
      }
    }
  }
  for (const std::string& id : unread) PostStatus(phone, id, "read");
  respond(JsonAnswer(200, json{{"read", unread.size()}}));
}

void DemoPhone::Deliver(const std::string& contact, const std::string& wamid, const std::string& payload_json) {
  json payload = json::parse(payload_json, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) return;
  payload.erase("to");
  payload.erase("recipient");
  const json shown = {{"id", wamid}, {"from", "business"}, {"time", NowMillis()}, {"status", "delivered"},
                      {"payload", payload}};
  Record(contact, Dump(shown));
  PostStatus(contact, wamid, "sent");
  PostStatus(contact, wamid, "delivered");
}

void DemoPhone::MarkRead(const std::string& wamid) {
  std::string contact;
  {
    std::lock_guard lock(mu_);
    const auto found = contact_of_.find(wamid);
    if (found == contact_of_.end()) return;
    contact = found->second;
  }
  PushStatus(contact, wamid, "read");
}

void DemoPhone::PostStatus(const std::string& contact, const std::string& wamid, const char* status) {
  json value = Value();
  value["statuses"] = json::array(
      {{{"id", wamid}, {"status", status}, {"timestamp", NowSeconds()}, {"recipient_id", contact}}});
  const json payload = Envelope(std::move(value));
  const std::string body = Dump(payload);
  Enqueue(Post{body, [](int) {}});
  EnqueueLater(std::chrono::milliseconds(500), Post{body, [](int) {}});
  EnqueueLater(std::chrono::milliseconds(2000), Post{body, [](int) {}});
}

void DemoPhone::EnqueueLater(std::chrono::milliseconds delay, Post post) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  later_.emplace(std::chrono::steady_clock::now() + delay, std::move(post));
  wake_.notify_all();
}

void DemoPhone::Record(const std::string& contact, const std::string& message_json) {
  json message = json::parse(message_json);
  std::vector<std::shared_ptr<WebSocketPeer>> pages;
  {
    std::lock_guard lock(mu_);
    std::unique_ptr<Phone>& phone = phones_[contact];
    if (!phone) phone = std::make_unique<Phone>();
    phone->log.push_back(message);
    if (phone->log.size() > kLogLimit) phone->log.pop_front();
    for (const auto& [id, page] : phone->pages) pages.push_back(page);
  }
  const std::string text = Dump(json{{"type", "message"}, {"message", message}});
  for (const std::shared_ptr<WebSocketPeer>& page : pages) page->Send(text);
}

void DemoPhone::PushStatus(const std::string& contact, const std::string& id, const std::string& status) {
  std::vector<std::shared_ptr<WebSocketPeer>> pages;
  {
    std::lock_guard lock(mu_);
    const auto phone = phones_.find(contact);
    if (phone == phones_.end()) return;
    for (json& message : phone->second->log) {
      if (message["id"] == id) message["status"] = status;
    }
    for (const auto& [page_id, page] : phone->second->pages) pages.push_back(page);
  }
  const std::string text = Dump(json{{"type", "status"}, {"id", id}, {"status", status}});
  for (const std::shared_ptr<WebSocketPeer>& page : pages) page->Send(text);
}

std::shared_ptr<WebSocketListener> DemoPhone::Open(const HttpRequest& request, std::shared_ptr<WebSocketPeer> peer) {
  const std::string phone = QueryParameter(request.query, "phone").value_or("");
  if (!ValidPhone(phone)) return nullptr;  // the session closes it
  uint64_t id = 0;
  json history = json::array();
  {
    std::lock_guard lock(mu_);
    std::unique_ptr<Phone>& entry = phones_[phone];
    if (!entry) entry = std::make_unique<Phone>();
    id = next_id_++;
    entry->pages.emplace(id, peer);
    for (const json& message : entry->log) history.push_back(message);
  }
  peer->Ready();
  peer->Send(Dump(json{{"type", "history"}, {"messages", history}}));
  return std::make_shared<Listener>(*this, phone, id);
}

void DemoPhone::Enqueue(Post post) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      posts_.push_back(std::move(post));
      wake_.notify_all();
      return;
    }
  }
  post.done(0);
}

// One POST at a time, in order: statuses of a message never overtake the message.
void DemoPhone::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    const auto due = [this] { return !later_.empty() && later_.begin()->first <= std::chrono::steady_clock::now(); };
    if (later_.empty()) {
      wake_.wait(lock, [&] { return stopping_ || !posts_.empty() || !later_.empty(); });
    } else {
      wake_.wait_until(lock, later_.begin()->first, [&] { return stopping_ || !posts_.empty() || due(); });
    }
    if (stopping_) return;
    while (due()) {
      posts_.push_back(std::move(later_.begin()->second));
      later_.erase(later_.begin());
    }
    if (posts_.empty()) continue;
    Post post = std::move(posts_.front());
    posts_.pop_front();
    int status = 0;
    for (int attempt = 0; attempt < kAttempts && !stopping_; ++attempt) {
      if (webhook_port_ != 0) {
        lock.unlock();
        status = PostOnce(post.body);
        lock.lock();
        if (status != 0 && status != 503) break;
      }
      wake_.wait_for(lock, std::chrono::milliseconds(100 << attempt), [this] { return stopping_; });
    }
    lock.unlock();
    post.done(status);
    lock.lock();
  }
}

int DemoPhone::PostOnce(const std::string& body) {
  uint16_t port = 0;
  std::string path;
  {
    std::lock_guard lock(mu_);
    port = webhook_port_;
    path = webhook_path_;
  }
  asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.expires_after(std::chrono::seconds(10));
  stream.connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port), ec);
  if (ec) return 0;
  http::request<http::string_body> request{http::verb::post, path, 11};
  request.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  request.set(http::field::content_type, "application/json");
  request.set("X-Hub-Signature-256", whatsapp::SignBody(options_.app_secret, body));
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request, ec);
  if (ec) return 0;
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response, ec);
  if (ec) return 0;
  stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  return response.result_int();
}

}  // namespace consentflow::engine::server
