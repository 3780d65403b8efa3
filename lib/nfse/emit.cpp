// billrun emit-nfse: a named pass a line. DPS numbers are allocated first, in their own
// transactions, so a number once given is the invoice's forever; the DPS are then built,
// validated and signed on every core, written, stored; last they are sent, one at a time,
// each attempt recorded before it goes out.
#include <billrun/nfse/emit.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <span>
#include <thread>

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <billrun/io/files.hpp>
#include <billrun/ledger/billing.hpp>
#include <billrun/ledger/deliveries.hpp>
#include <billrun/nfse/abrasf.hpp>
#include <billrun/nfse/dps.hpp>
#include <billrun/nfse/sefin.hpp>
#include <billrun/nfse/sign.hpp>
#include <billrun/nfse/xsd.hpp>

#include "content.hpp"
#include "xml.hpp"

namespace billrun::nfse {

namespace {

constexpr int k_allocate_batch = 2000;
constexpr int k_sign_batch = 256;
constexpr int k_send_batch = 100;
constexpr int k_emission_lag_seconds = 60;

bool digits(std::string_view s, std::size_t min, std::size_t max)
{
    return s.size() >= min && s.size() <= max &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What is signed, in order: the DPS's infDPS; with ABRASF the RPS first, then the lote that
// holds it (and its signature).
std::span<const char* const> signed_elements(bool abrasf)
{
    static constexpr const char* k_abrasf[] = {"InfDeclaracaoPrestacaoServico", "LoteRps"};
    static constexpr const char* k_dps[] = {"infDPS"};
    return abrasf ? std::span<const char* const>(k_abrasf) : std::span<const char* const>(k_dps);
}

// A job of the signing pass: the row, the DPS or the ABRASF RPS to build (or why there is
// none), the result.
struct Job {
    ledger::NfseRecord row;
    std::optional<Dps> dps;
    std::optional<Rps> rps;
    std::string error_code;
    std::string error;
    std::string signed_xml;
    std::string path;        // where the signed DPS goes (empty in a dry run)
    std::string write_error; // the file could not be written
};

class Emitter {
public:
    Emitter(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx, const EmitOptions& options)
        : m_ledger(ledger), m_config(config), m_ctx(ctx), m_options(options)
    {
    }

    Result<EmitSummary> run(const NfseSink& sink)
    {
        m_summary.started = m_ctx.now();
        if (auto r = check_config(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = load_tools(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = start(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = allocate(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = sign(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = transmit(); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = emit(sink); !r) {
            return tl::unexpected(r.error());
        }
        if (auto r = finish(); !r) {
            return tl::unexpected(r.error());
        }
        return m_summary;
    }

private:
    Result<void> check_config() const
    {
        const auto& c = m_config;
        std::string file = c.file.empty() ? std::string("billrun.yaml") : c.file.string();
        if (c.nfse.standard == "abrasf" && !c.nfse.endpoint.empty()) {
            return fail(ErrorCode::config,
                        fmt::format("{}: nfse.endpoint: billrun does not send ABRASF lotes (each municipality's web "
                                    "service differs); leave the endpoint empty and send the signed lotes billrun "
                                    "writes to {} with the municipality's tools",
                                    file, (c.output_dir / "nfse").string()));
        }
        if (c.nfse.standard == "nacional" && c.nfse.layout == "1.00" && c.nfse.signature != "rsa-sha1") {
            return fail(ErrorCode::config, fmt::format("{}: nfse.signature '{}': the DPS layout 1.00 takes rsa-sha1 "
                                                       "only (its schema pins SHA-1); use layout 1.01",
                                                       file, c.nfse.signature));
        }
        if (!digits(c.nfse.dps_series, 1, 5)) {
            return fail(ErrorCode::config,
                        fmt::format("{}: nfse.dps_series '{}' must be 1 to 5 digits", file, c.nfse.dps_series));
        }
        if (!digits(c.company.city_code, 7, 7)) {
            return fail(ErrorCode::config,
                        fmt::format("{}: company.city_code '{}' must be the 7-digit IBGE code", file,
                                    c.company.city_code));
        }
        if (!digits(c.company.tax_id, 11, 11) && !digits(c.company.tax_id, 14, 14)) {
            return fail(ErrorCode::config, fmt::format("{}: company.tax_id '{}': the NFS-e layouts take a "
                                                       "numeric CNPJ or CPF only",
                                                       file, c.company.tax_id));
        }
        return {};
    }

    Result<void> load_tools()
    {
        const auto& n = m_config.nfse;
        if (!m_options.password) {
            return fail(ErrorCode::config, fmt::format("the certificate's password is not set: put it in the "
                                                       "environment variable {} (nfse.password_env)",
                                                       n.password_env));
        }
        auto certificate = Certificate::load(n.certificate, *m_options.password);
        if (!certificate) {
            return tl::unexpected(certificate.error());
        }
        // Rows keep the standard they were numbered under: both schemas are at hand.
        auto schema = DpsSchema::load(n.layout);
        if (!schema) {
            return tl::unexpected(schema.error());
        }
        m_schema = std::move(*schema);
        auto abrasf = DpsSchema::load_abrasf();
        if (!abrasf) {
            return tl::unexpected(abrasf.error());
        }
        m_abrasf_schema = std::move(*abrasf);
        auto profile = n.signature == "rsa-sha256" ? SignatureProfile::rsa_sha256 : SignatureProfile::rsa_sha1;
        auto signer = Signer::create(*certificate, profile);
        if (!signer) {
            return tl::unexpected(signer.error());
        }
        m_signer = std::move(*signer);
        if (!n.endpoint.empty() && !m_ctx.dry_run && n.standard == "nacional") {
            Transport t;
            t.endpoint = n.endpoint;
            t.ca_bundle = n.ca_bundle;
            t.timeout_seconds = n.timeout_seconds;
            t.retries = n.retries;
            t.backoff = std::chrono::milliseconds(m_options.backoff_ms);
            auto client = SefinClient::create(t, *certificate);
            if (!client) {
                return tl::unexpected(client.error());
            }
            m_client = std::move(*client);
        }
        auto services = ledger::all_services(m_ledger);
        if (!services) {
            return tl::unexpected(services.error());
        }
        m_services = std::move(*services);
        return {};
    }

    Result<void> begin()
    {
        if (m_ctx.dry_run && m_tx) {
            return {};
        }
        auto tx = ledger::WriteTransaction::begin(m_ledger);
        if (!tx) {
            return tl::unexpected(tx.error());
        }
        m_tx.emplace(std::move(*tx));
        return {};
    }

    Result<void> commit()
    {
        if (m_ctx.dry_run) {
            return {};
        }
        auto r = m_tx->commit();
        m_tx.reset();
        return r;
    }

    Result<void> start()
    {
        if (auto r = begin(); !r) {
            return r;
        }
        auto run = ledger::start_run(m_ledger, {"emit-nfse", m_ctx.business_date.iso(), m_summary.started});
        if (!run) {
            return tl::unexpected(run.error());
        }
        m_run = *run;
        return commit();
    }

    // Keys of the given invoices (a FILE), sorted, for the restricted passes.
    std::vector<std::int64_t> given() const
    {
        std::vector<std::int64_t> keys = m_options.invoices;
        std::sort(keys.begin(), keys.end());
        keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
        return keys;
    }

    Result<void> allocate()
    {
        const std::string& series = m_config.nfse.dps_series;
        std::vector<std::int64_t> keys = given();
        std::size_t next_given = 0;
        std::int64_t after = 0;
        while (true) {
            if (auto r = begin(); !r) {
                return r;
            }
            std::vector<std::int64_t> batch;
            if (m_options.restrict_to) {
                for (; next_given < keys.size() && batch.size() < static_cast<std::size_t>(k_allocate_batch);
                     ++next_given) {
                    auto due = ledger::nfse_candidate(m_ledger, keys[next_given]);
                    if (!due) {
                        return tl::unexpected(due.error());
                    }
                    if (*due) {
                        batch.push_back(keys[next_given]);
                    }
                }
                if (batch.empty() && next_given >= keys.size()) {
                    return commit();
                }
            } else {
                auto found = ledger::nfse_candidates(m_ledger, after, k_allocate_batch);
                if (!found) {
                    return tl::unexpected(found.error());
                }
                if (found->empty()) {
                    return commit();
                }
                batch = std::move(*found);
                after = batch.back();
            }
            auto last = ledger::last_dps_number(m_ledger, series);  // re-read under the lock
            if (!last) {
                return tl::unexpected(last.error());
            }
            std::int64_t number = *last;
            bool abrasf = m_config.nfse.standard == "abrasf";
            for (std::int64_t invoice : batch) {
                auto id = abrasf ? rps_id(series, number + 1)
                                 : dps_id(m_config.company.city_code, m_config.company.tax_id, series, number + 1);
                if (!id) {
                    return fail(ErrorCode::config, fmt::format("nfse: {}", id.error().message));
                }
                ledger::NfseRecord record;
                record.invoice = invoice;
                record.standard = m_config.nfse.standard;
                record.dps_series = series;
                record.dps_number = number + 1;
                record.dps_id = *id;
                auto key = ledger::insert_nfse(m_ledger, m_run, record);
                if (!key) {
                    return tl::unexpected(key.error());
                }
                if (*key) {
                    ++number;
                    ++m_summary.allocated;
                }
            }
            if (auto r = ledger::store_last_dps_number(m_ledger, series, number); !r) {
                return r;
            }
            if (auto r = commit(); !r) {
                return r;
            }
        }
    }

    std::filesystem::path dps_path(const ledger::NfseRecord& row) const
    {
        return m_config.output_dir / "nfse" / (io::safe_file_name(row.invoice_id) + ".xml");
    }

    std::filesystem::path authorized_path(const ledger::NfseRecord& row) const
    {
        return m_config.output_dir / "nfse" / (io::safe_file_name(row.invoice_id) + "-nfse.xml");
    }

    // The DPS of a row from the ledger's invoice, customer and services and the configuration.
    void prepare(Job& job)
    {
        const auto refuse = [&](std::string why) {
            job.error_code = "data";
            job.error = std::move(why);
        };
        auto invoice = ledger::find_invoice_by_key(m_ledger, job.row.invoice);
        if (!invoice || !*invoice) {
            return refuse(invoice ? "the invoice is gone from the ledger" : invoice.error().message);
        }
        auto customer = ledger::find_customer(m_ledger, (*invoice)->customer);
        if (!customer || !*customer) {
            return refuse(fmt::format("customer '{}' is not in the ledger", (*invoice)->customer));
        }
        auto emitted = emission_time(m_ctx.now(), k_emission_lag_seconds);
        if (!emitted) {
            return refuse(emitted.error().message);
        }
        auto content = invoice_content({job.row, **invoice, **customer, m_services, m_config, *emitted,
                                        m_ctx.business_date, m_options.app_version});
        if (!content) {
            return refuse(content.error().message);
        }
        job.dps = std::move(content->dps);
        job.rps = std::move(content->rps);
    }

    // Build, validate, sign: the part that runs on every core.
    void build(Job& job) const
    {
        if (!job.dps && !job.rps) {
            return;
        }
        std::string xml = job.rps ? build_lote(*job.rps) : build_dps(*job.dps);
        auto doc = parse_xml(xml, job.rps ? "ABRASF lote" : "DPS");
        if (!doc) {
            job.error_code = "xml";
            job.error = doc.error().message;
            return;
        }
        const DpsSchema& schema = job.rps ? *m_abrasf_schema : *m_schema;
        if (auto v = schema.validate_document(doc->get()); !v) {
            job.error_code = "schema";
            job.error = v.error().message;
            return;
        }
        for (const char* element : signed_elements(job.rps.has_value())) {
            if (auto s = m_signer->sign_document(doc->get(), element); !s) {
                job.error_code = "signature";
                job.error = s.error().message;
                return;
            }
        }
        job.signed_xml = dump_document(doc->get());
        if (!job.path.empty()) {
            // Flushed to the disk once for the whole batch (flush_files), not file by file.
            auto file = io::AtomicFile::create(job.path, 0644);
            Result<void> r = file ? file->write(job.signed_xml) : Result<void>(tl::unexpected(file.error()));
            if (r) {
                r = file->commit(false);
            }
            if (!r) {
                job.write_error = r.error().message;
            }
        }
    }

    void build_all(std::vector<Job>& jobs) const
    {
        std::atomic<std::size_t> next{0};
        auto work = [&] {
            XmlErrors quiet;  // libxml2's messages go into the jobs, never to stderr
            for (std::size_t i = next++; i < jobs.size(); i = next++) {
                build(jobs[i]);
            }
        };
        unsigned cores = m_options.threads > 0 ? static_cast<unsigned>(m_options.threads)
                                               : std::max(1U, std::thread::hardware_concurrency());
        std::vector<std::thread> helpers;
        for (unsigned t = 1; t < cores && t < jobs.size(); ++t) {
            helpers.emplace_back(work);
        }
        work();
        for (auto& t : helpers) {
            t.join();
        }
    }

    Result<std::vector<ledger::NfseRecord>> next_to_sign(std::int64_t& after, std::size_t& next_given,
                                                         const std::vector<std::int64_t>& keys)
    {
        if (!m_options.restrict_to) {
            auto rows = ledger::nfse_to_sign(m_ledger, after, k_sign_batch);
            if (rows && !rows->empty()) {
                after = rows->back().key;
            }
            return rows;
        }
        std::vector<ledger::NfseRecord> rows;
        for (; next_given < keys.size() && rows.size() < static_cast<std::size_t>(k_sign_batch); ++next_given) {
            auto row = ledger::nfse_of_invoice(m_ledger, keys[next_given]);
            if (!row) {
                return tl::unexpected(row.error());
            }
            if (*row && ((*row)->status == "pending" || (*row)->status == "rejected")) {
                (*row)->signed_xml.clear();
                rows.push_back(std::move(**row));
            }
        }
        return rows;
    }

    Result<void> sign()
    {
        std::vector<std::int64_t> keys = given();
        std::size_t next_given = 0;
        std::int64_t after = 0;
        while (true) {
            if (m_ctx.dry_run) {
                if (auto r = begin(); !r) {
                    return r;
                }
            }
            auto rows = next_to_sign(after, next_given, keys);
            if (!rows) {
                return tl::unexpected(rows.error());
            }
            if (rows->empty()) {
                return {};
            }
            if (!m_ctx.dry_run) {
                std::error_code ec;
                std::filesystem::create_directories(m_config.output_dir / "nfse", ec);
            }
            std::vector<Job> jobs(rows->size());
            for (std::size_t i = 0; i < rows->size(); ++i) {
                jobs[i].row = std::move((*rows)[i]);
                jobs[i].path = m_ctx.dry_run ? std::string() : dps_path(jobs[i].row).string();
                prepare(jobs[i]);
            }
            // The files before the ledger: a run killed in between leaves files of DPS still
            // pending, which the next run signs again and overwrites; never a signed row
            // without its file.
            build_all(jobs);
            for (const auto& job : jobs) {
                if (!job.write_error.empty()) {
                    return fail(ErrorCode::internal, job.write_error);
                }
            }
            if (auto r = flush_files(); !r) {
                return r;
            }
            if (auto r = store_signed(jobs); !r) {
                return r;
            }
        }
    }

    // One flush of the file system for a batch of files: a fsync per file would cost more
    // than the signature.
    Result<void> flush_files() const
    {
        if (m_ctx.dry_run) {
            return {};
        }
        std::filesystem::path dir = m_config.output_dir / "nfse";
        int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        bool ok = fd >= 0 && ::syncfs(fd) == 0;
        if (fd >= 0) {
            ::close(fd);
        }
        if (!ok) {
            return fail(ErrorCode::internal, fmt::format("{}: cannot flush the signed DPS files", dir.string()));
        }
        return {};
    }

    Result<void> store_signed(std::vector<Job>& jobs)
    {
        if (auto r = begin(); !r) {
            return r;
        }
        for (auto& job : jobs) {
            if (!job.signed_xml.empty()) {
                auto stored = ledger::store_signed_dps(m_ledger, m_run, job.row.key, job.signed_xml, job.path);
                if (!stored) {
                    return tl::unexpected(stored.error());
                }
                if (*stored) {
                    ++m_summary.signed_;
                }
                continue;
            }
            auto recorded = ledger::record_nfse_invalid(m_ledger, m_run, job.row.key, job.error_code, job.error);
            if (!recorded) {
                return tl::unexpected(recorded.error());
            }
            if (*recorded) {
                ++m_summary.invalid;
                fail_invoice(job.row.invoice_id, job.error_code, job.error);
            }
        }
        m_ctx.progress("DPS signed", m_summary.signed_ + m_summary.invalid, 0);
        return commit();
    }

    void fail_invoice(const std::string& invoice, const std::string& code, const std::string& reason)
    {
        m_ctx.warn(fmt::format("invoice {}: NFS-e not emitted ({}): {}", invoice, code, reason));
        m_summary.failures.push_back(EmitFailure{invoice, code, reason});
    }

    Result<void> transmit()
    {
        if (!m_client) {
            return {};
        }
        std::vector<std::int64_t> keys = given();
        std::size_t next_given = 0;
        std::int64_t after = 0;
        while (!m_summary.unavailable) {
            std::vector<ledger::NfseRecord> rows;
            if (m_options.restrict_to) {
                for (; next_given < keys.size() && rows.size() < static_cast<std::size_t>(k_send_batch);
                     ++next_given) {
                    auto row = ledger::nfse_of_invoice(m_ledger, keys[next_given]);
                    if (!row) {
                        return tl::unexpected(row.error());
                    }
                    if (*row && (*row)->status == "signed" && (*row)->standard == "nacional") {
                        rows.push_back(std::move(**row));
                    }
                }
            } else {
                auto found = ledger::nfse_to_send(m_ledger, after, k_send_batch);
                if (!found) {
                    return tl::unexpected(found.error());
                }
                rows = std::move(*found);
                if (!rows.empty()) {
                    after = rows.back().key;
                }
            }
            if (rows.empty()) {
                return {};
            }
            for (const auto& row : rows) {
                if (m_summary.unavailable) {
                    break;
                }
                if (auto r = send(row); !r) {
                    return r;
                }
            }
        }
        return {};
    }

    Result<void> in_transaction(const std::function<Result<void>()>& body)
    {
        if (auto r = begin(); !r) {
            return r;
        }
        if (auto r = body(); !r) {
            return r;
        }
        return commit();
    }

    Result<void> unsent(const ledger::NfseRecord& row, const std::string& code, const std::string& message)
    {
        return in_transaction([&] { return ledger::record_nfse_unsent(m_ledger, m_run, row.key, code, message); });
    }

    Result<void> send(const ledger::NfseRecord& row)
    {
        bool claimed = false;
        auto attempt = in_transaction([&]() -> Result<void> {
            auto r = ledger::record_nfse_attempt(m_ledger, m_run, row.key);
            if (!r) {
                return tl::unexpected(r.error());
            }
            claimed = *r;
            return {};
        });
        if (!attempt) {
            return attempt;
        }
        if (!claimed) {
            return {};  // another run answered it meanwhile
        }
        auto answer = m_client->send_dps(row.signed_xml);
        if (!answer) {
            m_summary.unavailable = true;
            m_summary.unavailable_reason = answer.error().message;
            m_ctx.warn(fmt::format("invoice {}: the NFS-e service could not be reached; the DPS stays signed and "
                                   "the next run sends it: {}",
                                   row.invoice_id, answer.error().message));
            return unsent(row, "unavailable", answer.error().message);
        }
        if ((answer->status == 200 || answer->status == 201) && !answer->access_key.empty() &&
            !answer->nfse_xml.empty()) {
            return authorize(row, *answer, "authorized");
        }
        if (answer->has_error("E0014")) {
            return look_up(row);
        }
        std::string code = !answer->errors.empty() && !answer->errors.front().code.empty()
                               ? answer->errors.front().code
                               : fmt::format("HTTP {}", answer->status);
        std::string message = answer->errors.empty() ? fmt::format("the authority answered HTTP {} without an "
                                                                   "NFS-e",
                                                                   answer->status)
                                                     : answer->error_summary();
        ++m_summary.rejected;
        fail_invoice(row.invoice_id, code, message);
        return in_transaction([&] { return ledger::record_nfse_rejected(m_ledger, m_run, row.key, code, message); });
    }

    // "DPS already received" (E0014): the NFS-e exists; find it by the DPS Id and record it.
    Result<void> look_up(const ledger::NfseRecord& row)
    {
        auto found = m_client->find_dps(row.dps_id);
        if (found && found->status == 200 && !found->access_key.empty()) {
            auto nfse = m_client->get_nfse(found->access_key);
            if (nfse && nfse->status == 200 && !nfse->nfse_xml.empty()) {
                if (nfse->access_key.empty()) {
                    nfse->access_key = found->access_key;
                }
                return authorize(row, *nfse, "already received, found by its DPS Id");
            }
            found = nfse ? Result<ApiAnswer>(*nfse) : nfse;
        }
        if (!found) {
            m_summary.unavailable = true;
            m_summary.unavailable_reason = found.error().message;
            return unsent(row, "unavailable", found.error().message);
        }
        std::string message = fmt::format("the authority says the DPS was already received (E0014), but looking it "
                                          "up answered HTTP {}{}",
                                          found->status, found->errors.empty() ? "" : ": " + found->error_summary());
        fail_invoice(row.invoice_id, "E0014", message);
        return unsent(row, "E0014", message);
    }

    Result<void> authorize(const ledger::NfseRecord& row, const ApiAnswer& answer, const std::string& how)
    {
        auto number = nfse_number(answer.nfse_xml);
        if (!number) {
            std::string message = fmt::format("the answer cannot be used: {}", number.error().message);
            fail_invoice(row.invoice_id, "answer", message);
            return unsent(row, "answer", message);
        }
        auto path = authorized_path(row);
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        if (auto w = io::write_file_atomic(path, answer.nfse_xml, 0644); !w) {
            return w;
        }
        return in_transaction([&]() -> Result<void> {
            auto recorded = ledger::record_nfse_authorized(m_ledger, m_run, row.key, answer.access_key, *number,
                                                           answer.nfse_xml, path.string(), how);
            if (!recorded) {
                return tl::unexpected(recorded.error());
            }
            if (*recorded == ledger::Authorization::after_cancel) {
                fail_invoice(row.invoice_id, "authorized-after-cancel",
                             fmt::format("the invoice was cancelled while its DPS was on its way, and the authority "
                                         "authorized it anyway (NFS-e {}, key {}): run billrun cancel {} to send "
                                         "its cancellation event",
                                         *number, answer.access_key, row.invoice_id));
                return {};
            }
            if (*recorded == ledger::Authorization::unchanged) {
                return {};  // another run recorded it meanwhile
            }
            ++m_summary.authorized;
            m_ctx.progress("NFS-e authorized", m_summary.authorized, 0);
            // Auto-send: the customer gets the authorized NFS-e by e-mail, once.
            auto queued = ledger::queue_delivery(m_ledger, m_run, row.invoice, "nfse");
            return queued ? Result<void>() : Result<void>(tl::unexpected(queued.error()));
        });
    }

    Result<void> emit(const NfseSink& sink)
    {
        if (m_ctx.dry_run) {
            if (auto r = begin(); !r) {
                return r;
            }
        }
        std::int64_t after = 0;
        while (true) {
            auto batch = ledger::nfse_of_run(m_ledger, m_run, after, 1000);
            if (!batch) {
                return tl::unexpected(batch.error());
            }
            if (batch->empty()) {
                return {};
            }
            after = batch->back().key;
            for (const auto& row : *batch) {
                sink(nfse_document(row, m_ctx.dry_run));
            }
        }
    }

    Result<void> finish()
    {
        if (auto r = begin(); !r) {
            return r;
        }
        m_summary.finished = m_ctx.now();
        auto counts = fmt::format(
            R"({{"allocated":{},"signed":{},"authorized":{},"rejected":{},"invalid":{}}})", m_summary.allocated,
            m_summary.signed_, m_summary.authorized, m_summary.rejected, m_summary.invalid);
        std::string status = m_ctx.dry_run ? "dry-run"
                                           : (m_summary.failures.empty() && !m_summary.unavailable ? "ok" : "partial");
        if (auto r = ledger::finish_run(m_ledger, m_run, m_summary.finished, status, counts); !r) {
            return r;
        }
        m_summary.run = m_ctx.dry_run ? 0 : m_run;
        auto r = commit();
        m_tx.reset();
        return r;
    }

    ledger::Ledger& m_ledger;
    const config::Config& m_config;
    const RunContext& m_ctx;
    const EmitOptions& m_options;
    std::optional<ledger::WriteTransaction> m_tx;
    std::shared_ptr<const DpsSchema> m_schema;
    std::shared_ptr<const DpsSchema> m_abrasf_schema;
    std::unique_ptr<Signer> m_signer;
    std::unique_ptr<SefinClient> m_client;
    std::unordered_map<std::string, ledger::Service> m_services;
    std::int64_t m_run = 0;
    EmitSummary m_summary;
};

}  // namespace

Result<EmitSummary> emit_nfse(ledger::Ledger& ledger, const config::Config& config, const RunContext& ctx,
                              const EmitOptions& options, const NfseSink& sink)
{
    Emitter emitter(ledger, config, ctx, options);
    return emitter.run(sink);
}

io::Map nfse_document(const ledger::NfseRecord& r, bool dry_run)
{
    std::string status = r.status;
    if (status == "pending") {
        status = "rejected";  // not built or refused by the schema here: nothing was signed
    }
    io::Map doc{{"kind", "nfse"},
                {"version", 1},
                {"invoice", r.invoice_id},
                {"standard", r.standard},
                {"dps_id", r.dps_id},
                {"dps_series", r.dps_series},
                {"dps_number", r.dps_number},
                {"status", status},
                {"xml", r.xml_path.empty() || dry_run ? io::Value() : io::Value(r.xml_path)}};
    if (r.status == "authorized" || r.status == "cancelled" || r.status == "authorized-after-cancel") {
        doc.emplace_back("access_key", r.access_key);
        doc.emplace_back("number", r.number);
        doc.emplace_back("authorized_xml", r.authorized_path);
    }
    if (!r.error_code.empty() || status == "rejected") {
        doc.emplace_back("error", io::Map{{"code", r.error_code.empty() ? std::string("rejected") : r.error_code},
                                          {"message", r.error_message}});
    }
    doc.emplace_back("attempts", r.attempts);
    doc.emplace_back("key", r.key);
    return doc;
}

io::Map emit_run_document(const EmitSummary& s, const RunContext& ctx)
{
    io::List failures;
    for (const auto& f : s.failures) {
        failures.emplace_back(io::Map{{"invoice", f.invoice}, {"code", f.code}, {"reason", f.reason}});
    }
    io::Map doc{{"kind", "run"},
                {"version", 1},
                {"command", "emit-nfse"},
                {"run", s.run == 0 ? io::Value() : io::Value(s.run)},
                {"business_date", ctx.business_date.iso()},
                {"started", s.started},
                {"finished", s.finished},
                {"dry_run", ctx.dry_run},
                {"counts", io::Map{{"allocated", s.allocated},
                                   {"signed", s.signed_},
                                   {"authorized", s.authorized},
                                   {"rejected", s.rejected},
                                   {"invalid", s.invalid}}},
                {"failures", std::move(failures)},
                {"unavailable", s.unavailable ? io::Value(s.unavailable_reason) : io::Value()}};
    return doc;
}

}  // namespace billrun::nfse
