// billrun remind: the dunning policy applied as of the business date (SPEC §7).
//
// Per page of open invoices: decide (the latest step due and not done; the earlier undone
// ones are skipped), deliver, then in one transaction record each outcome with the skipped
// steps and the stage move (one event per invoice). A run holds the remind stage lock (see
// ledger/stage_lock.hpp) for its whole length, so no other run decides about these invoices
// meanwhile, and a 'pending' row it finds at its start was left by a run that died.
//
// Over SMTP a message cannot be taken back, so the step is claimed first: its row is committed
// 'pending' (the skipped steps with it) before anything is sent, and marked handed over right
// before its message goes; a run killed after that leaves it 'unknown', never sent again.
//
// To the outbox there is no claim. A message is a file whose name says which invoice and step
// it is (<invoice>-<step>.eml, its Message-ID the same), so writing it again gives the same
// file, not a second e-mail. A page's files are written on a second thread while the next page
// is read, synced to the disk (syncfs), and only then recorded 'sent', in one transaction per
// page. A run killed before that commit leaves files the ledger does not know: the next run on
// the same date decides the same steps and rewrites those files under the same names before
// recording them (on a later date it may record such a step skipped for a later one, as it did
// with a dead run's 'pending' rows, which became 'failed'); one killed after the commit has
// nothing left to do for the page. So a step is recorded sent only once its file is durably
// there, and never twice (the unique (invoice, step) and the insert that only replaces a failed
// attempt). This is what the claim gave for the outbox before (a dead run's 'pending' rows were
// done again), with three statements and two events less per reminded invoice.
#include <billrun/dunning/remind.hpp>

#include <algorithm>
#include <fstream>
#include <optional>
#include <sstream>
#include <system_error>
#include <vector>

#include <fmt/format.h>

#include <billrun/config/placeholders.hpp>
#include <billrun/core/late.hpp>
#include <billrun/dunning/letter.hpp>
#include <billrun/io/files.hpp>
#include <billrun/ledger/reminders.hpp>
#include <billrun/mail/background.hpp>

#include "message.hpp"

namespace billrun::dunning {

namespace {

// Larger pages mean fewer commits and outbox syncs; a page's messages are held in memory.
constexpr int k_page = 5000;

// "when": before-3, due-0, after-15 (file names, message ids).
std::string step_tag(int offset)
{
    if (offset < 0) {
        return fmt::format("before{}", offset);
    }
    return offset == 0 ? std::string("due-0") : fmt::format("after-{}", offset);
}

// A step recorded skipped: a later one is due.
struct Skipped {
    ledger::Reminder reminder;
    LateCharges late;
    std::string invoice_id;  // when known (from the later step's detail)
};

// A step applied to one invoice in this run, from decision to outcome.
struct Work {
    ledger::Reminder reminder;
    LateCharges late;
    std::optional<ledger::DunningDetail> detail;
    const config::DunningStep* step = nullptr;
    std::string stem;        // the message's file stem (and Message-ID)
    bool past_due = false;   // the invoice, as of the business date
    int stage_rank = 0;      // its collection stage when the page was read
    std::vector<Skipped> skipped;  // without a claim: recorded with the outcome
    bool recorded = true;    // false: another run had recorded the step (nothing to print)
};

// The steps of one page, from decision to outcome.
struct Page {
    std::vector<Work> work;  // to deliver (claimed first over SMTP)
    std::vector<Skipped> skipped;
};

class Reminder {
public:
    Reminder(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, const Delivery& delivery,
             const ReminderSink& sink)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_delivery(delivery), m_sink(sink)
    {
        for (const auto& s : config.dunning) {
            m_steps.push_back(&s);
        }
        std::stable_sort(m_steps.begin(), m_steps.end(),
                         [](const auto* a, const auto* b) { return a->offset < b->offset; });
    }

    Result<Summary> run()
    {
        m_summary.started = m_ctx.now();
        if (auto r = load_templates(); !r) {
            return tl::unexpected(r.error());
        }
        {
            auto tx = ledger::WriteTransaction::begin(m_ledger);
            if (!tx) {
                return tl::unexpected(tx.error());
            }
            auto run = ledger::start_run(m_ledger, {"remind", m_ctx.business_date.iso(), m_summary.started});
            if (!run) {
                return tl::unexpected(run.error());
            }
            m_run = *run;
            auto stale = ledger::settle_stale_reminders(m_ledger);
            if (!stale) {
                return tl::unexpected(stale.error());
            }
            m_summary.counts.stale = *stale;
            if (auto r = commit(*tx); !r) {
                return tl::unexpected(r.error());
            }
        }
        if (!m_steps.empty()) {
            const Date due_by = m_ctx.business_date.add_days(-m_steps.front()->offset);
            std::int64_t after = 0;
            // To the outbox, one page's files are written on a second thread while the next
            // page is claimed and the one before it recorded. Over SMTP (each message marked handed over before it goes) and
            // in a dry run, a page is finished before the next is claimed.
            std::optional<mail::BackgroundSender> background;
            if (!m_delivery.smtp && !m_ctx.dry_run) {
                background.emplace(*m_delivery.sender);
            }
            std::optional<Page> in_flight;
            while (true) {
                auto page = claim_page(after, due_by);
                if (!page) {
                    return tl::unexpected(page.error());
                }
                if (background && *page) {
                    // Queued behind the page in flight: the thread never waits for this one.
                    submit(**page, *background);
                }
                if (in_flight) {
                    if (auto r = finish_page(*in_flight, &*background); !r) {
                        return tl::unexpected(r.error());
                    }
                    in_flight.reset();
                }
                if (!*page) {
                    break;
                }
                if (background) {
                    in_flight = std::move(**page);
                    continue;
                }
                for (auto& w : (*page)->work) {
                    deliver(w);
                }
                if (auto r = finish_page(**page, nullptr); !r) {
                    return tl::unexpected(r.error());
                }
            }
        }
        return finish();
    }

private:
    Result<void> commit(ledger::WriteTransaction& tx)
    {
        if (m_ctx.dry_run) {
            tx.rollback();
            return {};
        }
        return tx.commit();
    }

    Result<void> load_templates()
    {
        for (const auto* step : m_steps) {
            if (!step->template_name.empty()) {
                if (auto t = m_templates.get(step->template_name); !t) {
                    return tl::unexpected(t.error());
                }
            }
        }
        return {};
    }

    // The index of the latest step due for an invoice, if any.
    std::optional<std::size_t> latest_due(Date due) const
    {
        std::optional<std::size_t> latest;
        for (std::size_t i = 0; i < m_steps.size(); ++i) {
            if (due.add_days(m_steps[i]->offset) <= m_ctx.business_date) {
                latest = i;
            }
        }
        return latest;
    }

    static std::string stage_after(const config::DunningStep& step)
    {
        if (step.action == "collection") {
            return "in-collection";
        }
        return step.offset <= 0 ? "reminded" : "reminded-again";
    }

    ledger::Reminder reminder_for(const ledger::DunningInvoice& inv, const config::DunningStep& step,
                                  const LateCharges& late) const
    {
        ledger::Reminder r;
        r.invoice = inv.invoice;
        r.step = step.offset;
        r.action = step.action;
        r.channel = step.channel;
        r.business_date = m_ctx.business_date;
        r.fine = late.fine;
        r.interest = late.interest;
        r.amount_due = inv.balance + late.total();
        return r;
    }

    // One page of open invoices, read inside the transaction that claims their steps (so an
    // invoice another run just paid is not reminded). nullopt when there are no more.
    Result<std::optional<Page>> claim_page(std::int64_t& after, Date due_by)
    {
        static const int k_overdue = ledger::stage_rank("overdue");
        Page page;
        // A Work is a few dozen strings: moving them all on each growth showed in the profile.
        page.work.reserve(k_page);
        std::vector<std::int64_t> overdue;
        auto tx = ledger::WriteTransaction::begin(m_ledger);
        if (!tx) {
            return tl::unexpected(tx.error());
        }
        auto invoices = ledger::dunning_invoices(m_ledger, after, due_by, k_page);
        if (!invoices) {
            return tl::unexpected(invoices.error());
        }
        if (invoices->empty()) {
            return std::nullopt;
        }
        after = invoices->back().invoice;
        m_scanned += static_cast<std::int64_t>(invoices->size());
        m_ctx.progress("open invoices", m_scanned, 0);
        for (const auto& inv : *invoices) {
            auto latest = latest_due(inv.due_date);
            const bool past_due = m_ctx.business_date > inv.due_date;
            if (!latest || (inv.last_done && *inv.last_done >= m_steps[*latest]->offset)) {
                if (past_due && inv.stage_rank < k_overdue) {
                    overdue.push_back(inv.invoice);
                }
                continue;
            }
            const LateCharges late = late_charges(inv.net, inv.due_date, m_ctx.business_date,
                                                  m_config.boleto.fine_percent, m_config.boleto.interest_percent_month);
            const auto& step = *m_steps[*latest];
            Work w;
            w.reminder = reminder_for(inv, step, late);
            w.late = late;
            w.step = &step;
            w.past_due = past_due;
            w.stage_rank = inv.stage_rank;
            bool claimed = true;
            if (m_claim) {
                auto taken = ledger::claim_reminder(m_ledger, m_run, w.reminder);
                if (!taken) {
                    return tl::unexpected(taken.error());
                }
                claimed = *taken;
            }
            if (claimed) {
                auto detail = ledger::dunning_detail(m_ledger, inv.invoice);
                if (!detail) {
                    return tl::unexpected(detail.error());
                }
                w.detail = std::move(*detail);
            }
            for (std::size_t i = 0; i < *latest; ++i) {
                const auto& earlier = *m_steps[i];
                if (inv.last_done && earlier.offset <= *inv.last_done) {
                    continue;
                }
                Skipped s{reminder_for(inv, earlier, late), late, {}};
                s.reminder.status = "skipped";
                if (w.detail) {
                    s.invoice_id = w.detail->invoice_id;
                }
                if (!m_claim) {
                    w.skipped.push_back(std::move(s));
                    continue;
                }
                auto done = ledger::skip_reminder(m_ledger, m_run, s.reminder);
                if (!done) {
                    return tl::unexpected(done.error());
                }
                if (*done) {
                    page.skipped.push_back(std::move(s));
                }
            }
            if (!claimed) {
                // Another run has it; the stage still follows the due date.
                if (past_due && inv.stage_rank < k_overdue) {
                    overdue.push_back(inv.invoice);
                }
                continue;
            }
            if (past_due && inv.stage_rank < k_overdue) {
                ++m_summary.counts.overdue;  // its stage moves with the outcome
            }
            page.work.push_back(std::move(w));
        }
        m_summary.counts.overdue += static_cast<std::int64_t>(overdue.size());
        for (auto invoice : overdue) {
            if (auto r = ledger::advance_stage(m_ledger, m_run, invoice, "overdue", m_ctx.business_date); !r) {
                return tl::unexpected(r.error());
            }
        }
        if (auto r = commit(*tx); !r) {
            return tl::unexpected(r.error());
        }
        return page;
    }

    // Hands the page's e-mails to the second thread; the other steps are settled here.
    void submit(Page& page, mail::BackgroundSender& background)
    {
        std::vector<mail::Outgoing> batch;
        const std::string date = mail::rfc5322_date(m_ctx.now());
        for (std::size_t i = 0; i < page.work.size(); ++i) {
            auto message = prepare(page.work[i]);
            if (message) {
                message->date = date;
                batch.push_back(mail::Outgoing{std::move(*message), page.work[i].stem, i, {}});
            }
        }
        background.submit(std::move(batch));
    }

    // Records the outcomes of a page whose messages were sent (waiting for them when they
    // went to the second thread), moves the collection stages, and prints the page.
    Result<void> finish_page(Page& page, mail::BackgroundSender* background)
    {
        static const int k_overdue = ledger::stage_rank("overdue");
        if (background != nullptr) {
            auto sent = background->wait();
            if (!sent.flushed) {
                return tl::unexpected(sent.flushed.error());
            }
            for (auto& out : sent.messages) {
                record_outcome(page.work[out.tag], out.outcome);
            }
        } else if (!page.work.empty() && !m_ctx.dry_run) {
            // The outbox's files reach the disk before the ledger says they are there.
            if (auto flushed = m_delivery.sender->flush(); !flushed) {
                return tl::unexpected(flushed.error());
            }
        }
        auto done = ledger::WriteTransaction::begin(m_ledger);
        if (!done) {
            return tl::unexpected(done.error());
        }
        for (auto& w : page.work) {
            ledger::StepOutcome outcome{w.reminder, m_claim, {}, {}};
            for (const auto& s : w.skipped) {
                outcome.skipped.push_back(s.reminder);
            }
            // One move of the stage: to where the step sent takes it, or to overdue when the
            // invoice is past due and the step failed (or takes it to a lower stage).
            if (w.reminder.status == "sent") {
                outcome.stage = stage_after(*w.step);
            }
            if (w.past_due && w.stage_rank < k_overdue &&
                (outcome.stage.empty() || ledger::stage_rank(outcome.stage) < k_overdue)) {
                outcome.stage = "overdue";
            }
            auto recorded = ledger::record_step(m_ledger, m_run, outcome);
            if (!recorded) {
                return tl::unexpected(recorded.error());
            }
            w.recorded = recorded->step;
            for (std::size_t i = 0; i < recorded->skipped.size(); ++i) {
                if (recorded->skipped[i]) {
                    page.skipped.push_back(std::move(w.skipped[i]));
                }
            }
        }
        if (auto r = commit(*done); !r) {
            return tl::unexpected(r.error());
        }
        for (const auto& s : page.skipped) {
            ++m_summary.counts.skipped;
            m_sink(document(s.reminder, s.late, s.invoice_id));
        }
        for (const auto& w : page.work) {
            if (w.recorded) {
                m_sink(document(w.reminder, w.late, w.detail ? w.detail->invoice_id : std::string()));
            }
        }
        return {};
    }

    void failed(Work& w, std::string error)
    {
        w.reminder.status = "failed";
        w.reminder.error = std::move(error);
        ++m_summary.counts.failed;
    }

    // Settles a step that sends no e-mail (channel none, a letter) or cannot (no address, a
    // dry run); otherwise the e-mail to send.
    std::optional<mail::Message> prepare(Work& w)
    {
        auto& r = w.reminder;
        const auto& step = *w.step;
        if (step.channel == "none") {
            r.status = "sent";
            ++m_summary.counts.done;
            return std::nullopt;
        }
        if (!w.detail) {
            failed(w, "the invoice is gone from the ledger");
            return std::nullopt;
        }
        const TemplateText& body = **m_templates.get(step.template_name);  // loaded at the start
        const MessageFacts facts{m_config, *w.detail, w.late, w.reminder.amount_due};
        const auto value = [&](std::string_view name) { return placeholder(name, facts); };
        std::string subject = config::fill_placeholders(body.subject, value);
        std::string text = config::fill_placeholders(body.body, value);
        w.stem = io::safe_file_name(fmt::format("{}-{}", w.detail->invoice_id, step_tag(step.offset)));
        if (m_ctx.dry_run) {
            r.status = "sent";
            return std::nullopt;
        }
        if (step.channel == "letter") {
            const auto& c = w.detail->customer;
            Letter letter;
            letter.sender = m_config.company.name;
            letter.place_and_date = br_date(m_ctx.business_date);
            letter.addressee.push_back(c.name);
            std::string street = c.street;
            if (!c.number.empty()) street += ", " + c.number;
            if (!c.complement.empty()) street += " - " + c.complement;
            for (const std::string& l : {street, c.district,
                                         c.city.empty() ? c.state : (c.state.empty() ? c.city : c.city + "/" + c.state),
                                         c.zip.size() == 8 ? "CEP " + c.zip.substr(0, 5) + "-" + c.zip.substr(5) : c.zip}) {
                if (!l.empty()) {
                    letter.addressee.push_back(l);
                }
            }
            letter.subject = std::move(subject);
            letter.body = std::move(text);
            const auto path = m_config.output_dir / "letters" / (w.stem + ".pdf");
            if (auto written = write_letter(path, letter); !written) {
                failed(w, written.error().message);
                return std::nullopt;
            }
            r.status = "sent";
            r.message = path.string();
            ++m_summary.counts.letters;
            return std::nullopt;
        }
        mail::Message message;
        message.from = m_config.mail.from;
        message.to = mail::split_addresses(w.detail->customer.email);
        if (message.to.empty()) {
            failed(w, fmt::format("customer {} has no e-mail address", w.detail->customer.customer));
            return std::nullopt;
        }
        message.subject = std::move(subject);
        message.body = std::move(text);
        message.message_id = fmt::format("{}.{}@{}", w.stem, "reminder", m_domain);
        auto attachment = boleto_attachment(m_delivery, *w.detail);
        if (!attachment) {
            failed(w, attachment.error().message);
            return std::nullopt;
        }
        if (*attachment) {
            message.attachments.push_back(std::move(**attachment));
        }
        return message;
    }

    // Sends one step's e-mail here and now (SMTP, or the outbox in a dry run).
    void deliver(Work& w)
    {
        auto message = prepare(w);
        if (!message) {
            return;
        }
        if (!m_remote_failure.empty()) {
            failed(w, fmt::format("not tried: the mail server failed earlier in this run ({})", m_remote_failure));
            return;
        }
        message->date = mail::rfc5322_date(m_ctx.now());
        if (m_delivery.smtp) {
            if (auto marked = handed(w.reminder); !marked) {
                failed(w, marked.error().message);
                return;
            }
        }
        record_outcome(w, m_delivery.sender->send(*message, mail::render(*message), w.stem));
    }

    void record_outcome(Work& w, const Result<std::string>& sent)
    {
        auto& r = w.reminder;
        if (!sent) {
            // Unknown outcome: recorded so, never sent again. A temporary failure (no
            // connection, a 4xx): the rest of the run is not tried either (exit 69).
            r.status = mail::is_unknown_outcome(sent.error()) ? "unknown" : "failed";
            r.error = sent.error().message;
            if (mail::is_temporary(sent.error())) {
                m_remote_failure = sent.error().message;
                m_summary.remote_failed = true;
            }
            ++m_summary.counts.failed;
            return;
        }
        r.status = "sent";
        r.message = *sent;
        ++m_summary.counts.sent;
    }

    // Commits, on its own, that this e-mail is being handed to the SMTP server.
    Result<void> handed(const ledger::Reminder& r)
    {
        auto tx = ledger::WriteTransaction::begin(m_ledger);
        if (!tx) {
            return tl::unexpected(tx.error());
        }
        if (auto m = ledger::mark_reminder_handed(m_ledger, r.invoice, r.step); !m) {
            return m;
        }
        return tx->commit();
    }

    // `invoice_id` empty: read from the ledger.
    io::Map document(const ledger::Reminder& r, const LateCharges& late, const std::string& invoice_id) const
    {
        io::Map doc{{"kind", "reminder"},
                    {"version", 1},
                    {"invoice", invoice_id.empty() ? invoice_id_of(r.invoice) : invoice_id},
                    {"step", r.step},
                    {"action", r.action},
                    {"channel", r.channel},
                    {"status", r.status == "unknown" ? std::string("failed") : r.status},
                    {"amount_due", io::Value::money(r.amount_due)},
                    {"fine", io::Value::money(r.fine)},
                    {"interest", io::Value::money(r.interest)},
                    {"days_overdue", late.days_overdue},
                    {"message", r.message.empty() ? io::Value() : io::Value(r.message)}};
        if (!r.error.empty()) {
            doc.emplace_back("error", r.error);
        }
        return doc;
    }

    std::string invoice_id_of(std::int64_t key) const
    {
        auto d = ledger::dunning_detail(m_ledger, key);
        return d && *d ? (*d)->invoice_id : std::to_string(key);
    }

    Result<Summary> finish()
    {
        auto tx = ledger::WriteTransaction::begin(m_ledger);
        if (!tx) {
            return tl::unexpected(tx.error());
        }
        m_summary.finished = m_ctx.now();
        const auto& c = m_summary.counts;
        auto counts = fmt::format(
            R"({{"sent":{},"letters":{},"done":{},"skipped":{},"failed":{},"overdue":{},"stale":{}}})", c.sent,
            c.letters, c.done, c.skipped, c.failed, c.overdue, c.stale);
        const std::string status = m_ctx.dry_run ? "dry-run" : (c.failed > 0 ? "partial" : "ok");
        if (auto r = ledger::finish_run(m_ledger, m_run, m_summary.finished, status, counts); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = commit(*tx); !r) {
            return tl::unexpected(r.error());
        }
        m_summary.run = m_ctx.dry_run ? 0 : m_run;
        return m_summary;
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    const Delivery& m_delivery;
    const ReminderSink& m_sink;
    std::vector<const config::DunningStep*> m_steps;
    Templates m_templates{m_config};
    std::int64_t m_run = 0;
    const bool m_claim = m_delivery.smtp;  // steps claimed 'pending' before they are sent (see the top)
    std::string m_remote_failure;  // the first temporary SMTP failure of this run
    std::int64_t m_scanned = 0;    // open invoices looked at, for progress
    std::string m_domain = domain_of(m_config.mail.from);  // Message-IDs end in it
    Summary m_summary;
};

}  // namespace

Result<Summary> run_remind(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                           const Delivery& delivery, const ReminderSink& sink)
{
    Reminder reminder(ledger, config, ctx, delivery, sink);
    return reminder.run();
}

io::Map remind_run_document(const Summary& summary, const RunContext& ctx)
{
    const auto& c = summary.counts;
    return io::Map{{"kind", "run"},
                   {"version", 1},
                   {"command", "remind"},
                   {"run", summary.run},
                   {"business_date", ctx.business_date.iso()},
                   {"started", summary.started},
                   {"finished", summary.finished},
                   {"dry_run", ctx.dry_run},
                   {"counts", io::Map{{"sent", c.sent},
                                      {"letters", c.letters},
                                      {"done", c.done},
                                      {"skipped", c.skipped},
                                      {"failed", c.failed},
                                      {"overdue", c.overdue},
                                      {"stale", c.stale}}}};
}

}  // namespace billrun::dunning
