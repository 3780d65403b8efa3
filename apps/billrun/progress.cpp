#include "progress.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace billrun::app {

std::string thousands(std::int64_t n)
{
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) {
            out += '.';
        }
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string progress_line(std::string_view what, std::int64_t done, std::int64_t total, double seconds,
                          std::size_t width)
{
    const std::string rate = seconds > 0.05 ? fmt::format(" {}/s", thousands(static_cast<std::int64_t>(
                                                                          static_cast<double>(done) / seconds)))
                                            : std::string();
    std::string line;
    if (total > 0) {
        const std::int64_t shown = std::min(done, total);
        constexpr int k_bar = 24;
        const auto filled = static_cast<int>(shown * k_bar / total);
        line = fmt::format("[{}{}] {:3}% {} {}/{}{}", std::string(static_cast<std::size_t>(filled), '#'),
                           std::string(static_cast<std::size_t>(k_bar - filled), '-'), shown * 100 / total, what,
                           thousands(shown), thousands(total), rate);
    } else {
        line = fmt::format("{} {}{}", what, thousands(done), rate);
    }
    if (line.size() > width) {
        line.resize(width);
    }
    return line;
}

void ProgressLine::update(std::string_view what, std::int64_t done, std::int64_t total)
{
    if (!m_enabled) {
        return;
    }
    const auto now = Clock::now();
    if (!m_started) {
        m_started = true;
        m_start = now;
        m_last = now;
        return;  // a run that ends within a tenth of a second draws nothing
    }
    if (now - m_last < std::chrono::milliseconds(100)) {
        return;
    }
    m_last = now;
    const double seconds = std::chrono::duration<double>(now - m_start).count();
    m_out << '\r' << progress_line(what, done, total, seconds) << "\x1b[K" << std::flush;
    m_shown = true;
}

void ProgressLine::clear()
{
    if (m_shown) {
        m_out << "\r\x1b[K" << std::flush;
        m_shown = false;
    }
}

}  // namespace billrun::app
