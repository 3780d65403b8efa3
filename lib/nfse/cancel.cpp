// billrun cancel: a named pass a line. Everything that can refuse (the options, the
// invoice's state, the configuration and the certificate) is checked before the ledger
// changes. The signed event request is stored before its file is written and before it is
// sent, and each transmission is recorded before it goes out, so a re-run resends the same
// bytes; the invoice is cancelled in the transaction that records the authority's event.
#include <billrun/nfse/cancel.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>

#include <fmt/format.h>

#include <billrun/core/text.hpp>
#include <billrun/io/files.hpp>
#include <billrun/ledger/billing.hpp>
#include <billrun/ledger/lookup.hpp>
#include <billrun/nfse/dps.hpp>
#include <billrun/nfse/emit.hpp>
#include <billrun/nfse/event.hpp>
#include <billrun/nfse/sefin.hpp>
#include <billrun/nfse/sign.hpp>
#include <billrun/nfse/xsd.hpp>

#include "xml.hpp"

namespace billrun::nfse {

namespace {

constexpr int k_event_lag_seconds = 60;  // as dhEmi: a clock ahead of the authority's is no fault
constexpr int k_event_sequence = 1;      // numSeqEvento of the one cancellation

class Canceller {
public:
    Canceller(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, const CancelOptions& options)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_options(options)
    {
    }

    Result<CancelOutcome> run()
    {
        if (auto r = check_options(); !r) {
            return tl::unexpected(r.error());
        }
        auto invoice = check_invoice();
        if (!invoice) {
            return tl::unexpected(invoice.error());
        }
        if (m_out.result == CancelResult::already_cancelled) {
            return m_out;
        }
        if (auto r = load_tools(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = start(); !r) {
            return tl::unexpected(r.error());
        }
        auto done = act();
        if (!done) {
            finish("failed");
            return tl::unexpected(done.error());
        }
        if (auto r = finish(m_ctx.dry_run ? "dry-run" : status_word()); !r) {
            return tl::unexpected(r.error());
        }
        return m_out;
    }

private:
    Result<void> check_options()
    {
        if (!valid_cancel_code(m_options.code)) {
            return fail(ErrorCode::usage, fmt::format("--code {}: expected 1 (erro na emissão), 2 (serviço não "
                                                      "prestado) or 9 (outros)",
                                                      m_options.code));
        }
        auto reason = cancel_reason(m_options.reason);
        if (!reason) {
            return tl::unexpected(reason.error());
        }
        m_reason = std::move(*reason);
        return {};
    }

    // The invoice, its NFS-e and its event as they are; refusals before anything changes.
    Result<void> check_invoice()
    {
        auto found = ledger::find_invoice_by_reference(m_ledger, m_options.invoice);
        if (!found) {
            return tl::unexpected(found.error());
        }
        if (!*found) {
            return fail(ErrorCode::data_invalid, fmt::format("no invoice '{}' in {}", m_options.invoice,
                                                             m_ledger.path().string()));
        }
        const ledger::Invoice& inv = **found;
        m_out.invoice = inv.key;
        m_out.invoice_id = inv.display_id();
        if (inv.status == "draft") {
            return fail(ErrorCode::data_invalid,
                        fmt::format("invoice key {} is a draft: it was never issued, so there is nothing to cancel "
                                    "(a draft has no number, NFS-e or boleto)",
                                    inv.key));
        }
        if (auto r = reload(); !r) {
            return r;
        }
        if (inv.status == "cancelled") {
            // An NFS-e the authority authorized after the invoice was cancelled still needs
            // its cancellation event; anything else is done.
            m_invoice_cancelled = true;
            if (!authorized_after_cancel()) {
                m_out.result = CancelResult::already_cancelled;
            }
            return {};
        }
        auto paid = ledger::invoice_has_payments(m_ledger, inv.key);
        if (!paid) {
            return tl::unexpected(paid.error());
        }
        if (inv.status == "paid" || inv.status == "partly-paid" || *paid) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("invoice {} is {}: payments were received ({} of {} still open). billrun does "
                                    "not cancel an invoice that received money: refund or credit the customer "
                                    "first",
                                    m_out.invoice_id, inv.status, format_money(inv.balance), format_money(inv.net)));
        }
        if (inv.status != "issued") {
            return fail(ErrorCode::data_invalid,
                        fmt::format("invoice {} is {}: only an issued invoice can be cancelled", m_out.invoice_id,
                                    inv.status));
        }
        return {};
    }

    Result<void> reload()
    {
        auto nfse = ledger::nfse_of_invoice(m_ledger, m_out.invoice);
        if (!nfse) {
            return tl::unexpected(nfse.error());
        }
        m_out.nfse = std::move(*nfse);
        m_out.event.reset();
        if (m_out.nfse) {
            auto event = ledger::nfse_event(m_ledger, m_out.nfse->key, k_event_cancel);
            if (!event) {
                return tl::unexpected(event.error());
            }
            m_out.event = std::move(*event);
        }
        return {};
    }

    bool authorized_after_cancel() const
    {
        return m_out.nfse && m_out.nfse->status == "authorized-after-cancel";
    }

    // An NFS-e the authority holds: authorized (before or after the invoice was cancelled).
    bool authorized() const
    {
        return m_out.nfse && (m_out.nfse->status == "authorized" || authorized_after_cancel());
    }

    // An NFS-e the authority may hold: authorized, or a DPS sent without a recorded answer.
    bool needs_authority() const
    {
        return authorized() || (m_out.nfse && m_out.nfse->status == "signed" && m_out.nfse->attempts > 0);
    }

    Result<void> load_tools()
    {
        if (!needs_authority()) {
            return {};  // no event: no certificate needed
        }
        const auto& c = m_config;
        std::string file = c.file.empty() ? std::string("billrun.yaml") : c.file.string();
        std::string tax_id = c.company.tax_id;
        if (!is_digits(tax_id) || (tax_id.size() != 11 && tax_id.size() != 14)) {
            return fail(ErrorCode::config, fmt::format("{}: company.tax_id '{}': the event layout 1.01 takes a "
                                                       "numeric CNPJ or CPF only",
                                                       file, tax_id));
        }
        if (m_out.nfse->status == "signed" && c.nfse.endpoint.empty()) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("invoice {}: its DPS was sent to the authority and no answer was recorded, so "
                                    "billrun cannot tell offline whether its NFS-e exists: set nfse.endpoint and run "
                                    "cancel again (or emit-nfse first)",
                                    m_out.invoice_id));
        }
        if (!m_options.password) {
            return fail(ErrorCode::config, fmt::format("the certificate's password is not set: put it in the "
                                                       "environment variable {} (nfse.password_env)",
                                                       c.nfse.password_env));
        }
        auto certificate = Certificate::load(c.nfse.certificate, *m_options.password);
        if (!certificate) {
            return tl::unexpected(certificate.error());
        }
        auto schema = DpsSchema::load_event_request();
        if (!schema) {
            return tl::unexpected(schema.error());
        }
        m_schema = std::move(*schema);
        auto profile = c.nfse.signature == "rsa-sha256" ? SignatureProfile::rsa_sha256 : SignatureProfile::rsa_sha1;
        auto signer = Signer::create(*certificate, profile);
        if (!signer) {
            return tl::unexpected(signer.error());
        }
        m_signer = std::move(*signer);
        if (!c.nfse.endpoint.empty() && !m_ctx.dry_run) {
            Transport t;
            t.endpoint = c.nfse.endpoint;
            t.ca_bundle = c.nfse.ca_bundle;
            t.timeout_seconds = c.nfse.timeout_seconds;
            t.retries = c.nfse.retries;
            t.backoff = std::chrono::milliseconds(m_options.backoff_ms);
            auto client = SefinClient::create(t, *certificate);
            if (!client) {
                return tl::unexpected(client.error());
            }
            m_client = std::move(*client);
        }
        return {};
    }

    // One transaction per state change; a dry run keeps one open and never commits it.
    Result<void> in_transaction(const std::function<Result<void>()>& body)
    {
        if (!m_tx) {
            auto tx = ledger::WriteTransaction::begin(m_ledger);
            if (!tx) {
                return tl::unexpected(tx.error());
            }
            m_tx.emplace(std::move(*tx));
        }
        if (auto r = body(); !r) {
            m_tx.reset();
            return r;
        }
        if (m_ctx.dry_run) {
            return {};
        }
        auto r = m_tx->commit();
        m_tx.reset();
        return r;
    }

    Result<void> start()
    {
        m_started = m_ctx.now();
        return in_transaction([&]() -> Result<void> {
            auto run = ledger::start_run(m_ledger, {"cancel", m_ctx.business_date.iso(), m_started});
            if (!run) {
                return tl::unexpected(run.error());
            }
            m_run = *run;
            return {};
        });
    }

    Result<void> finish(const std::string& status)
    {
        return in_transaction([&] {
            auto counts = fmt::format(R"({{"cancelled":{},"events_signed":{},"events_registered":{}}})",
                                      m_out.result == CancelResult::cancelled ? 1 : 0, m_signed, m_registered);
            return ledger::finish_run(m_ledger, m_run, m_ctx.now(), status, counts);
        });
    }

    std::string status_word() const
    {
        return m_out.result == CancelResult::cancelled || m_out.result == CancelResult::event_signed ? "ok"
                                                                                                      : "partial";
    }

    std::string detail() const { return fmt::format("code {}: {}", m_options.code, m_reason); }

    Result<void> act()
    {
        if (m_out.nfse && m_out.nfse->status == "signed" && m_out.nfse->attempts > 0) {
            if (auto r = look_up_dps(); !r) {
                return r;
            }
        }
        if (authorized()) {
            return cancel_by_event();
        }
        return cancel_here();
    }

    // No NFS-e, or one never authorized: no event; its DPS number stays used.
    Result<void> cancel_here()
    {
        return in_transaction([&]() -> Result<void> {
            if (m_out.nfse && m_out.nfse->status != "cancelled") {
                auto moved = ledger::cancel_unauthorized_nfse(m_ledger, m_run, m_out.nfse->key, m_out.nfse->status,
                                                              m_out.nfse->attempts);
                if (!moved) {
                    return tl::unexpected(moved.error());
                }
                if (!*moved) {
                    return changed_meanwhile();
                }
            }
            if (auto r = cancel_records(); !r) {
                return r;
            }
            return reload();
        });
    }

    Result<void> changed_meanwhile() const
    {
        return fail(ErrorCode::busy, fmt::format("invoice {}: another run changed its NFS-e meanwhile; nothing was "
                                                 "done: run cancel again",
                                                 m_out.invoice_id));
    }

    Result<void> cancel_records()
    {
        if (m_invoice_cancelled) {
            m_out.result = CancelResult::cancelled;  // by an earlier run: only the NFS-e was left
            return {};
        }
        auto effects = ledger::cancel_invoice_records(m_ledger, m_run, m_out.invoice, detail());
        if (!effects) {
            return tl::unexpected(effects.error());
        }
        if (!effects->cancelled) {
            return changed_meanwhile();
        }
        m_out.effects = *effects;
        m_out.result = CancelResult::cancelled;
        return {};
    }

    // A DPS sent without a recorded answer: ask the authority whether it became an NFS-e.
    Result<void> look_up_dps()
    {
        if (!m_client) {
            return fail(ErrorCode::data_invalid,
                        fmt::format("invoice {}: its DPS was sent and never answered; a dry run does not ask the "
                                    "authority whether its NFS-e exists",
                                    m_out.invoice_id));
        }
        const auto& row = *m_out.nfse;
        auto found = m_client->find_dps(row.dps_id);
        if (!found) {
            return tl::unexpected(found.error());
        }
        if (found->status == 404) {
            return {};  // never received: nothing to cancel at the authority
        }
        if (found->status != 200 || found->access_key.empty()) {
            return fail(ErrorCode::unavailable,
                        fmt::format("invoice {}: asking the authority for DPS {} answered HTTP {}{}",
                                    m_out.invoice_id, row.dps_id, found->status,
                                    found->errors.empty() ? "" : ": " + found->error_summary()));
        }
        auto nfse = m_client->get_nfse(found->access_key);
        if (!nfse) {
            return tl::unexpected(nfse.error());
        }
        auto number = nfse->status == 200 ? nfse_number(nfse->nfse_xml) : Result<std::string>(std::string());
        if (!number || number->empty()) {
            return fail(ErrorCode::unavailable, fmt::format("invoice {}: the NFS-e {} cannot be fetched (HTTP {})",
                                                            m_out.invoice_id, found->access_key, nfse->status));
        }
        auto path = m_config.output_dir / "nfse" / (io::safe_file_name(row.invoice_id) + "-nfse.xml");
        if (auto w = write(path, nfse->nfse_xml); !w) {
            return w;
        }
        return in_transaction([&]() -> Result<void> {
            // Unchanged when emit-nfse recorded it meanwhile: the reload shows it authorized.
            auto r = ledger::record_nfse_authorized(m_ledger, m_run, row.key, found->access_key, *number,
                                                    nfse->nfse_xml, path.string(),
                                                    "sent without an answer, found by its DPS Id");
            if (!r) {
                return tl::unexpected(r.error());
            }
            return reload();
        });
    }

    Result<void> write(const std::filesystem::path& path, std::string_view bytes) const
    {
        if (m_ctx.dry_run) {
            return {};
        }
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        return io::write_file_atomic(path, bytes, 0644);
    }

    std::filesystem::path request_path() const
    {
        return m_config.output_dir / "nfse" / (io::safe_file_name(m_out.invoice_id) + "-cancel.xml");
    }

    std::filesystem::path event_path() const
    {
        return m_config.output_dir / "nfse" / (io::safe_file_name(m_out.invoice_id) + "-cancel-event.xml");
    }

    Result<void> cancel_by_event()
    {
        if (!m_out.event || m_out.event->status == "rejected") {
            if (auto r = sign_event(); !r) {
                return r;
            }
        } else if (m_out.event->status == "signed" &&
                   (m_out.event->code != m_options.code || m_out.event->reason != m_reason)) {
            m_ctx.warn(fmt::format("invoice {}: the cancellation signed earlier (code {}: {}) is sent as it was "
                                   "signed; the new code and reason are not used",
                                   m_out.invoice_id, m_out.event->code, m_out.event->reason));
        }
        if (m_out.event->status == "registered") {
            // The authority's event is recorded and only the invoice is left (not reachable
            // through billrun, which does both in one transaction; kept for a ledger edited by hand).
            return in_transaction([&]() -> Result<void> {
                if (auto r = cancel_records(); !r) {
                    return r;
                }
                return reload();
            });
        }
        // The file always holds the stored bytes (a run killed after storing them rewrites it).
        if (auto r = write(request_path(), m_out.event->signed_xml); !r) {
            return r;
        }
        if (!m_client) {
            m_out.result = CancelResult::event_signed;
            return {};
        }
        return send();
    }

    Result<void> sign_event()
    {
        const auto& row = *m_out.nfse;
        auto time = event_time(m_ctx.now(), k_event_lag_seconds);
        if (!time) {
            return tl::unexpected(time.error());
        }
        auto id = event_request_id(row.access_key);
        if (!id) {
            return tl::unexpected(id.error());
        }
        CancelEvent e;
        e.environment = m_config.nfse.environment == "production" ? 1 : 2;
        e.app_version = dps_text(m_options.app_version, 20);
        e.time = *time;
        e.author = m_config.company.tax_id;
        e.access_key = row.access_key;
        e.code = m_options.code;
        e.reason = m_reason;
        XmlErrors quiet;
        std::string xml = build_cancel_event(e);
        auto doc = parse_xml(xml, "event request");
        if (!doc) {
            return tl::unexpected(doc.error());
        }
        if (auto v = m_schema->validate_document(doc->get()); !v) {
            return fail(ErrorCode::data_invalid, fmt::format("invoice {}: {}", m_out.invoice_id, v.error().message));
        }
        if (auto s = m_signer->sign_document(doc->get(), "infPedReg"); !s) {
            return s;
        }
        ledger::NfseEvent event;
        event.nfse = row.key;
        event.type = std::string(k_event_cancel);
        event.sequence = k_event_sequence;
        event.request_id = *id;
        event.code = m_options.code;
        event.reason = m_reason;
        event.signed_xml = dump_document(doc->get());
        event.xml_path = m_ctx.dry_run ? std::string() : request_path().string();
        return in_transaction([&]() -> Result<void> {
            auto stored = ledger::store_signed_event(m_ledger, m_run, m_out.invoice, event);
            if (!stored) {
                return tl::unexpected(stored.error());
            }
            m_signed += *stored ? 1 : 0;
            return reload();  // another run's row, when it got there first
        });
    }

    Result<void> send()
    {
        const std::int64_t key = m_out.event->key;
        bool claimed = false;
        auto attempt = in_transaction([&]() -> Result<void> {
            auto r = ledger::record_event_attempt(m_ledger, m_run, m_out.invoice, key);
            if (!r) {
                return tl::unexpected(r.error());
            }
            claimed = *r;
            return reload();
        });
        if (!attempt) {
            return attempt;
        }
        if (!claimed) {
            return changed_meanwhile();
        }
        const std::string& chave = m_out.nfse->access_key;
        auto answer = m_client->send_event(chave, m_out.event->signed_xml);
        if (!answer) {
            m_out.result = CancelResult::unavailable;
            m_out.message = answer.error().message;
            return unsent("unavailable", answer.error().message);
        }
        if ((answer->status == 200 || answer->status == 201) && !answer->event_xml.empty()) {
            return registered(answer->event_xml, "registered");
        }
        // A refusal may be "already registered" (an earlier answer was lost): ask first.
        auto found = m_client->find_event(chave, k_event_cancel, k_event_sequence);
        if (found && found->status == 200 && !found->event_xml.empty()) {
            return registered(found->event_xml, "already registered, found by its key");
        }
        std::string code = !answer->errors.empty() && !answer->errors.front().code.empty()
                               ? answer->errors.front().code
                               : fmt::format("HTTP {}", answer->status);
        std::string message = answer->errors.empty()
                                  ? fmt::format("the authority answered HTTP {} without an event", answer->status)
                                  : answer->error_summary();
        m_out.result = CancelResult::rejected;
        m_out.message = fmt::format("{}: {}", code, message);
        return in_transaction([&]() -> Result<void> {
            if (auto r = ledger::record_event_rejected(m_ledger, m_run, m_out.invoice, key, code, message); !r) {
                return r;
            }
            return reload();
        });
    }

    Result<void> unsent(const std::string& code, const std::string& message)
    {
        return in_transaction([&]() -> Result<void> {
            if (auto r = ledger::record_event_unsent(m_ledger, m_run, m_out.invoice, m_out.event->key, code, message);
                !r) {
                return r;
            }
            return reload();
        });
    }

    Result<void> registered(const std::string& event_xml, const std::string& how)
    {
        auto doc = parse_xml(event_xml, "event returned by the authority");
        if (!doc || local_name(xmlDocGetRootElement(doc->get())) != "evento") {
            m_out.result = CancelResult::unusable_answer;
            m_out.message = doc ? "the authority's answer holds no <evento>" : doc.error().message;
            return unsent("answer", m_out.message);
        }
        auto path = event_path();
        if (auto w = write(path, event_xml); !w) {
            return w;
        }
        ++m_registered;
        return in_transaction([&]() -> Result<void> {
            if (auto r = ledger::record_event_registered(m_ledger, m_run, m_out.invoice, m_out.event->key, event_xml,
                                                         path.string(), how);
                !r) {
                return r;
            }
            auto moved = ledger::record_nfse_cancelled(m_ledger, m_run, m_out.nfse->key,
                                                       fmt::format("event {} {}", m_out.event->request_id, how));
            if (!moved) {
                return tl::unexpected(moved.error());
            }
            if (auto r = cancel_records(); !r) {
                return r;
            }
            return reload();
        });
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    const CancelOptions& m_options;
    std::optional<ledger::WriteTransaction> m_tx;
    std::shared_ptr<const DpsSchema> m_schema;
    std::unique_ptr<Signer> m_signer;
    std::unique_ptr<SefinClient> m_client;
    std::string m_reason;
    std::string m_started;
    std::int64_t m_run = 0;
    int m_signed = 0;
    int m_registered = 0;
    bool m_invoice_cancelled = false;  // before this run (its NFS-e authorized after that)
    CancelOutcome m_out;
};

}  // namespace

Result<CancelOutcome> cancel_invoice(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                     const CancelOptions& options)
{
    Canceller canceller(ledger, config, ctx, options);
    return canceller.run();
}

io::Map nfse_full_document(const ledger::NfseRecord& record, const std::optional<ledger::NfseEvent>& event,
                           bool dry_run)
{
    io::Map doc = nfse_document(record, dry_run);
    if (record.access_key.empty()) {
        // Cancelled before the authority ever authorized it: no key, number or NFS-e.
        std::erase_if(doc, [](const auto& kv) {
            return kv.first == "access_key" || kv.first == "number" || kv.first == "authorized_xml";
        });
    }
    if (!event) {
        return doc;
    }
    const auto& e = *event;
    io::Map cancellation{{"event", e.type},
                         {"id", e.request_id},
                         {"code", e.code},
                         {"reason", e.reason},
                         {"status", e.status},
                         {"xml", e.xml_path.empty() || dry_run ? io::Value() : io::Value(e.xml_path)},
                         {"event_xml", e.event_path.empty() ? io::Value() : io::Value(e.event_path)},
                         {"attempts", e.attempts}};
    if (!e.error_code.empty() && e.status != "registered") {
        io::Map error{{"code", e.error_code}, {"message", e.error_message}};
        cancellation.emplace_back("error", error);
        if (record.status == "authorized" || record.status == "authorized-after-cancel") {
            std::erase_if(doc, [](const auto& kv) { return kv.first == "error"; });
            doc.emplace_back("error", std::move(error));
        }
    }
    doc.emplace_back("cancellation", std::move(cancellation));
    return doc;
}

}  // namespace billrun::nfse
