// Addresses: splitting a customer's e-mail field, parsing "Name <address>", checking addr-specs.
#include <billrun/core/text.hpp>
#include <billrun/mail/mail.hpp>

namespace billrun::mail {

namespace {

bool is_atext(char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        return true;
    }
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view s)
{
    if (s.empty() || s.front() == '.' || s.back() == '.' || s.find("..") != std::string_view::npos) {
        return false;
    }
    for (char c : s) {
        if (c != '.' && !is_atext(c)) {
            return false;
        }
    }
    return true;
}

bool is_domain(std::string_view s)
{
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
        for (char c : s.substr(1, s.size() - 2)) {
            if (c <= ' ' || c > '~' || c == '[' || c == ']' || c == '\\') {
                return false;
            }
        }
        return s.size() > 2;
    }
    if (s.empty() || s.size() > 253) {
        return false;
    }
    std::size_t start = 0;
    while (true) {
        std::size_t dot = s.find('.', start);
        std::string_view label = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                return false;
            }
        }
        if (dot == std::string_view::npos) {
            return true;
        }
        start = dot + 1;
    }
}

}  // namespace

std::vector<std::string> split_addresses(std::string_view field)
{
    std::vector<std::string> out;
    auto push = [&](std::string_view part) {
        part = trim(part);
        if (!part.empty()) {
            out.emplace_back(part);
        }
    };
    bool quoted = false;
    bool angle = false;
    std::size_t start = 0;
    for (std::size_t i = 0; i < field.size(); ++i) {
        char c = field[i];
        if (quoted) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                quoted = false;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == '<') {
            angle = true;
        } else if (c == '>') {
            angle = false;
        } else if ((c == ',' || c == ';') && !angle) {
            push(field.substr(start, i - start));
            start = i + 1;
        }
    }
    if (start < field.size()) {
        push(field.substr(start));
    }
    return out;
}

Mailbox parse_mailbox(std::string_view text)
{
    text = trim(text);
    Mailbox mailbox;
    if (text.empty() || text.back() != '>') {
        mailbox.address = std::string(text);
        return mailbox;
    }
    // The '<' opening the address: the last one outside a quoted display name.
    std::size_t open = std::string_view::npos;
    bool quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (quoted && text[i] == '\\') {
            ++i;
        } else if (text[i] == '"') {
            quoted = !quoted;
        } else if (!quoted && text[i] == '<') {
            open = i;
        }
    }
    if (open == std::string_view::npos) {
        mailbox.address = std::string(text);
        return mailbox;
    }
    mailbox.address = std::string(trim(text.substr(open + 1, text.size() - open - 2)));
    std::string_view name = trim(text.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
        name = name.substr(1, name.size() - 2);
        for (std::size_t i = 0; i < name.size(); ++i) {
            if (name[i] == '\\' && i + 1 < name.size()) {
                ++i;
            }
            mailbox.display_name += name[i];
        }
    } else {
        mailbox.display_name = std::string(name);
    }
    return mailbox;
}

bool is_valid_address(std::string_view address)
{
    if (address.size() > 254) {
        return false;
    }
    std::size_t at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at > 64) {
        return false;
    }
    return is_dot_atom(address.substr(0, at)) && is_domain(address.substr(at + 1));
}

}  // namespace billrun::mail
