#pragma once
// The demo's stand-in for the Graph API (`consentflow serve --demo`, docs/demo.md): the outbox
// sender's base URL points at a second loopback listener serving this handler, so replies go
// out through the real sender and client, exactly as to Meta.
//
//   POST /{version}/{phone number id}/messages  a message -> 200 {"messages":[{"id":"wamid.demo.out..."}]},
//                                               and the demo phone shows it (DemoPhone::Deliver)
//                                               a read receipt -> 200 {"success":true}, and the
//                                               phone shows blue ticks (DemoPhone::MarkRead)
// Anything else is 404 (or 400 for a body that is not a JSON object), in Graph's error shape.
#include <string>

#include "engine/server/demo_phone.h"
#include "engine/server/http_server.h"

namespace consentflow::engine::server {

class DemoGraph final : public HttpHandler {
 public:
  explicit DemoGraph(DemoPhone& phone) : phone_(phone) {}
  void Handle(HttpRequest request, Responder respond) override;

 private:
  DemoPhone& phone_;
};

}  // namespace consentflow::engine::server
