#pragma once
// Work split over processes instead of threads, for libraries that are not safe to use from
// several threads at once. cairo 1.16 (Debian 12) is one: its shared scaled-font cache
// aborts now and then ("Assertion `! scaled_font->cache_frozen' failed") when two threads
// draw text, so boleto PDFs are rendered by forked children, each with its own cairo.
#include <functional>

#include <billrun/core/error.hpp>

namespace billrun::io {

// Runs work(part, parts) for part = 0..parts-1: part 0 in this process, the others in forked
// children that die with this process. The children must not touch the ledger or anything
// shared but files of their own; they end with _exit, so nothing of this process is flushed
// or destroyed twice. Returns the error of the lowest failing part; a child that dies of a
// signal is an internal error.
Result<void> in_processes(unsigned parts, const std::function<Result<void>(unsigned part, unsigned parts)>& work);

}  // namespace billrun::io
