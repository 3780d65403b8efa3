#pragma once
// A progress line on stderr for long runs, only when stderr is a terminal (never under cron
// or in a pipeline's log) and not with -q: what is counted, how many, the total and a bar
// when known, and the rate. Redrawn at most ten times a second; erased before any other
// message and when the run ends, so nothing of it stays on the screen.
#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

namespace billrun::app {

// "1234567" -> "1.234.567" (pt-BR thousands).
std::string thousands(std::int64_t n);

// The line for `done` of `total` (0: unknown) after `seconds`, at most `width` columns.
std::string progress_line(std::string_view what, std::int64_t done, std::int64_t total, double seconds,
                          std::size_t width = 79);

class ProgressLine {
public:
    ProgressLine(std::ostream& out, bool enabled) : m_out(out), m_enabled(enabled) {}
    void update(std::string_view what, std::int64_t done, std::int64_t total);
    void clear();

private:
    using Clock = std::chrono::steady_clock;
    std::ostream& m_out;
    bool m_enabled = false;
    bool m_shown = false;
    bool m_started = false;
    Clock::time_point m_start;
    Clock::time_point m_last;
};

}  // namespace billrun::app
