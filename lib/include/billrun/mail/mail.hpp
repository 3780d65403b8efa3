#pragma once
// E-mail: messages rendered as RFC 5322 + MIME bytes, and two ways to deliver them: .eml files
// in an outbox folder, or SMTP through libcurl. Nothing here reads the clock: the caller
// gives the Date and the Message-ID, so the same message renders to the same bytes.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <billrun/core/error.hpp>

namespace billrun::mail {

struct Attachment {
    std::string filename;      // a base name (any folder part is dropped); may be UTF-8
    std::string content_type;  // "application/pdf"; empty or malformed = application/octet-stream
    std::string data;          // raw bytes
};

struct Message {
    std::string from;                      // "Cobrança Exemplo <cobranca@exemplo.com.br>" or a bare address
    std::vector<std::string> to;           // addresses, or "Name <address>"
    std::string subject;                   // UTF-8
    std::string body;                      // UTF-8 plain text, LF (or CRLF) line ends
    std::vector<Attachment> attachments;
    std::string message_id;                // without <>, e.g. "A-000001-3.reminder@exemplo.com.br"
    std::string date;                      // RFC 5322 date-time, see rfc5322_date()
};

struct Mailbox {
    std::string display_name;  // UTF-8, unquoted; empty for a bare address
    std::string address;       // local@domain
};

// The addresses of a customer's e-mail field: separated by ',' or ';' (not inside quotes or
// <>), trimmed, empty ones dropped. Not validated: see check_message().
std::vector<std::string> split_addresses(std::string_view field);

// "Name <a@b>", "\"Silva, João\" <a@b>", "<a@b>" or "a@b". Empty address when there is none.
Mailbox parse_mailbox(std::string_view mailbox);

// An ASCII addr-spec: dot-atom local part, '@', a domain of dot-separated labels (or a
// [literal]), at most 254 characters. Internationalised addresses are not accepted.
bool is_valid_address(std::string_view address);

// ISO 8601 "2026-12-05T16:14:11-03:00" (also "Z", "-0300", fractions of a second, which are
// dropped) -> "Sat, 05 Dec 2026 16:14:11 -0300". Empty when `iso` is not such a timestamp.
std::string rfc5322_date(std::string_view iso);

// What makes a message unsendable: ErrorCode::data_invalid naming a bad or missing From/To
// address, or ErrorCode::internal for a missing Date or Message-ID (the caller's duty).
Result<void> check_message(const Message& message);

// The message as RFC 5322 + MIME bytes, CRLF line ends, 7-bit clean, no line over 78
// characters (998 at most): non-ASCII headers as RFC 2047 encoded-words, the body as text/plain
// UTF-8 (7bit or quoted-printable), attachments base64 in multipart/mixed with RFC 2231
// filenames when non-ASCII. The body always ends with a line break. Renders whatever it is
// given (CR/LF in header values become spaces); call check_message() to refuse bad messages.
std::string render(const Message& message);

struct SmtpSettings {
    std::string url;        // smtp://host[:port] (STARTTLS when offered) or smtps://host[:port]
    std::string username;   // credentials are sent only when username is set
    std::string password;
    std::string ca_bundle;  // a CA file trusted besides the system's (/etc/ssl/certs); TLS is always verified
    long timeout_seconds = 30;  // per attempt, whole transaction (connecting: at most 15 s of it)
    int retries = 2;            // extra attempts after a temporary failure
    long backoff_ms = 200;      // wait before the first retry, doubled before each next one
};

// Delivers rendered messages. Not thread-safe: one sender per thread.
class Sender {
public:
    virtual ~Sender() = default;
    // Returns where the message went: the .eml path, or "smtp" once the server accepted it.
    // Fails with check_message()'s errors before anything is written or sent.
    virtual Result<std::string> send(const Message& message, const std::string& rendered,
                                     const std::string& file_stem) = 0;
    // Makes what send() returned lasting, for senders that batch (a batched outbox); call it
    // before recording a batch of messages as sent. Errors: ErrorCode::internal.
    virtual Result<void> flush() { return {}; }
};

// Writes <outbox>/<file_stem>.eml atomically (0644, like the other artifacts), creating the
// folder; the stem is made a safe file name, so it always stays inside `outbox`. A second send
// with the same stem replaces the file. Each file is fsynced before send() returns (~2 ms on a
// disk), or, with `batch`, not: then flush() syncs them all at once. Errors: ErrorCode::internal.
std::unique_ptr<Sender> outbox_sender(std::filesystem::path outbox, bool batch = false);

// SMTP through libcurl: MAIL FROM the address of `from`, RCPT TO each of `to`; sent means the
// server accepted the DATA; EHLO names the domain of `from` (unless the URL has a path, which
// curl uses instead). The connection is kept for the next message. TLS is verified
// always; over smtp:// credentials are sent in the clear only to a loopback host (otherwise
// STARTTLS is required). Temporary failures (no connection, time-outs, 4xx replies) are retried
// `retries` times; 5xx replies and TLS/certificate/URL problems fail at once.
// Errors: ErrorCode::unavailable, the message beginning "temporary SMTP failure" or "permanent
// SMTP failure" (see is_temporary()) and naming the server and its reply code, never the
// password; ErrorCode::config for a URL that is not smtp:// or smtps://.
std::unique_ptr<Sender> smtp_sender(SmtpSettings settings);

// Whether an error from a Sender was a temporary SMTP failure (worth trying again soon).
bool is_temporary(const Error& error);
// Whether the server may have taken the message after all (it was uploaded whole, then the
// connection failed or timed out before a reply): such a message must not be sent again.
bool is_unknown_outcome(const Error& error);

}  // namespace billrun::mail
