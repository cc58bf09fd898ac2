// The one translation unit that compiles Boost.Asio, its SSL support and Boost.Beast. Everything
// else includes their headers with BOOST_ASIO_SEPARATE_COMPILATION and
// BOOST_BEAST_SEPARATE_COMPILATION (set by the cf_net target), so the heavy implementation is
// built once, not in every file that uses a socket.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
