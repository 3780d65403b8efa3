// Auto-send: each document of an invoice e-mailed to its customer once (see documents.hpp).
#include <billrun/dunning/documents.hpp>

#include <algorithm>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include <billrun/config/placeholders.hpp>
#include <billrun/io/files.hpp>
#include <billrun/ledger/deliveries.hpp>
#include <billrun/ledger/reminders.hpp>

#include "message.hpp"

namespace billrun::dunning {

namespace {

constexpr int k_page = 200;  // invoices per claim

// The message when neither the contract nor the config names a template: each paragraph
// only when its document is in the message.
TemplateText built_in_text(bool boleto, bool pix, bool nfse)
{
    TemplateText t;
    t.subject = nfse && !boleto ? "{company_name}: NFS-e {nfse_number} da fatura {invoice}"
                                : "{company_name}: fatura {invoice}, vencimento {due_date}";
    t.body = "Olá, {customer_name},\n\n";
    if (boleto) {
        t.body += "Segue em anexo o boleto da fatura {invoice}, emitida em {issue_date}, no valor de R$ {amount}, "
                  "com vencimento em {due_date}.\n\nLinha digitável:\n{linha_digitavel}\n";
        if (pix) {
            t.body += "\nSe preferir PIX, use o código copia e cola:\n{pix}\n";
        }
    }
    if (nfse) {
        t.body += boleto ? "\n" : "";
        t.body += "Segue em anexo a NFS-e nº {nfse_number} (XML) referente à fatura {invoice}.\n";
    }
    t.body += "\nAtenciosamente,\n{company_name}\n";
    return t;
}

// The documents of one invoice that go in one message.
struct Work {
    std::int64_t invoice = 0;
    std::vector<ledger::DeliveryRow> rows;
    std::optional<ledger::DunningDetail> detail;
    std::optional<ledger::AuthorizedNfse> nfse;
};

class Sender {
public:
    Sender(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, const Delivery& delivery)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_delivery(delivery)
    {
    }

    Result<DocumentSummary> run()
    {
        m_summary.started = m_ctx.now();
        if (auto r = in_transaction([&]() -> Result<void> {
                auto run = ledger::start_run(m_ledger, {"deliver", m_ctx.business_date.iso(), m_summary.started});
                if (!run) {
                    return tl::unexpected(run.error());
                }
                m_run = *run;
                auto stale = ledger::settle_stale_deliveries(m_ledger, m_run);
                if (!stale) {
                    return tl::unexpected(stale.error());
                }
                m_summary.counts.stale = *stale;
                return {};
            });
            !r) {
            return tl::unexpected(r.error());
        }
        std::int64_t after = 0;
        while (true) {
            auto more = do_page(after);
            if (!more) {
                return tl::unexpected(more.error());
            }
            if (!*more) {
                break;
            }
        }
        if (auto r = in_transaction([&]() -> Result<void> {
                m_summary.finished = m_ctx.now();
                const auto& c = m_summary.counts;
                const auto counts = fmt::format(R"({{"sent":{},"failed":{},"dropped":{},"stale":{}}})", c.sent,
                                                c.failed, c.dropped, c.stale);
                return ledger::finish_run(m_ledger, m_run, m_summary.finished, c.failed > 0 ? "partial" : "ok",
                                          counts);
            });
            !r) {
            return tl::unexpected(r.error());
        }
        m_summary.run = m_run;
        return m_summary;
    }

private:
    Result<void> in_transaction(const std::function<Result<void>()>& body)
    {
        auto tx = ledger::WriteTransaction::begin(m_ledger);
        if (!tx) {
            return tl::unexpected(tx.error());
        }
        if (auto r = body(); !r) {
            return r;
        }
        return tx->commit();
    }

    // One page of invoices with documents waiting: claimed, sent with no transaction open,
    // then their outcomes recorded. False when there are no more.
    Result<bool> do_page(std::int64_t& after)
    {
        std::vector<Work> work;
        auto claimed = in_transaction([&]() -> Result<void> {
            auto rows = ledger::open_deliveries(m_ledger, after, k_page);
            if (!rows) {
                return tl::unexpected(rows.error());
            }
            for (auto& row : *rows) {
                after = std::max(after, row.invoice);
                auto taken = ledger::claim_delivery(m_ledger, m_run, row.key);
                if (!taken) {
                    return tl::unexpected(taken.error());
                }
                if (!*taken) {
                    continue;
                }
                row.status = "pending";
                if (work.empty() || work.back().invoice != row.invoice) {
                    work.push_back(Work{row.invoice, {}, std::nullopt, std::nullopt});
                }
                work.back().rows.push_back(std::move(row));
            }
            for (auto& w : work) {
                auto detail = ledger::dunning_detail(m_ledger, w.invoice);
                if (!detail) {
                    return tl::unexpected(detail.error());
                }
                w.detail = std::move(*detail);
                auto nfse = ledger::authorized_nfse(m_ledger, w.invoice);
                if (!nfse) {
                    return tl::unexpected(nfse.error());
                }
                w.nfse = std::move(*nfse);
            }
            return {};
        });
        if (!claimed) {
            return tl::unexpected(claimed.error());
        }
        if (work.empty()) {
            return false;
        }
        for (auto& w : work) {
            deliver(w);
        }
        if (auto flushed = m_delivery.sender->flush(); !flushed) {
            return tl::unexpected(flushed.error());
        }
        auto done = in_transaction([&]() -> Result<void> {
            for (const auto& w : work) {
                bool boleto_sent = false;
                bool sent = false;
                for (const auto& row : w.rows) {
                    if (auto r = ledger::finish_delivery(m_ledger, m_run, row); !r) {
                        return r;
                    }
                    sent = sent || row.status == "sent";
                    boleto_sent = boleto_sent || (row.status == "sent" && row.document == "boleto");
                }
                if (sent) {
                    // With its boleto the customer has the due date; without, the invoice was sent.
                    if (auto r = ledger::advance_stage(m_ledger, m_run, w.invoice,
                                                       boleto_sent ? "due-date-set" : "sent", m_ctx.business_date);
                        !r) {
                        return r;
                    }
                }
            }
            return {};
        });
        if (!done) {
            return tl::unexpected(done.error());
        }
        return true;
    }

    void set_all(Work& w, const std::string& status, const std::string& message, const std::string& error)
    {
        for (auto& row : w.rows) {
            if (row.status == "pending") {
                row.status = status;
                row.message = message;
                row.error = error;
            }
        }
    }

    void fail(Work& w, const std::string& error)
    {
        set_all(w, "failed", {}, error);
        ++m_summary.counts.failed;
    }

    void deliver(Work& w)
    {
        if (!w.detail) {
            fail(w, "the invoice is gone from the ledger");
            return;
        }
        const auto& d = *w.detail;
        const bool open = d.status == "issued" || d.status == "partly-paid";
        // Documents that no longer apply are dropped, not sent: a boleto once its invoice is
        // paid or cancelled; an NFS-e once cancelled (the authority's answer is gone).
        bool boleto = false;
        bool nfse = false;
        for (auto& row : w.rows) {
            const bool applies = row.document == "boleto" ? open && !d.linha_digitavel.empty() : w.nfse.has_value();
            if (!applies) {
                row.status = "dropped";
                row.error = row.document == "boleto" ? fmt::format("the invoice is {}: its boleto is not sent", d.status)
                                                     : "the NFS-e is not authorized any more";
                ++m_summary.counts.dropped;
                continue;
            }
            (row.document == "boleto" ? boleto : nfse) = true;
        }
        if (!boleto && !nfse) {
            return;
        }
        mail::Message message;
        message.from = m_config.mail.from;
        message.to = mail::split_addresses(d.customer.email);
        if (message.to.empty()) {
            fail(w, fmt::format("customer {} has no e-mail address", d.customer.customer));
            return;
        }
        TemplateText text;
        std::string name = d.contract_template;
        if (name.empty() && m_config.templates.count("documents") != 0) {
            name = "documents";
        }
        if (name.empty()) {
            text = built_in_text(boleto, !d.pix.empty(), nfse);
        } else {
            auto found = m_templates.get(name);
            if (!found) {
                fail(w, d.contract_template.empty() ? found.error().message
                                                    : fmt::format("the contract's template: {}", found.error().message));
                return;
            }
            text = **found;
        }
        const LateCharges late = late_charges(d.net, d.due_date, m_ctx.business_date, m_config.boleto.fine_percent,
                                              m_config.boleto.interest_percent_month);
        const MessageFacts facts{m_config, d, late, d.balance + late.total()};
        const auto value = [&](std::string_view n) { return placeholder(n, facts); };
        message.subject = config::fill_placeholders(text.subject, value);
        message.body = config::fill_placeholders(text.body, value);
        const std::string what = boleto && nfse ? "boleto-nfse" : (boleto ? "boleto" : "nfse");
        const std::string stem = io::safe_file_name(fmt::format("{}-{}", d.invoice_id, what));
        message.message_id = fmt::format("{}.documents@{}", stem, domain_of(m_config.mail.from));
        message.date = mail::rfc5322_date(m_ctx.now());
        if (boleto) {
            auto pdf = boleto_attachment(m_delivery, d);
            if (!pdf) {
                fail(w, pdf.error().message);
                return;
            }
            if (!*pdf) {
                fail(w, "the invoice's boleto has no PDF");
                return;
            }
            message.attachments.push_back(std::move(**pdf));
        }
        if (nfse) {
            message.attachments.push_back(mail::Attachment{
                io::safe_file_name(fmt::format("NFS-e-{}", w.nfse->number.empty() ? d.invoice_id : w.nfse->number)) +
                    ".xml",
                "application/xml", w.nfse->xml});
        }
        if (!m_remote_failure.empty()) {
            fail(w, fmt::format("not tried: the mail server failed earlier in this run ({})", m_remote_failure));
            return;
        }
        if (m_delivery.smtp) {
            // Committed on its own before the message goes: a kill now leaves only it unknown.
            auto marked = in_transaction([&]() -> Result<void> {
                for (const auto& row : w.rows) {
                    if (row.status == "pending") {
                        if (auto m = ledger::mark_delivery_handed(m_ledger, row.key); !m) {
                            return m;
                        }
                    }
                }
                return {};
            });
            if (!marked) {
                fail(w, marked.error().message);
                return;
            }
        }
        auto sent = m_delivery.sender->send(message, mail::render(message), stem);
        if (!sent) {
            if (mail::is_temporary(sent.error())) {
                m_remote_failure = sent.error().message;
                m_summary.remote_failed = true;
            }
            // Uploaded whole without a reply: the customer may have it; never sent again.
            set_all(w, mail::is_unknown_outcome(sent.error()) ? "unknown" : "failed", {}, sent.error().message);
            ++m_summary.counts.failed;
            return;
        }
        set_all(w, "sent", *sent, {});
        ++m_summary.counts.sent;
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    const Delivery& m_delivery;
    Templates m_templates{m_config};
    std::int64_t m_run = 0;
    std::string m_remote_failure;
    DocumentSummary m_summary;
};

}  // namespace

Result<DocumentSummary> send_documents(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                                       const Delivery& delivery)
{
    Sender sender(ledger, config, ctx, delivery);
    return sender.run();
}

io::Map documents_run_document(const DocumentSummary& summary, const RunContext& ctx)
{
    const auto& c = summary.counts;
    return io::Map{{"kind", "run"},
                   {"version", 1},
                   {"command", "deliver"},
                   {"run", summary.run},
                   {"business_date", ctx.business_date.iso()},
                   {"started", summary.started},
                   {"finished", summary.finished},
                   {"counts", io::Map{{"sent", c.sent}, {"failed", c.failed}, {"dropped", c.dropped},
                                      {"stale", c.stale}}}};
}

}  // namespace billrun::dunning
