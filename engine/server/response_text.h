#pragma once
// An HttpResponse as the bytes that go on the wire: the status line, the headers, the body.
//
// Written by hand, in one string, instead of through Beast's serializer, which walks a chain of
// buffer views per write: for the webhook's 200, sent for every inbound message, that walk had
// cost as much as the signature check (docs/engine.md).

#include <string>

#include "engine/server/http_server.h"

namespace consentflow::engine::server {

// `version` is the request's (11 for HTTP/1.1, 10 for HTTP/1.0). `keep_alive` says whether the
// connection stays open after this response: the header says so as that version needs it.
// 1xx, 204 and 304 responses carry neither a body nor a Content-Length.
//
// A header whose name is not an HTTP token, or whose value holds a line break or a NUL, would
// let a handler's bug split the response: the whole response is then a 500 instead.
std::string ResponseText(const HttpResponse& response, unsigned version, bool keep_alive);

}  // namespace consentflow::engine::server
